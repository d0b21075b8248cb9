"""Where Win-Back Desk keeps its files: resolved here and nowhere else.

Order of precedence: an explicit ``--data-dir`` argument, then ``WINBACK_DATA_DIR``, then the
platformdirs user data dir. Tests inject a temporary dir; they never touch the real user dirs.
This desk's own config (``desk.py``) lives in the platformdirs user config dir whatever the data
dir: it belongs to the person at this desk, not to the database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_DIR_NAME = "winback-desk"
ENV_DATA_DIR = "WINBACK_DATA_DIR"
DB_FILE_NAME = "winback.sqlite3"
DESK_FILE_NAME = "desk.json"


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    custom: bool  # True when the user chose the dir; logs then live inside it too
    config: Path = field(default_factory=user_config_dir)  # this desk's own config dir

    @property
    def desk_config(self) -> Path:
        return self.config / DESK_FILE_NAME

    @property
    def database(self) -> Path:
        return self.data_dir / DB_FILE_NAME

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def exports(self) -> Path:
        return self.data_dir / "exports"

    @property
    def logs(self) -> Path:
        if self.custom:
            return self.data_dir / "logs"
        return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))

    @property
    def session_marker(self) -> Path:
        """Present while the app runs: found at start, it means the last session did not end."""
        return self.data_dir / "session.open"

    @property
    def journal(self) -> Path:
        """The recovery journal: call notes on their way to the database (services/calls/journal.py)."""
        return self.data_dir / "recovery.journal"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "winback.lock"

    def ensure(self) -> Paths:
        """Create the missing dirs, readable by the user only (customer data is personal data).

        A folder that exists keeps its mode: ``--data-dir`` may name a shared folder (a 1777
        one, say), whose sticky bit and permissions belong to whoever set them up."""
        for d in (self.data_dir, self.backups, self.exports, self.logs):
            make_private_dir(d)
        return self


def make_private_dir(folder: Path) -> None:
    """Make ``folder`` and any missing parent, each 0700; folders that exist are left as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile (another start): not ours to change
            continue
        os.chmod(d, 0o700)  # mkdir's mode is narrowed by the umask, never widened


def resolve(data_dir: str | os.PathLike[str] | None = None) -> Paths:
    if data_dir:
        return Paths(Path(data_dir).expanduser().resolve(), custom=True)
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Paths(Path(env).expanduser().resolve(), custom=True)
    return Paths(Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)), custom=False)
