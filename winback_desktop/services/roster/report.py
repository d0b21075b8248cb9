"""Who left and what they took: the lapsed list, volume departed per period, the roster CSV."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Numeric, func, select, type_coerce

from winback_desktop.files import atomic_write_csv
from winback_desktop.formats import iso_utc, yes_no
from winback_desktop.services.context import AppContext
from winback_desktop.services.roster.dates import (
    PERIODS,
    lapse_date,
    next_period,
    period_label,
    period_start,
)
from winback_desktop.services.roster.rank import priorities_as_of
from winback_desktop.services.roster.rules import lapsed as lapsed_clause
from winback_desktop.services.roster.rules import last_purchase_as_of, rule, value
from winback_desktop.store.models import Customer

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(slots=True)
class LapsedRow:
    id: int  # the customer's
    external_id: str
    company: str
    contact_name: str
    status: str
    last_purchase: dt.date  # the last purchase on or before the as-of date
    lapsed_on: dt.date  # the first day the rule counted them lapsed
    orders_count: int
    total_revenue: Decimal
    yearly_revenue: Decimal
    value_lost: Decimal
    priority: float
    priority_reason: str
    decision: str

    @property
    def value(self) -> Decimal:
        """The yearly business that left: yearly revenue, else the value lost."""
        return self.yearly_revenue if self.yearly_revenue > 0 else self.value_lost


@dataclass(slots=True)
class VolumeRow:
    period_label: str  # "2025-03" or "2025-Q1"
    customers: int  # how many customers lapsed in the period
    yearly_revenue: Decimal  # the yearly business that left with them
    start: dt.date  # the period's first day


def _dec(v: Decimal | None) -> Decimal:
    return ZERO if v is None else Decimal(v)


def lapsed(ctx: AppContext, as_of: dt.date | None = None, months: int | None = None) -> list[LapsedRow]:
    """Everyone the lapse rule counts as lapsed on ``as_of`` (any status), highest priority first.

    Ties go to the larger yearly business, then by company. The priority and its reason are
    the stored ones (see ``roster.refresh``, which ranks as of today with the setting), or, for
    another day or number of months, the ranking as of that day: "lapsed N months ago" counts
    from the as-of day.
    """
    r = rule(ctx, as_of, months)
    ranked = None if r == rule(ctx) else priorities_as_of(ctx, r)
    last = last_purchase_as_of(r).label("last")
    q = select(
        Customer.id,
        Customer.external_id,
        Customer.company,
        Customer.contact_name,
        Customer.status,
        last,
        Customer.orders_count,
        Customer.total_revenue,
        Customer.yearly_revenue,
        Customer.value_lost,
        Customer.priority,
        Customer.priority_reason,
        Customer.decision,
    )
    q = q.where(lapsed_clause(r, last.element))
    with ctx.sessions() as s:
        rows = s.connection().execute(q).all()
    lapse_on: dict[dt.date, dt.date] = {}
    out = []
    for cid, ext, company, contact, status, when, n, total, yearly, lost, prio, why, decision in rows:
        if ranked is not None:
            prio, why = ranked.get(cid, (prio, why))
        since = lapse_on.get(when)
        if since is None:
            since = lapse_on[when] = lapse_date(when, r.months)
        out.append(
            LapsedRow(
                cid,
                ext or "",
                company,
                contact or "",
                status,
                when,
                since,
                n or 0,
                total or ZERO,
                yearly or ZERO,
                lost or ZERO,
                prio or 0.0,
                why or "",
                decision,
            )
        )
    # Sorted here: SQLite would walk the priority index, reading the table in random order.
    out.sort(key=lambda x: (-x.priority, -float(x.value), x.company, x.id))
    return out


def volume_departed(
    ctx: AppContext, period: str = "month", as_of: dt.date | None = None, months: int | None = None
) -> list[VolumeRow]:
    """Per month or quarter: how many customers lapsed in it and the yearly business they took.

    A customer lapses on ``lapse_date(last purchase, months)``; everyone whose lapse date falls
    on or before ``as_of`` counts (win-backs since do not undo a departure). Periods run without
    gaps from the first with a departure to the one holding ``as_of``.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    r = rule(ctx, as_of, months)
    last = last_purchase_as_of(r).label("last")
    per_customer = select(last, value().element.label("v")).where(last.element < r.cutoff).subquery()
    # Grouped by day in SQL: at most a few thousand rows come back, whatever the roster's size.
    q = select(
        per_customer.c.last, func.count(), type_coerce(func.sum(per_customer.c.v), Numeric(18, 2))
    ).group_by(per_customer.c.last)
    counts: dict[dt.date, int] = defaultdict(int)
    sums: dict[dt.date, Decimal] = defaultdict(Decimal)
    with ctx.sessions() as s:
        for day, n, total in s.execute(q):
            start = period_start(lapse_date(day, r.months), period)
            counts[start] += n
            sums[start] += _dec(total)
    if not counts:
        return []
    out = []
    start, end = min(counts), period_start(r.as_of, period)
    while start <= end:
        out.append(VolumeRow(period_label(start, period), counts[start], sums[start].quantize(CENT), start))
        start = next_period(start, period)
    return out


EXPORT_COLUMNS = (
    "id",
    "external_id",
    "company",
    "contact_name",
    "contact_title",
    "phone",
    "email",
    "status",
    "segment",
    "owner",
    "first_purchase",
    "last_purchase",
    "orders_count",
    "total_revenue",
    "yearly_revenue",
    "value_lost",
    "priority",
    "priority_reason",
    "decision",
    "decision_reason",
    "decided_at",
    "verify_contact",
    "contact_verified_on",
    "notes",
)


def _text(v: object) -> str:
    return "" if v is None else str(v)


def _day(v: dt.date | None) -> str:
    return v.isoformat() if v else ""


def _converter(name: str) -> Callable[[Any], str]:
    """How one column's values become cells (chosen once per column, not per cell)."""
    kind = Customer.__table__.c[name].type.python_type
    if kind is dt.datetime:
        return iso_utc  # naive UTC in the database: the cell says so
    if kind is dt.date:
        return _day
    if kind is bool:
        return yes_no
    if kind is float:
        return lambda v: f"{v:.1f}" if v is not None else ""
    return _text  # text, integers, and Decimals (which come with their two places)


def export_customers(ctx: AppContext, out: Path) -> int:
    """Write the whole roster to ``out`` as CSV (formula-safe, atomic); returns the row count."""
    columns = [getattr(Customer, name) for name in EXPORT_COLUMNS]
    convert = [_converter(name) for name in EXPORT_COLUMNS]
    q = select(*columns).order_by(Customer.id)
    count = 0

    def rows() -> Iterator[list[str]]:
        nonlocal count
        for row in result:
            count += 1
            yield [f(v) for f, v in zip(convert, row, strict=True)]

    with ctx.sessions() as s:
        result = s.connection().execute(q)  # streamed into the file, not held in memory
        atomic_write_csv(Path(out), EXPORT_COLUMNS, rows())
    return count
