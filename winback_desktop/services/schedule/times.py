"""Times of scheduled calls, shared by booking (``schedule``) and the read side (``schedule_views``).

The store keeps naive UTC (see ``models.utcnow``). Callers pass a naive *local* or an aware
datetime; what the schedule hands out is *aware UTC*. Days ("today", an agenda's start) are the
user's local calendar days.
"""

from __future__ import annotations

import datetime as dt

from winback_desktop.services.vocab import ACTIVE_CALL_STATUSES

ACTIVE = ACTIVE_CALL_STATUSES  # calls that still take someone's time
DEFAULT_MINUTES = 30


# --- time ------------------------------------------------------------------------------------


def to_store(when: dt.datetime) -> dt.datetime:
    """A naive local or an aware datetime as the naive UTC the database keeps."""
    if not isinstance(when, dt.datetime):
        raise ValueError(f"a call needs a date and a time, not {when!r}")
    return when.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def from_store(t: dt.datetime | None) -> dt.datetime | None:
    """A stored naive UTC datetime as an aware UTC one."""
    return None if t is None else t.replace(tzinfo=dt.UTC)


def day_bounds(day: dt.date, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    """The stored-UTC bounds [start, end) of ``days`` local calendar days from ``day``."""
    start = dt.datetime.combine(day, dt.time())
    end = dt.datetime.combine(day + dt.timedelta(days=days), dt.time())
    return to_store(start), to_store(end)
