"""Where Win-Back Desk keeps its files: resolved here and nowhere else.

Order of precedence: an explicit ``--data-dir`` argument, then ``WINBACK_DATA_DIR``, then the
platformdirs user data dir. The database is the SQLite file in the data dir unless a team
database is named: ``--database-url``, then ``WINBACK_DATABASE_URL``, then the desk's own config
(File ▸ Connect to a team database…); the data dir still holds the logs, exports and journal.
Tests inject a temporary dir; they never touch the real user dirs.
This desk's own config (``desk.py``) lives in the platformdirs user config dir whatever the data
dir: it belongs to the person at this desk, not to the database.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

APP_DIR_NAME = "winback-desk"
ENV_DATA_DIR = "WINBACK_DATA_DIR"
ENV_DATABASE_URL = "WINBACK_DATABASE_URL"
DESK_URL_KEY = "database_url"  # the desk config's key for its team database (desk.py)
DB_FILE_NAME = "winback.sqlite3"
DESK_FILE_NAME = "desk.json"


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    custom: bool  # True when the user chose the dir; logs then live inside it too
    config: Path = field(default_factory=user_config_dir)  # this desk's own config dir
    # A team database (an SQLAlchemy URL, PostgreSQL), or None: the SQLite file ``database``.
    database_url: str | None = None

    @property
    def on_server(self) -> bool:
        """True when the database is a team server, not the SQLite file in the data dir."""
        return self.database_url is not None

    @property
    def shown(self) -> str:
        """The database as said to people and logs: the file's path, or the server's URL with
        any password hidden (store/server.py: redact)."""
        if self.database_url is None:
            return str(self.database)
        return redact_url(self.database_url)

    def name_to_children(self) -> None:
        """Name this database to the child jobs this process starts from now on (jobs/*, which
        open :func:`for_child`'s paths): WINBACK_DATABASE_URL set, or unset for the SQLite file."""
        if self.database_url is None:
            os.environ.pop(ENV_DATABASE_URL, None)
        else:
            os.environ[ENV_DATABASE_URL] = self.database_url

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


def resolve(data_dir: str | os.PathLike[str] | None = None, database_url: str | None = None) -> Paths:
    if data_dir:
        paths = Paths(Path(data_dir).expanduser().resolve(), custom=True)
    elif env := os.environ.get(ENV_DATA_DIR):
        paths = Paths(Path(env).expanduser().resolve(), custom=True)
    else:
        paths = Paths(Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)), custom=False)
    url = database_url or os.environ.get(ENV_DATABASE_URL) or _desk_database_url(paths.desk_config)
    return replace(paths, database_url=url) if url else paths


def _desk_database_url(desk_config: Path) -> str | None:
    """The team database this desk was connected to (File ▸ Connect…), read without desk.py
    (which imports this module); an unreadable config is desk.py's to report."""
    try:
        data = json.loads(desk_config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = data.get(DESK_URL_KEY) if isinstance(data, dict) else None
    return url if isinstance(url, str) and url.strip() else None


def for_child(data_dir: str | os.PathLike[str]) -> Paths:
    """The paths of a child job (jobs/*) started by the app on ``data_dir``: the database the
    app uses, named by the app in the child's WINBACK_DATABASE_URL (ui/kit/jobs.py), never the
    desk config's (the app may have been started on another with --database-url)."""
    url = os.environ.get(ENV_DATABASE_URL) or None
    return Paths(Path(data_dir), custom=True, database_url=url)  # the folder exactly as the app named it


def redact_url(url: str) -> str:
    """``url`` with any password replaced by *** (as SQLAlchemy shows a URL), standard library
    only: the paths are shown before SQLAlchemy is loaded."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user, _, host = parts.netloc.rpartition("@")
        name = user.split(":", 1)[0]
        return urlunsplit(parts._replace(netloc=f"{name}:***@{host}"))
    except ValueError:
        return "(an unreadable database URL)"
