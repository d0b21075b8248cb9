"""Every committed write leaves a notice of the tables it wrote, for the other desks to hear.

Each engine made by ``store.connection.make_engine`` is marked here: while a transaction runs,
the statements it sends are read for the table they write (``INSERT INTO t``, ``UPDATE t``,
``DELETE FROM t``: a regular expression on SQLAlchemy's cached text, about a microsecond a
statement); just before it commits, the notice goes out in the same transaction, so it is
there exactly when the write is:

* on PostgreSQL, ``pg_notify(CHANNEL, payload)``: every desk LISTENing hears it once the
  transaction commits (one more statement, no extra lock);
* on SQLite (no NOTIFY: another process on the same file, a child job), the notice is
  appended to a short log kept in one ``settings`` row (:data:`LOG_KEY`), written while the
  transaction already holds the write lock; readers poll ``PRAGMA data_version`` (free) and
  read the row only when it moved. No migration: the row is an ordinary setting no screen lists.

A payload is ``{"o": origin, "t": [tables]}``: the origin is the engine's own random id, so a
desk skips what it wrote itself (its screens heard of it already). Heartbeats
(``UPDATE call_presence``) leave no notice: they change nothing anyone sees. The tables are
turned into the kinds of change the screens know by ``services/team/feed.py`` (the store does
not know them). The notice is bookkeeping: when it cannot be written the write still commits
(logged), and a reader that finds the log moved on past what it saw hears "everything".
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sqlite3
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

CHANNEL = "winback_changes"
LOG_KEY = "desk.changes"  # the settings row holding SQLite's log of notices
LOG_LENGTH = 64  # notices kept; a reader further behind hears "everything changed"
_TABLES = "winback_tables"  # key in the DBAPI connection's info: tables written, this transaction
_WRITE = re.compile(r"^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
_QUIET = {"call_presence": "UPDATE", "alembic_version": ""}  # heartbeats; the schema's revision

_origins: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def origin(engine: Engine) -> str:
    """The engine's own id in the notices it sends ('' for an engine that sends none)."""
    return _origins.get(engine, "")


def install(engine: Engine) -> str:
    """Have ``engine``'s committed writes leave notices; its origin id (once per engine)."""
    from sqlalchemy import event

    if engine in _origins:
        return _origins[engine]
    _origins[engine] = mark = secrets.token_hex(8)
    event.listen(engine, "before_cursor_execute", _seen)
    event.listen(engine, "commit", _commit)
    event.listen(engine, "rollback", _forget)
    return mark


def _written(statement: str) -> str | None:
    found = _WRITE.match(statement)
    if found is None:
        return None
    table = found.group(1).lower()
    quiet = _QUIET.get(table)
    if quiet is not None and (not quiet or statement.lstrip()[: len(quiet)].upper() == quiet):
        return None
    return table


def _seen(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    table = _written(statement)
    if table is not None:
        conn.connection.info.setdefault(_TABLES, set()).add(table)


def _forget(conn: Connection) -> None:
    # A connection the server dropped is invalidated: asking for its driver connection would
    # try to reconnect inside the failed transaction (and its notes go with it anyway).
    if not conn.invalidated:
        conn.connection.info.pop(_TABLES, None)


def _commit(conn: Connection) -> None:
    if conn.invalidated:
        return
    tables = conn.connection.info.pop(_TABLES, None)
    if not tables:
        return
    payload = json.dumps({"o": origin(conn.engine), "t": sorted(tables)}, separators=(",", ":"))
    raw = conn.connection.dbapi_connection
    if raw is None:
        return
    try:
        if conn.dialect.name == "postgresql":
            cur = raw.cursor()
            try:
                cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            finally:
                cur.close()
        elif conn.dialect.name == "sqlite":
            _append(raw, payload)
    except sqlite3.Error as exc:  # SQLite goes on after a failed statement: the write commits
        log.warning("the change notice of %s was not written (%s)", sorted(tables), exc)


def _append(raw: Any, payload: str) -> None:
    cur = raw.cursor()
    try:
        row = cur.execute("SELECT value FROM settings WHERE key = ?", (LOG_KEY,)).fetchone()
        seq, entries = _parse_log(row[0] if row else "")
        entries = [*entries, [seq + 1, payload]][-LOG_LENGTH:]
        value = json.dumps({"seq": seq + 1, "log": entries}, separators=(",", ":"))
        cur.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (LOG_KEY, value),
        )
    finally:
        cur.close()


def _parse_log(text: str) -> tuple[int, list[list[Any]]]:
    try:
        data = json.loads(text) if text else {}
        entries = [e for e in data.get("log", []) if isinstance(e, list) and len(e) == 2]
        return int(data.get("seq", 0)), entries
    except (ValueError, TypeError, AttributeError):
        return 0, []


@dataclass(frozen=True)
class Notice:
    """What one committed transaction wrote: the tables, and whose engine wrote them."""

    origin: str
    tables: frozenset[str]


EVERYTHING = Notice("", frozenset({"*"}))  # notices were missed: assume every table changed


def parse(payload: str) -> Notice:
    """A notice from its payload; a payload that is not one reads as "everything changed"."""
    try:
        data = json.loads(payload)
        return Notice(str(data["o"]), frozenset(str(t) for t in data["t"]))
    except (ValueError, TypeError, KeyError):
        log.warning("an unreadable change notice %r: reading everything again", payload[:80])
        return EVERYTHING


def read_log(conn: sqlite3.Connection, after: int | None) -> tuple[int, list[Notice]]:
    """SQLite's log: its latest number, and the notices after ``after`` (None: only the number).
    When notices after ``after`` were already dropped from the log, one :data:`EVERYTHING`."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (LOG_KEY,)).fetchone()
    seq, entries = _parse_log(row[0] if row else "")
    if after is None or seq <= after:
        return seq, []
    kept = [(int(n), str(p)) for n, p in entries if int(n) > after]
    if not kept or kept[0][0] != after + 1:
        return seq, [EVERYTHING]
    return seq, [parse(p) for _n, p in kept]


def tables_of(notices: Iterable[Notice], skip_origin: str) -> frozenset[str]:
    """The tables written by notices not from ``skip_origin``."""
    return frozenset(t for n in notices if n.origin != skip_origin or n is EVERYTHING for t in n.tables)


def listen_args(engine: Engine) -> tuple[Sequence[Any], dict[str, Any]]:
    """How to open one more driver connection to ``engine``'s server (for LISTEN): the dialect's
    own connect arguments, with the same timeout the engine uses."""
    from winback_desktop.store import server

    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    cparams = {**cparams, "connect_timeout": server.CONNECT_TIMEOUT_S, "application_name": "winback-listen"}
    return cargs, cparams
