"""Bring a database to the schema this version expects: back up first, refuse newer ones.

A desk's SQLite file is upgraded by the desk itself, after a backup. A team database (on a
PostgreSQL server) is shared. Either way the upgrade holds a lock for its transaction (on a
server an advisory lock, ``pg_advisory_xact_lock``; on SQLite the write lock, BEGIN IMMEDIATE),
so several desks starting at once on a new, empty database wait for the first, then find it
made (no two of them create the same table). A team database already in use is upgraded by
whoever owns it (``winback db upgrade``): a desk opening one that is behind is told so and
opens it read-only (``allow_upgrade=False``, what bootstrap.py asks).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.store.backup import backup_database
from winback_desktop.store.connection import (
    WRITE,
    broken_references,
    foreign_keys_deferred_to_commit,
    sqlite_path,
)

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)
_REVISION = re.compile(r"""^(down_revision|revision)\s*=\s*['"]?([\w.-]+|None)['"]?""", re.MULTILINE)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATE_LOCK = 0x57494E42  # pg_advisory_xact_lock key of the upgrade ("WINB"); per database


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Win-Back Desk; opening it could damage it."""


class SchemaBehindError(RuntimeError):
    """A team database at an older schema than this version's, which a desk does not upgrade
    itself (its owner does, with ``winback db upgrade``): the desk opens it read-only."""

    def __init__(self, current: str, head: str):
        self.current, self.head = current, head
        super().__init__(
            f"the team database is at schema {current}; this version needs {head}: "
            "whoever owns the database runs `winback db upgrade`"
        )


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def shipped_head() -> str | None:
    """The newest revision, read from the revision files themselves: importing Alembic costs a
    quarter of a second at every start, and is only needed when there is something to upgrade."""
    return _head_of(MIGRATIONS)


def shipped_revisions() -> frozenset[str]:
    """Every revision this version knows, read from the revision files (no Alembic)."""
    return _revisions_of(MIGRATIONS)[0]


@functools.cache  # read at start-up by the first paint and again by migrate()
def _head_of(migrations: Path) -> str | None:
    revisions, parents = _revisions_of(migrations)
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None  # several heads: let Alembic decide


@functools.cache
def _revisions_of(migrations: Path) -> tuple[frozenset[str], frozenset[str | None]]:
    revisions: set[str] = set()
    parents: set[str | None] = set()
    for path in (migrations / "versions").glob("*.py"):
        found = {m[1]: m[2] for m in _REVISION.finditer(path.read_text(encoding="utf-8"))}
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision"))
    return frozenset(revisions), frozenset(parents)


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _too_new(engine: Engine, current: str, head: str) -> SchemaTooNewError:
    from winback_desktop.store.server import redact

    what = "This database" if engine.dialect.name == "sqlite" else f"The team database {redact(engine.url)}"
    return SchemaTooNewError(
        f"{what} was written by a newer version of Win-Back Desk (schema {current}); "
        f"this version only knows up to {head}. Please update the app."
    )


def _revision_in(conn: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine, backups_dir: Path | None = None, *, allow_upgrade: bool = True) -> str | None:
    """Upgrade to head. Returns the path of the pre-migration backup, if one was made.

    ``allow_upgrade=False`` (a desk opening a team database): an empty database is still made
    (the first desk of a new team), but one at an older schema raises :class:`SchemaBehindError`
    and is left as it is. A newer one raises :class:`SchemaTooNewError` either way.
    """
    current = current_revision(engine)
    if current is not None and current == shipped_head():
        return None  # the usual start: up to date, and Alembic never imported
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    if current == head:
        return None
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise _too_new(engine, current, head)
    if current is not None and not allow_upgrade:
        raise SchemaBehindError(current, head)
    backup = None
    db = sqlite_path(engine)
    if current is not None and db is not None and backups_dir is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = backup_database(db, backups_dir / f"pre-migrate-{current}-{stamp}.sqlite3")
        log.info("backed up %s to %s before migrating", db, backup)
    if _upgrade(engine, current, head, known, allow_upgrade):
        log.info("migrated database from %s to %s", current, head)
    return str(backup) if backup else None


def _upgrade(engine: Engine, current: str | None, head: str, known: set[str], allow_upgrade: bool) -> bool:
    """Run the upgrade in one transaction; False when another desk had done it meanwhile."""
    from alembic import command
    from sqlalchemy import text

    cfg = alembic_config()
    with engine.connect() as conn, foreign_keys_deferred_to_commit(conn):
        # SQLite: the write lock from the start (BEGIN IMMEDIATE), as a write transaction does.
        conn.execution_options(**{WRITE: True})
        # One transaction for the whole upgrade: a failing revision leaves the file as it was.
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
            # One process at a time (the lock); the others wait, then see what the first did.
            now = _revision_in(conn)
            if now == head:
                return False
            if now is not None and now not in known:
                raise _too_new(engine, now, head)
            if now is not None and now != current and not allow_upgrade:
                raise SchemaBehindError(now, head)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            broken = broken_references(conn)
            if broken:
                raise RuntimeError(
                    f"migrating to schema {head} would leave {len(broken)} broken references "
                    f"(first in table {broken[0][0]}); the database was left as it was"
                )
    return True
