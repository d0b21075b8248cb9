"""The database opened read-only: on a read-only or full disk, the data can still be looked at.

Nothing is written: not the WAL mode (the file keeps its header), not a migration, not the
catalogue seed, not a lock. Every connection is opened with SQLite's ``mode=ro`` (or as
immutable, see ``connection.connect_read_only``) and ``query_only``; a write transaction is
refused before it starts, with the reason the app is read-only, so the user reads why rather
than "attempt to write a readonly database".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from winback_desktop.store.connection import BUSY_TIMEOUT_MS, WRITE, connect_read_only
from winback_desktop.store.errors import KnownError, Problem
from winback_desktop.store.migrate import SchemaTooNewError, current_revision, shipped_head, shipped_revisions

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import Connection, Engine


class ReadOnlyError(KnownError):
    """A write asked of a database opened read-only; ``reason`` says why it is."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(Problem.READ_ONLY, "opened read-only", f"nothing can be saved: {reason}")


def make_read_only_engine(path: Path, reason: str) -> Engine:
    """An engine that reads ``path`` and refuses every write with :class:`ReadOnlyError`."""
    from sqlalchemy import create_engine, event

    def connect() -> sqlite3.Connection:
        return connect_read_only(path, check_same_thread=False)

    def pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's begin (below) owns transactions
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA query_only=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    def begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE):
            raise ReadOnlyError(reason)
        conn.exec_driver_sql("BEGIN")

    engine = create_engine(f"sqlite+pysqlite:///{path}", creator=connect)
    event.listen(engine, "connect", pragmas)
    event.listen(engine, "begin", begin)
    return engine


def refuse_writes(engine: Engine, reason: str) -> Engine:
    """A team database's engine made read-only: every write transaction refused with
    :class:`ReadOnlyError` before it starts (the server is asked nothing), and each session
    read-only on the server too (``default_transaction_read_only``), should any write come
    another way."""
    from sqlalchemy import event

    def connect(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cur:
            cur.execute("SET default_transaction_read_only = on")
        dbapi_connection.autocommit = autocommit

    def begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE):
            raise ReadOnlyError(reason)

    engine.dispose()  # connections made before are not read-only
    event.listen(engine, "connect", connect)
    event.listen(engine, "begin", begin)
    return engine


def open_read_only(path: Path, reason: str) -> Engine:
    """The read-only engine for a database at this version's schema; a clear refusal when there
    is none yet, or it would need a migration (which writes)."""
    if not path.is_file():
        raise KnownError(
            Problem.READ_ONLY,
            "no database",
            f"there is no Win-Back Desk database in {path.parent} yet, and {reason}",
        )
    engine = make_read_only_engine(path, reason)
    try:
        current = current_revision(engine)
        if current != shipped_head():
            if current is not None and current not in shipped_revisions():
                raise SchemaTooNewError(
                    f"This database was written by a newer version of Win-Back Desk (schema {current}); "
                    "please update the app."
                )
            raise KnownError(
                Problem.READ_ONLY,
                "needs a migration",
                f"the database {path} must be upgraded for this version of Win-Back Desk, which "
                f"writes to it, and {reason}",
            )
    except BaseException:
        engine.dispose()
        raise
    return engine
