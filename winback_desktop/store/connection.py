"""The one engine factory. SQLite specifics (pragmas, transaction handling) live here only.

SQLAlchemy is imported inside the functions that need it: :func:`check_file` and :func:`peek`
run at start-up, before it is loaded (importing it costs about 0.3 s; see app.py).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from winback_desktop.store.disk import UnsafeDatabasePath, connect_read_only, is_damage, refuse_links
from winback_desktop.store.integrity import WritesStoppedError, find_damage, recorded_damage

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.orm import Session, sessionmaker
    from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 5000


def create_db_file(path: Path) -> None:
    """Create the database file readable by the user only, before SQLite opens it.

    SQLite gives the -wal and -shm files the same mode as the database file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    refuse_links(path)
    # O_NOFOLLOW: a link put there since is not followed either (store/disk.py says why).
    fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Hand transaction control to SQLAlchemy (pysqlite's legacy implicit BEGIN breaks
    # SAVEPOINT and transactional DDL); the "begin" listener below emits BEGIN itself.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


WRITE = "winback_write"  # execution option: this transaction will write


def _sqlite_begin(conn: Connection) -> None:
    # A write transaction takes the write lock up front (waiting up to the busy timeout): a plain
    # BEGIN that reads first and then writes fails at once with "database is locked" when another
    # process (the ranking or backup child) committed in between, without waiting at all.
    write = bool(conn.get_execution_options().get(WRITE))
    _refuse_writes_to_damage(conn, write)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _refuse_writes_to_damage(conn: Connection, write: bool) -> None:
    """Once a check has found the file damaged (store/integrity.py's note, written by any
    process), no write transaction starts, and any other is made read-only (``query_only``), so
    nothing reaches the damaged file; reading it still works."""
    name = conn.engine.url.database
    if not name or name == ":memory:":
        return
    db = Path(name)
    damage = recorded_damage(db)
    if damage is not None and write:
        raise WritesStoppedError(db, damage)
    info = conn.connection.info
    if info.get("query_only", False) != (damage is not None):
        conn.exec_driver_sql(f"PRAGMA query_only={'ON' if damage is not None else 'OFF'}")
        info["query_only"] = damage is not None


def make_engine(url_or_path: str | Path, *, echo: bool = False) -> Engine:
    """An engine for a SQLite file path (the default) or any SQLAlchemy URL (e.g. PostgreSQL)."""
    from sqlalchemy import create_engine, event

    if isinstance(url_or_path, Path) or "://" not in str(url_or_path):
        path = Path(url_or_path)
        create_db_file(path)
        engine = create_engine(f"sqlite+pysqlite:///{path}", echo=echo)
    else:
        from winback_desktop.store import server

        url = server.parse(str(url_or_path))
        # pre_ping: a connection the server dropped (restart, network) is replaced, not used.
        engine = create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            connect_args={"connect_timeout": server.CONNECT_TIMEOUT_S, "application_name": "winback-desk"},
        )
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    from winback_desktop.store import portable

    portable.install(engine)  # no NUL characters in stored text, on both databases
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    # expire_on_commit=False: services hand out plain data built from rows after commit.
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (on SQLite, holding the
    write lock from the start: see ``_sqlite_begin``)."""
    with factory() as session, session.begin():
        session.connection(execution_options={WRITE: True})
        yield session


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A Core connection in one write transaction: commit on success, roll back on any error (on
    SQLite, holding the write lock from the start: see ``_sqlite_begin``)."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            yield conn


def sqlite_path(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    return Path(engine.url.database)


def check_file(path: Path, full: bool = True) -> str:
    """'ok', or what is wrong with the file (opened read-only: never written): its header, then
    SQLite's check (see store/integrity.py). An empty file is not a good database: SQLite would
    take it for a new one.

    A fault that is not the file's (a full or read-only disk, a lock, a linked file) is no
    answer about the file: it is raised, for ``store.errors.known_problem`` to name."""
    refuse_links(path)
    if not path.exists():
        return f"{path} does not exist"
    if path.stat().st_size == 0:
        return "the file is empty (0 bytes)"
    try:
        return find_damage(path, full) or "ok"
    except UnsafeDatabasePath:
        raise
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):  # a full or read-only disk, a lock...: not the file's fault
            raise
        return str(exc)
    except OSError as exc:  # the file cannot be read at all
        return str(exc)


def peek(path: Path, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]] | None:
    """Run read-only queries on the SQLite file with the standard driver, in one snapshot;
    None when the file is missing or SQLite refuses (damaged, locked, an older schema).

    For the first paint at start-up (services/first_paint.py), before SQLAlchemy is loaded.
    The file is opened read-only: nothing is written, whatever state it is in.
    """
    if not path.is_file():
        return None
    try:
        conn = connect_read_only(path, timeout=0.2, isolation_level=None)
        try:
            conn.execute("BEGIN")  # one read transaction: the results agree with each other
            return [conn.execute(sql, tuple(params)).fetchall() for sql, params in queries]
        finally:
            conn.close()
    except (sqlite3.Error, UnsafeDatabasePath):
        return None


@contextmanager
def foreign_keys_deferred_to_commit(conn: Connection) -> Iterator[None]:
    """For schema migrations on SQLite: batch mode rebuilds tables (copy, DROP, rename), and with
    foreign keys on, dropping a referenced table fails. The pragma is ignored inside a
    transaction, so it is switched off around it; call :func:`broken_references` before commit.
    Other databases check references at the end of the transaction themselves."""
    dbapi = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
    if dbapi is not None:
        dbapi.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if dbapi is not None:
            dbapi.execute("PRAGMA foreign_keys=ON")


def broken_references(conn: Connection) -> list[tuple[Any, ...]]:
    """Rows whose foreign keys point nowhere (SQLite; other databases never let them exist)."""
    if conn.dialect.name != "sqlite":
        return []
    return list(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
