"""How numbers and dates read in the UI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def money(value: Decimal | float | int | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):,.0f}"


def short_date(value: dt.date | None) -> str:
    return value.strftime("%d %b %Y") if value else "—"
