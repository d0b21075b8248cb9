"""How money and dates read, everywhere: screens, printed sheets, CSV cells, the CLI.

One home for the formats, so a date reads the same wherever it is shown. Two date styles are
kept on purpose: the screens' zero-padded ``08 Dec 2026`` (``strftime``) and the printed
sheets' ``8 Dec 2026`` / ``Tue 8 Dec 2026`` (fixed English names, whatever the locale).

A leaf module like ``paths.py``: no Qt, nothing of ours, so the UI (through ``ui/kit/format.py``),
the reports, the services and the CLI all use it. It formats values only: converting stored UTC
to local time is the caller's business (``services/clock.py``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_SHORT = tuple(name[:3] for name in MONTHS)  # Jan Feb ... Dec
DAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ---------------------------------------------------------------- money
def money(amount: object) -> str:
    """``1,234.50``: thousands separators and two decimals; anything else as plain text."""
    try:
        return f"{amount:,.2f}"
    except (TypeError, ValueError):
        return str(amount)


def money_whole(value: Decimal | float | int | None, *, empty: str = "—") -> str:
    """``1,234``: whole units with thousands separators (as the screens and the reasons say it)."""
    if value is None:
        return empty
    if isinstance(value, float):  # the ranking formats 100,000 of these: skip the Decimal (4x)
        return f"{value:,.0f}"
    return f"{Decimal(value):,.0f}"


# ---------------------------------------------------------------- dates
def short_date(value: dt.date | None, *, empty: str = "—") -> str:
    """``08 Dec 2026``, as the screens show a date."""
    return value.strftime("%d %b %Y") if value else empty


def short_date_time(value: dt.datetime) -> str:
    """``08 Dec 2026 14:05``."""
    return f"{value:%d %b %Y %H:%M}"


def iso_date_time(value: dt.datetime) -> str:
    """``2026-12-08 14:05``, as the CLI and the import summary print a moment."""
    return f"{value:%Y-%m-%d %H:%M}"


def day_month_year(d: dt.date | None, *, weekday: bool = False) -> str:
    """``8 Dec 2026``, or ``Tue 8 Dec 2026`` with ``weekday``, as printed; "" for None."""
    if d is None:
        return ""
    text = f"{d.day} {MONTHS_SHORT[d.month - 1]} {d.year}"
    return f"{DAYS_SHORT[d.weekday()]} {text}" if weekday else text


def day_month_year_time(t: dt.datetime, *, weekday: bool = False) -> str:
    """``8 Dec 2026, 14:05`` (``Tue 8 Dec 2026, 14:05`` with ``weekday``) of ``t`` as given."""
    return f"{day_month_year(t.date(), weekday=weekday)}, {t:%H:%M}"


def month_year(d: dt.date) -> str:
    """``December 2026``."""
    return f"{MONTHS[d.month - 1]} {d.year}"


def count(n: int, one: str, many: str | None = None) -> str:
    """``1 customer``, ``2 customers``, ``1,204 customers``: a number with its word agreeing;
    ``many`` for a plural that is not ``one`` + "s" ("1 person", "3 people")."""
    word = one if n == 1 else (many if many is not None else one + "s")
    return f"{n:,} {word}"


def months_ago(n: int) -> str:
    """``1 month ago``, ``7 months ago``."""
    return f"{n} month{'s' if n != 1 else ''} ago"


# ---------------------------------------------------------------- CSV cells
def iso_utc(value: dt.datetime | None) -> str:
    """A stored (naive UTC) time as ISO 8601 that says it is UTC: ``2026-12-08T14:05:00+00:00``."""
    return value.replace(tzinfo=dt.UTC).isoformat(timespec="seconds") if value else ""


def yes_no(value: bool | None) -> str:
    """``yes`` / ``no``, and "" when not known."""
    return "" if value is None else ("yes" if value else "no")
