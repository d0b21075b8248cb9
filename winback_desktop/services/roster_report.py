"""Who left and what they took: the lapsed list, volume departed per period, the roster CSV."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Numeric, func, select, type_coerce

from winback_desktop.services.context import AppContext
from winback_desktop.services.export import write_csv_atomic
from winback_desktop.services.roster_dates import (
    PERIODS,
    lapse_date,
    next_period,
    period_label,
    period_start,
)
from winback_desktop.services.roster_rules import lapsed as lapsed_clause
from winback_desktop.services.roster_rules import last_purchase_as_of, rule, value
from winback_desktop.store.models import Customer

CENT = Decimal("0.01")


@dataclass(slots=True)
class LapsedRow:
    customer_id: int
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


def _dec(v) -> Decimal:
    return Decimal("0") if v is None else Decimal(v)


def lapsed(ctx: AppContext, as_of: dt.date | None = None, months: int | None = None) -> list[LapsedRow]:
    """Everyone the lapse rule counts as lapsed on ``as_of`` (any status), highest priority first.

    The priority and its reason are the stored ones (see ``roster.refresh``).
    """
    r = rule(ctx, as_of, months)
    last = last_purchase_as_of(r.as_of).label("last")
    q = (
        select(
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
        .where(lapsed_clause(r, last.element))
        .order_by(Customer.priority.desc(), value().desc(), Customer.company, Customer.id)
    )
    with ctx.sessions() as s:
        rows = s.connection().execute(q).all()
    lapse_on: dict[dt.date, dt.date] = {}
    out = []
    for x in rows:
        when = lapse_on.get(x.last)
        if when is None:
            when = lapse_on[x.last] = lapse_date(x.last, r.months)
        out.append(
            LapsedRow(
                x.id,
                x.external_id or "",
                x.company,
                x.contact_name or "",
                x.status,
                x.last,
                when,
                int(x.orders_count or 0),
                _dec(x.total_revenue),
                _dec(x.yearly_revenue),
                _dec(x.value_lost),
                float(x.priority or 0),
                x.priority_reason or "",
                x.decision,
            )
        )
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
    last = last_purchase_as_of(r.as_of).label("last")
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


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, dt.datetime):  # naive UTC in the database: say so
        return v.replace(tzinfo=dt.UTC).isoformat(timespec="seconds")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v.quantize(CENT))
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def export_customers(ctx: AppContext, out: Path) -> int:
    """Write the whole roster to ``out`` as CSV (formula-safe, atomic); returns the row count."""
    columns = [getattr(Customer, name) for name in EXPORT_COLUMNS]
    q = select(*columns).order_by(Customer.id)
    count = 0

    def rows():
        nonlocal count
        for row in result:
            count += 1
            yield [_cell(v) for v in row]

    with ctx.sessions() as s:
        result = s.execute(q)  # streamed into the file, not held in memory
        write_csv_atomic(Path(out), EXPORT_COLUMNS, rows())
    return count
