"""This desk's own config: who is using it, kept beside the user, never in the shared database.

Two desks on one database each have their own current user, so who is here cannot be a row of
that database. It lives in ``desk.json`` in the user's config dir (``Paths.config``), keyed by
the database it applies to (a person id means nothing in another database): a SQLite file by its
path, a team server by its URL without password. The team database this desk connects to
(``database_url``, never with a password) is kept here too. Standard library only on SQLite:
the first paint reads it before SQLAlchemy loads.

The file is written whole to a temporary file and renamed over the old one, readable by the
user only. A file that cannot be read or is not a desk config is reported in the log and read as
empty; the next save keeps it beside the new one as ``desk.json.corrupt``, so nothing in it is
lost without a trace. Keys this version does not know are kept as they were.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from winback_desktop.paths import DESK_URL_KEY, Paths

log = logging.getLogger(__name__)

USERS_KEY = "current_users"


class PasswordInUrlError(ValueError):
    """A team database URL with a password in it was to be saved: refused, saying where it goes."""


class DeskConfigError(ValueError):
    """The desk config file is there but is not one (bad JSON, or not the expected shape)."""


@dataclass(frozen=True)
class DeskConfig:
    """What this desk remembers. Immutable: ``with_current_user`` gives a changed copy."""

    # database -> the person using this desk on it; None: nobody chosen (or forgotten). A
    # database missing here has never been opened with a desk config (see services/people/team).
    current_users: Mapping[str, int | None] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys of later versions, kept

    def knows(self, database: str) -> bool:
        return database in self.current_users

    def current_user(self, database: str) -> int | None:
        return self.current_users.get(database)

    def with_current_user(self, database: str, person_id: int | None) -> DeskConfig:
        return replace(self, current_users={**self.current_users, database: person_id})

    def to_json(self) -> str:
        data = {**self.extra, USERS_KEY: dict(self.current_users)}
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def database_key(paths: Paths) -> str:
    """How the desk config names the database these paths open: the SQLite file's absolute,
    real path; a team server's URL without its password (the same server and database reached
    with or without one is the same database, and no password is ever written here)."""
    if paths.database_url is not None:
        from winback_desktop.store.server import ServerUrlError, without_password

        try:
            return without_password(paths.database_url)
        except ServerUrlError:
            return paths.shown
    return str(paths.database.resolve())


def team_database(config: DeskConfig) -> str | None:
    """The team database this desk connects to (File ▸ Connect to a team database…), or None."""
    url = config.extra.get(DESK_URL_KEY)
    return url if isinstance(url, str) and url.strip() else None


def with_team_database(config: DeskConfig, url: str | None) -> DeskConfig:
    """The config connecting this desk to the team database at ``url`` (None: its own SQLite
    file). PasswordInUrlError for a URL with a password: this file never holds one."""
    extra = {k: v for k, v in config.extra.items() if k != DESK_URL_KEY}
    if url is not None:
        from winback_desktop.store.server import has_password, without_password

        if has_password(url):
            raise PasswordInUrlError(
                "the URL holds a password, and the desk config never saves one: take it out of "
                "the URL and put it in ~/.pgpass (host:port:database:user:password, chmod 0600) "
                "or in a service file (PGSERVICEFILE)"
            )
        extra[DESK_URL_KEY] = without_password(url)
    return replace(config, extra=extra)


def _person_id(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeskConfigError(f"a current user is a person id or null, not {value!r}")
    return value


def parse(text: str) -> DeskConfig:
    """A desk config from the file's text; DeskConfigError when it is not one."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DeskConfigError(f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DeskConfigError("not a JSON object")
    users = data.pop(USERS_KEY, {})
    if not isinstance(users, dict):
        raise DeskConfigError(f"{USERS_KEY!r} is not an object")
    return DeskConfig({str(k): _person_id(v) for k, v in users.items()}, data)


def load(paths: Paths) -> DeskConfig:
    """This desk's config; empty when there is none yet, or (reported) when it is unreadable."""
    path = paths.desk_config
    try:
        return parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DeskConfig()
    except (OSError, UnicodeDecodeError, DeskConfigError) as exc:
        log.warning("the desk config %s cannot be used (%s); treating it as empty", path, exc)
        return DeskConfig()


def _set_aside_if_unreadable(path: Path) -> None:
    try:
        parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError, DeskConfigError):
        aside = path.with_name(path.name + ".corrupt")
        os.replace(path, aside)
        log.warning("the unusable desk config is kept as %s", aside)


def save(paths: Paths, config: DeskConfig) -> None:
    """Write the config atomically, user-only (0600, in a 0700 dir). OSError when it cannot."""
    path = paths.desk_config
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    _set_aside_if_unreadable(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply to a leftover temporary file
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(config.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
