"""What the main window shows first, read before SQLAlchemy is loaded.

Importing SQLAlchemy and the models costs about 0.3 s at every start, twice what it takes to
bring up a bare Qt window. So the start-up paints the roster's first page (the default view:
every customer, highest priority first), its count, the filter lists and the caller boxes
from plain read-only queries (``store.connection.peek``), and loads SQLAlchemy afterwards;
the window then re-reads everything through the services (``MainWindow.attach``). User input
waits in Qt's queue until then, so nothing typed is lost.

Only a SQLite file at this version's schema is peeked (never on a team server: the file in
the data folder is then not the database in use); anything else (no file yet, a schema
to migrate, a damaged or locked file) returns None and the start takes the ordinary way.
The SQL here is plain and portable; tests check it gives exactly what ``roster_search`` gives.
Who is at this desk comes from the desk config (``desk.py``, no SQLAlchemy either); a desk that
has not yet taken the old ``current_user_id`` row shows that row, as the services will.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from winback_desktop import desk
from winback_desktop.paths import Paths
from winback_desktop.services.dto import FIELDS, PersonInfo, RosterRow, roster_row
from winback_desktop.store.connection import peek
from winback_desktop.store.migrate import shipped_head

DATES = {"last_purchase", "contact_verified_on"}
MONEY = {"total_revenue", "yearly_revenue", "value_lost"}  # Numeric(14, 2)
PAGE_SQL = f"SELECT {', '.join(FIELDS)} FROM customers ORDER BY priority DESC, id DESC LIMIT ?"
QUERIES = (
    "SELECT version_num FROM alembic_version",
    "SELECT count(*) FROM customers",
    PAGE_SQL,
    "SELECT id, name, title, role FROM people WHERE active ORDER BY name",
    "SELECT value FROM settings WHERE key = 'current_user_id'",  # the row before the desk config
    "SELECT DISTINCT segment FROM customers WHERE segment != '' ORDER BY segment",
    "SELECT DISTINCT owner FROM customers WHERE owner != '' ORDER BY owner",
)


@dataclass(frozen=True)
class FirstPaint:
    rows: list[RosterRow]  # the default view's first page
    total: int  # every customer
    people: list[PersonInfo]  # active people, by name
    current_user: str  # the person id this desk remembers ("" when none)
    segments: list[str]  # the filter lists
    owners: list[str]


def _value(name: str, raw: Any) -> object:
    """A column as SQLAlchemy's SQLite dialect would return it (dates, two-place decimals).

    ``raw`` is whatever SQLite stored; a value of the wrong kind raises TypeError or ValueError."""
    if raw is None:
        return None
    if name in DATES:
        return dt.date.fromisoformat(raw)
    if name in MONEY:
        return Decimal(f"{raw:.2f}")
    return raw


def _current_user(paths: Paths, legacy: list[tuple[Any, ...]]) -> str:
    """Who this desk remembers; before it has taken the old settings row, that row."""
    config, database = desk.load(paths), desk.database_key(paths)
    if config.knows(database):
        person_id = config.current_user(database)
        return "" if person_id is None else str(person_id)
    return str(legacy[0][0]).strip() if legacy and legacy[0][0] is not None else ""


def read_first_paint(paths: Paths, limit: int) -> FirstPaint | None:
    """The first screen's data, or None when the ordinary start must read it."""
    head = shipped_head()
    if head is None or paths.on_server:  # a team server: no file to peek (the desk's own may
        return None  # be there, but it is not the database this start opens)
    found = peek(paths.database, [(sql, (limit,) if sql is PAGE_SQL else ()) for sql in QUERIES])
    if found is None:
        return None
    version, count, page, people, setting, segments, owners = found
    if version != [(head,)]:
        return None  # a schema to migrate (or a newer one to refuse): the ordinary start
    try:
        rows = [roster_row([_value(n, v) for n, v in zip(FIELDS, r, strict=True)]) for r in page]
    except (TypeError, ValueError):  # a value SQLAlchemy would also choke on: let it report it
        return None
    return FirstPaint(
        rows=rows,
        total=count[0][0],
        people=[PersonInfo(*p) for p in people],
        current_user=_current_user(paths, setting),
        segments=[v for (v,) in segments],
        owners=[v for (v,) in owners],
    )
