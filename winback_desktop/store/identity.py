"""Is this SQLite file a Win-Back Desk database? Asked read-only, before anything writes to it.

Opening a file for use sets WAL mode (which rewrites its header) and migrating creates our
tables in it: done to another program's database given by mistake (``--data-dir`` on the wrong
folder, a file copied over ours), that would change a file that is not ours. So a file that
holds tables but no trace of ours is refused, with nothing changed in it, not even its mode.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from winback_desktop.store.connection import connect_read_only, is_damage
from winback_desktop.store.errors import KnownError, Problem
from winback_desktop.store.migrate import shipped_revisions

# Tables every revision of our schema has had; with the Alembic table, a file is ours.
OUR_TABLES = frozenset({"customers", "people", "calls", "settings"})
SHOWN = 5  # the foreign tables a message names


class NotOurDatabaseError(KnownError):
    """The file is a SQLite database of another program; nothing was written to it."""

    def __init__(self, path: Path, tables: list[str]):
        self.path, self.tables = path, tables
        more = f" and {len(tables) - SHOWN} more" if len(tables) > SHOWN else ""
        message = (
            f"{path} is not a Win-Back Desk database (it holds the tables "
            f"{', '.join(tables[:SHOWN])}{more} of another program); nothing was changed in it. "
            "Start with --data-dir set to another folder, or move the file away"
        )
        super().__init__(Problem.NOT_OURS, "not a Win-Back Desk database", message)


def foreign_tables(path: Path) -> list[str] | None:
    """The tables of ``path`` when it is another program's database; None when it is ours, new
    (no tables yet) or cannot be read (the start-up check says why: damaged, locked...)."""
    if not path.is_file():
        return None
    try:
        conn = connect_read_only(path)
        try:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                    "ORDER BY name"
                )
            ]
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return None
        raise
    if not tables or revision in shipped_revisions():
        return None
    if "alembic_version" in tables and OUR_TABLES <= set(tables):
        return None  # ours, from a newer version: migrate() refuses it by name
    return tables


def refuse_foreign(path: Path) -> None:
    """Raise :class:`NotOurDatabaseError` when ``path`` is another program's database."""
    tables = foreign_tables(path)
    if tables is not None:
        raise NotOurDatabaseError(path, tables)
