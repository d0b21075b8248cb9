"""The one engine factory. SQLite specifics (pragmas, transaction handling) live here only.

SQLAlchemy is imported inside the functions that need it: :func:`check_file` and :func:`peek`
run at start-up, before it is loaded (importing it costs about 0.3 s; see app.py).

Write transactions and concurrency
----------------------------------
On SQLite a write transaction takes the one write lock up front (``BEGIN IMMEDIATE``): writers
run one after the other, so every write transaction sees the data as it is and nothing it read
changes under it. That stays as it is.

On PostgreSQL (a team database) every write transaction of :func:`transaction` and
:func:`write_transaction` runs SERIALIZABLE, so the same holds: the server lets transactions run
side by side and, when two of them would have given a result no one-after-the-other order gives
(two desks resuming the same booked call, two follow-up changes of one item), refuses one of
them at its statement or commit with a *serialization failure* (SQLSTATE 40001; a deadlock,
40P01, likewise). Nothing of the refused transaction is kept.

Why SERIALIZABLE and a retry rather than row locks: the services' transactions read first
and decide what to write from what they read (resume the open call or make one, book unless
someone is booked, deal the customers not yet dealt); a ``SELECT … FOR UPDATE`` in each would
have to name every row such a decision depends on, including the rows that are *not there yet*
(the open call another desk is making), which row locks cannot lock. Serializable isolation
checks all of it, and the price, a refused transaction now and then, is paid by running it
again. Our transactions have no side effects outside the database (files, messages and
notices come after they return), so running one again is safe.

A context manager cannot run its own body again, so :func:`transaction` turns a serialization
failure into :class:`WriteConflict` (a known problem: "another desk changed the same records at
the same moment; nothing was saved") and the write sites that race are run by
:func:`retrying` (or marked :func:`retried`), which runs the whole unit again, a few times with
a short random pause, before it gives up with that message. Callers of :func:`transaction` do
not change. A service marked :func:`retried` must be one transaction, or transactions that are
safe to run again (idempotent), with no other side effect. Locks are kept for what must not
run twice at all rather than merely be right: the migration (an advisory lock, which DDL
needs, store/migrate.py) and the start of the day's re-ranking (services/roster/daily.py).
"""

from __future__ import annotations

import functools
import logging
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from winback_desktop.store.disk import UnsafeDatabasePath, connect_read_only, is_damage, refuse_links
from winback_desktop.store.integrity import WritesStoppedError, find_damage, recorded_damage

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.orm import Session, sessionmaker
    from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 5000
log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
# SQLSTATEs of a transaction the server refused so that another could go on: run it again.
RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
RETRY_ATTEMPTS = 6  # then the user is told (WriteConflict); a pause of up to 20, 40, 80... ms between
RETRY_PAUSE_S = 0.02
# WriteConflict lives in store/errors.py, imported where needed: it imports SQLAlchemy, which
# check_file() and peek() run before (see above).


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
        # A connection the server dropped (restart, network) is replaced, not used: pinged
        # when it was idle a while (server.ping_when_idle); the last used is reused (LIFO).
        engine = create_engine(url, echo=echo, pool_use_lifo=True, connect_args=server.connect_args(url))
        server.ping_when_idle(engine)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    from winback_desktop.store import notices, portable

    notices.install(engine)  # each committed write tells the other desks (store/notices.py)
    portable.install(engine)  # no NUL characters in stored text, on both databases
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    # expire_on_commit=False: services hand out plain data built from rows after commit.
    return sessionmaker(engine, expire_on_commit=False)


def _write_options(dialect: str, serializable: bool = True) -> dict[str, Any]:
    # SQLite: BEGIN IMMEDIATE (``_sqlite_begin``); PostgreSQL: SERIALIZABLE (the docstring).
    if dialect == "sqlite":
        return {WRITE: True}
    return {WRITE: True, "isolation_level": "SERIALIZABLE" if serializable else "READ COMMITTED"}


def is_write_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` is the server refusing a transaction so another could go on (run it again)."""
    from winback_desktop.store.errors import WriteConflict

    if isinstance(exc, WriteConflict):
        return True
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) in RETRY_SQLSTATES


@contextmanager
def _conflicts_named() -> Iterator[None]:
    from winback_desktop.store.errors import WriteConflict

    try:
        yield
    except WriteConflict:
        raise
    except Exception as exc:
        if is_write_conflict(exc):
            raise WriteConflict(str(getattr(exc, "orig", exc)).strip()) from exc
        raise


@contextmanager
def transaction(factory: sessionmaker[Session], *, serializable: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (on SQLite, holding the
    write lock from the start: see ``_sqlite_begin``; on PostgreSQL, serializable, a refusal
    raised as :class:`WriteConflict`: see the module's docstring).

    ``serializable=False``: READ COMMITTED on PostgreSQL, for a unit whose every write is atomic
    and checked on its own — an upsert, an ``UPDATE … WHERE version = :v``, a row read ``FOR
    UPDATE`` before it is changed (services/calls/saves.py, services/roster/decisions.py). Such a
    unit is right without serializable checks, and is then never refused for another's sake:
    40 desks saving one note at once would otherwise run out of retries (a probe: 5 of 40)."""
    bind = factory.kw.get("bind")
    dialect = bind.dialect.name if bind is not None else "sqlite"
    with _conflicts_named(), factory() as session, session.begin():
        session.connection(execution_options=_write_options(dialect, serializable))
        yield session


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A Core connection in one write transaction: commit on success, roll back on any error (on
    SQLite, holding the write lock from the start: see ``_sqlite_begin``; on PostgreSQL,
    serializable, a refusal raised as :class:`WriteConflict`)."""
    with _conflicts_named(), engine.connect() as conn:
        conn.execution_options(**_write_options(engine.dialect.name))
        with conn.begin():
            yield conn


def retrying(unit: Callable[[], T], attempts: int = RETRY_ATTEMPTS) -> T:
    """``unit()``, run again when the server refused its transaction for another's sake
    (:func:`is_write_conflict`), up to ``attempts`` times in all, with a short random pause
    between; then :class:`WriteConflict`. ``unit`` must be safe to run again: its transactions
    roll back when refused, and it has no other side effect (see the module's docstring).
    On SQLite nothing is ever refused that way, so it runs once."""
    from winback_desktop.store.errors import WriteConflict

    for attempt in range(1, attempts + 1):
        try:
            return unit()
        except Exception as exc:
            if not is_write_conflict(exc):
                raise
            if attempt == attempts:
                if isinstance(exc, WriteConflict):
                    raise
                raise WriteConflict(str(getattr(exc, "orig", exc)).strip()) from exc
            log.info("write conflict (attempt %s of %s), running it again: %s", attempt, attempts, exc)
            time.sleep(random.uniform(0, RETRY_PAUSE_S * 2**attempt))  # noqa: S311 - a jitter
    raise AssertionError("unreachable")


def retried(fn: Callable[P, T]) -> Callable[P, T]:
    """Mark a service function whose whole run is safe to run again: :func:`retrying` runs it."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return retrying(lambda: fn(*args, **kwargs))

    return run


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
