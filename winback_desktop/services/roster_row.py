"""One customer as the roster shows it: plain data, importable without SQLAlchemy (the first
paint at start-up builds these from a plain read; see services/first_paint.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(slots=True)
class RosterRow:
    id: int
    external_id: str
    company: str
    contact_name: str
    phone: str
    email: str
    status: str
    segment: str
    owner: str
    last_purchase: dt.date | None
    orders_count: int
    total_revenue: Decimal
    yearly_revenue: Decimal
    value_lost: Decimal
    priority: float
    priority_reason: str
    decision: str
    decision_reason: str
    verify_contact: bool
    contact_verified_on: dt.date | None

    @property
    def value(self) -> Decimal:
        """The yearly business they stand for: yearly revenue, else the value lost."""
        return self.yearly_revenue if self.yearly_revenue > 0 else self.value_lost


FIELDS = tuple(f.name for f in fields(RosterRow))


def roster_row(v: Sequence) -> RosterRow:
    """A row from the customers table's columns in :data:`FIELDS` order; NULL reads as empty."""
    return RosterRow(
        v[0],
        v[1] or "",
        v[2],
        v[3] or "",
        v[4] or "",
        v[5] or "",
        v[6],
        v[7] or "",
        v[8] or "",
        v[9],
        int(v[10] or 0),
        v[11] if v[11] is not None else ZERO,
        v[12] if v[12] is not None else ZERO,
        v[13] if v[13] is not None else ZERO,
        float(v[14] or 0),
        v[15] or "",
        v[16],
        v[17] or "",
        bool(v[18]),
        v[19],
    )
