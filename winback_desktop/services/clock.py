"""Time, in one place: naive UTC in the database, the user's local time on screen.

The store keeps naive UTC datetimes (``store.models.utcnow``); people think in local wall-clock
time and local calendar days. Three conventions keep the two apart:

* a naive datetime *from the user* (a dialog, the CLI, the sample data) is local wall-clock time;
* a naive datetime *from the store* is UTC;
* what services hand out is aware (UTC), so it cannot be mistaken for either.

Days ("today", an agenda's start, "done in the last 30 days") are the user's local calendar days;
:func:`local_day_bounds` turns them into the stored-UTC range to query. Calendar-month arithmetic
of the lapse rule (dates only, no time of day) stays in ``services/roster/dates.py``.
No Qt and no SQLAlchemy here: the UI, the CLI and the reports use it too.
"""

from __future__ import annotations

import datetime as dt
from typing import overload


def now() -> dt.datetime:
    """Now, aware UTC."""
    return dt.datetime.now(dt.UTC)


def utcnow() -> dt.datetime:
    """Now as the store keeps it (naive UTC); the same as ``store.models.utcnow``, for code
    that may not import the store (the UI)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """The user's local calendar day."""
    return dt.date.today()


def as_utc(when: dt.datetime) -> dt.datetime:
    """A naive local or an aware datetime as an aware UTC one."""
    return when.astimezone(dt.UTC)


def to_store(when: dt.datetime) -> dt.datetime:
    """A naive local or an aware datetime as the naive UTC the database keeps (whole seconds)."""
    if not isinstance(when, dt.datetime):  # every time a user types is a call's
        raise ValueError(f"a call needs a date and a time, not {when!r}")
    return as_utc(when).replace(tzinfo=None, microsecond=0)


@overload
def from_store(t: dt.datetime) -> dt.datetime: ...
@overload
def from_store(t: None) -> None: ...
def from_store(t: dt.datetime | None) -> dt.datetime | None:
    """A stored naive UTC datetime as an aware UTC one."""
    return None if t is None else t.replace(tzinfo=dt.UTC)


def to_local(t: dt.datetime) -> dt.datetime:
    """An aware datetime, or a naive one as the store keeps it (UTC), in local time (aware)."""
    return (t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)).astimezone()


def local_date(t: dt.datetime | None) -> dt.date | None:
    """The local calendar day of an aware or a stored (naive UTC) datetime."""
    return None if t is None else to_local(t).date()


def _day_start(day: dt.date) -> dt.datetime:
    """The first instant of the local ``day``, aware UTC.

    Where a clock change falls at midnight, local midnight is missing (the day starts at 01:00)
    or happens twice; of the two readings of 00:00 (``fold``), the day starts at the earlier one
    that is on that day.
    """
    midnight = dt.datetime.combine(day, dt.time())
    readings = sorted({as_utc(midnight.replace(fold=fold)) for fold in (0, 1)})
    return next((t for t in readings if t.astimezone().date() == day), readings[-1])


def local_day_bounds(day: dt.date, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    """The stored-UTC bounds [start, end) of ``days`` local calendar days from ``day``
    (23 or 25 hours across a clock change)."""
    start, end = _day_start(day), _day_start(day + dt.timedelta(days=days))
    return start.replace(tzinfo=None), end.replace(tzinfo=None)


def local_day_start(day: dt.date) -> dt.datetime:
    """The stored-UTC start of the local ``day``."""
    return local_day_bounds(day)[0]
