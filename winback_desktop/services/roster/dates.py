"""Calendar-month arithmetic for the lapse rule: pure functions, no database.

The rule: a customer is lapsed on ``as_of`` when their last purchase falls before
``months_before(as_of, n)``, i.e. more than ``n`` calendar months before ``as_of``. Month ends
clamp: 31 August minus six months is 28 February (29 in a leap year).
"""

from __future__ import annotations

import calendar
import datetime as dt

PERIODS = ("month", "quarter")


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    """(year, month) moved by ``months`` (negative: earlier)."""
    year, month0 = divmod(year * 12 + month - 1 + months, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"{months:+d} months from {year:04d}-{month:02d} is outside the calendar")
    return year, month0 + 1


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` calendar months earlier, the day clamped to the month's end.

    ``months_before(date(2024, 8, 31), 6) == date(2024, 2, 29)``; a negative ``months`` moves
    later. Raises ValueError only when the result would fall outside years 1 to 9999.
    """
    year, month = _shift(day.year, day.month, -months)
    return dt.date(year, month, min(day.day, _days_in(year, month)))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` calendar months later (clamped like :func:`months_before`)."""
    return months_before(day, -months)


def is_lapsed(last_purchase: dt.date, as_of: dt.date, months: int) -> bool:
    """The lapse rule for one customer."""
    return last_purchase < months_before(as_of, months)


def lapse_date(last_purchase: dt.date, months: int) -> dt.date:
    """The first day on which a customer whose last purchase was ``last_purchase`` is lapsed.

    The smallest ``d`` with ``is_lapsed(last_purchase, d, months)``: usually the day after the
    same day ``months`` later (15 Jan + 6 -> 16 Jul); a purchase on a month's last day, or on a
    day the target month lacks, lapses on the first of the month after (31 Aug + 6 -> 1 Mar).
    """
    year, month = _shift(last_purchase.year, last_purchase.month, months)
    day = last_purchase.day
    if day < _days_in(last_purchase.year, last_purchase.month) and day + 1 <= _days_in(year, month):
        return dt.date(year, month, day + 1)
    year, month = _shift(year, month, 1)
    return dt.date(year, month, 1)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (0 when ``later`` is not later)."""
    if later <= earlier:
        return 0
    k = (later.year - earlier.year) * 12 + later.month - earlier.month
    if months_before(later, k) < earlier:
        k -= 1
    return k


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the month or quarter holding ``day``."""
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


def next_period(start: dt.date, period: str) -> dt.date:
    return add_months(start, 1 if period == "month" else 3)


def period_label(start: dt.date, period: str) -> str:
    """'2025-03' for a month, '2025-Q1' for a quarter."""
    if period == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"


def parse_date(text: str) -> dt.date:
    """An ISO date (2025-03-31, or compact 20250331); ValueError with a readable message."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-03-31") from None
