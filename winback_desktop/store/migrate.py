"""Bring a database to the schema this version expects: back up first, refuse newer ones."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.store.backup import backup_database
from winback_desktop.store.connection import broken_references, foreign_keys_deferred_to_commit, sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

log = logging.getLogger(__name__)
_REVISION = re.compile(r"""^(down_revision|revision)\s*=\s*['"]?([\w.-]+|None)['"]?""", re.MULTILINE)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Win-Back Desk; opening it could damage it."""


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


def migrate(engine: Engine, backups_dir: Path | None = None) -> str | None:
    """Upgrade to head. Returns the path of the pre-migration backup, if one was made."""
    current = current_revision(engine)
    if current is not None and current == shipped_head():
        return None  # the usual start: up to date, and Alembic never imported
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if current == head:
        return None
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaTooNewError(
            f"This database was written by a newer version of Win-Back Desk (schema {current}); "
            f"this version only knows up to {head}. Please update the app."
        )
    backup = None
    db = sqlite_path(engine)
    if current is not None and db is not None and backups_dir is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = backup_database(db, backups_dir / f"pre-migrate-{current}-{stamp}.sqlite3")
        log.info("backed up %s to %s before migrating", db, backup)
    cfg = alembic_config()
    with engine.connect() as conn, foreign_keys_deferred_to_commit(conn):
        # One transaction for the whole upgrade: a failing revision leaves the file as it was.
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            broken = broken_references(conn)
            if broken:
                raise RuntimeError(
                    f"migrating to schema {head} would leave {len(broken)} broken references "
                    f"(first in table {broken[0][0]}); the database was left as it was"
                )
    log.info("migrated database from %s to %s", current, head)
    return str(backup) if backup else None
