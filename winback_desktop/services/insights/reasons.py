"""What the calls taught us: why customers left, weighed by the business that left with them.

One set-based SQL aggregate per question (dialect-neutral: SQLite or PostgreSQL), plain
dataclasses out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Numeric, case, func, or_, select, true, type_coerce

from winback_desktop.services import clock
from winback_desktop.services.context import AppContext
from winback_desktop.store.models import Call, CallReason, Customer, DepartureReason
from winback_desktop.store.portable import text_order

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ReasonRevenue:
    reason_code: str
    label: str
    category: str
    calls: int  # calls that named it as the primary reason
    customers: int  # distinct customers on those calls
    yearly_revenue: Decimal  # their yearly business (yearly revenue, else value lost), each counted once


def _customer_value() -> ColumnElement[Decimal]:
    """A customer's yearly business: yearly revenue when known, else the value lost."""
    return case((Customer.yearly_revenue > 0, Customer.yearly_revenue), else_=Customer.value_lost)


def reasons_by_revenue(ctx: AppContext, since: dt.date | dt.datetime | None = None) -> list[ReasonRevenue]:
    """Per departure reason: calls naming it as primary, distinct customers, their yearly business.

    ``since`` keeps calls started (else scheduled) on or after that local day (or that time:
    naive local, or aware). Every active reason is
    listed, also with no calls; a retired one only when calls named it. Highest revenue first.
    """
    # Per (reason, customer): how many calls, and the customer's value once.
    per_customer = (
        select(
            CallReason.reason_id.label("reason_id"),
            Call.customer_id.label("customer_id"),
            func.count(Call.id).label("calls"),
            func.max(_customer_value()).label("value"),
        )
        .join(Call, Call.id == CallReason.call_id)
        .join(Customer, Customer.id == Call.customer_id)
        .where(CallReason.is_primary == true())
        .group_by(CallReason.reason_id, Call.customer_id)
    )
    if since is not None:
        start = clock.to_store(since) if isinstance(since, dt.datetime) else clock.local_day_start(since)
        per_customer = per_customer.where(func.coalesce(Call.started_at, Call.scheduled_at) >= start)
    pc = per_customer.subquery()
    calls = func.coalesce(func.sum(pc.c.calls), 0)
    customers = func.count(pc.c.customer_id)
    revenue = type_coerce(func.coalesce(func.sum(pc.c.value), 0), Numeric(18, 2))
    q = (
        select(
            DepartureReason.code,
            DepartureReason.label,
            DepartureReason.category,
            calls.label("calls"),
            customers.label("customers"),
            revenue.label("revenue"),
        )
        .outerjoin(pc, pc.c.reason_id == DepartureReason.id)
        .group_by(DepartureReason.id, DepartureReason.code, DepartureReason.label, DepartureReason.category)
        .having(or_(DepartureReason.active == true(), customers > 0))
        .order_by(revenue.desc(), calls.desc(), text_order(DepartureReason.code))
    )
    with ctx.sessions() as s:
        rows = s.execute(q).all()
    return [
        ReasonRevenue(
            code,
            label,
            category or "",
            int(n_calls or 0),
            int(n_customers or 0),
            Decimal(total or 0).quantize(CENT),
        )
        for code, label, category, n_calls, n_customers, total in rows
    ]
