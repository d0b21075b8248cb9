"""The start of the day's re-ranking: on a desk's own file at every start, as always; on a team
database once per team per day, not on every desk's start.

At the start of a day customers lapse and priorities shift (:func:`refresh`), about a second of
work at 100,000 customers. A desk's own SQLite file is re-ranked each time the app starts (the
refresh job, ui/roster/ranking.py). On a team server twenty desks starting at nine would each
re-rank the same rows: the first desk to start takes a PostgreSQL advisory lock for the team
database and re-ranks, then records the day in the ``team_ranked_on`` setting; a desk starting
while it runs finds the lock taken and leaves it, one starting after finds the day recorded.
Re-ranking asked for by hand (F5, a new lapse rule) always runs: that is :func:`refresh` itself.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import text

from winback_desktop.services import settings
from winback_desktop.services.context import AppContext
from winback_desktop.services.roster import refresh

log = logging.getLogger(__name__)
RANK_LOCK = 0x5742524B  # pg advisory lock key of the daily re-rank ("WBRK"); per database


def _check_day(day: str) -> str:
    return dt.date.fromisoformat(day).isoformat() if day else ""


# The day the team database was last re-ranked at a desk's start (ISO date; "" never).
RANKED_ON: settings.Setting[str] = settings.Setting("team_ranked_on", "", _check_day, str)


def ranked_on(ctx: AppContext) -> dt.date | None:
    day = settings.get(ctx, RANKED_ON)
    return dt.date.fromisoformat(day) if day else None


def daily_refresh(ctx: AppContext, today: dt.date | None = None) -> tuple[int, int] | None:
    """Statuses and priorities brought up to date for the day (:func:`refresh`), or None when
    another desk of the team has done it today or is doing it now (a team database only)."""
    if ctx.engine.dialect.name != "postgresql":
        return refresh(ctx, today)
    if ctx.read_only is not None:  # e.g. behind this version's schema: its owner upgrades it first
        return None
    day = today or dt.date.today()
    # A session lock on a connection of its own, held while the ranking's transactions run.
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
        if not lock.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": RANK_LOCK}):
            log.info("another desk is re-ranking the team database: not again")
            return None
        try:
            if ranked_on(ctx) == day:
                log.info("the team database was re-ranked today already (%s)", day)
                return None
            changed = refresh(ctx, today)
            settings.put(ctx, RANKED_ON, day.isoformat())
            return changed
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": RANK_LOCK})
