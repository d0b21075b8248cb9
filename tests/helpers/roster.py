"""Helpers for the roster tests: customers, orders and won-back calls in a real database."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Call, Customer, Order


def add_customer(
    ctx,
    company: str = "Acme Ltd",
    *,
    last: dt.date | None = None,
    status: str = "active",
    yearly: str | int = 0,
    value_lost: str | int = 0,
    orders: int = 0,
    total: str | int = 0,
    segment: str = "",
    owner: str = "",
    external_id: str | None = None,
    contact: str = "",
    phone: str = "",
    email: str = "",
    notes: str = "",
) -> int:
    with transaction(ctx.sessions) as s:
        c = Customer(
            company=company,
            external_id=external_id,
            contact_name=contact,
            phone=phone,
            email=email,
            last_purchase=last,
            status=status,
            yearly_revenue=Decimal(yearly),
            value_lost=Decimal(value_lost),
            orders_count=orders,
            total_revenue=Decimal(total),
            segment=segment,
            owner=owner,
            notes=notes,
        )
        s.add(c)
        s.flush()
        return c.id


def add_orders(ctx, customer_id: int, *days: dt.date, amount: str = "100.00") -> None:
    with transaction(ctx.sessions) as s:
        s.add_all(Order(customer_id=customer_id, order_date=d, amount=Decimal(amount)) for d in days)


def add_won_back_call(ctx, customer_id: int, ended_at: dt.datetime) -> int:
    with transaction(ctx.sessions) as s:
        call = Call(
            customer_id=customer_id,
            status="completed",
            outcome="won_back",
            started_at=ended_at - dt.timedelta(minutes=20),
            ended_at=ended_at,
        )
        s.add(call)
        s.flush()
        return call.id


def get(ctx, customer_id: int) -> Customer:
    with ctx.sessions() as s:
        c = s.get(Customer, customer_id)
        assert c is not None
        s.expunge(c)
        return c


# --- an independent, deliberately naive model of the lapse rule, for cross-checks -------------


def naive_months_before(day: dt.date, months: int) -> dt.date:
    """Step back one month at a time, then clamp the day."""
    year, month = day.year, day.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def naive_lapse_date(last: dt.date, months: int) -> dt.date:
    """The first day, counting forward from ``last``, on which ``last`` is N months gone."""
    day = last
    while not last < naive_months_before(day, months):
        day += dt.timedelta(days=1)
    return day


# --- an independent, deliberately plain model of what a purchase is, for cross-checks ---------


def naive_purchase_days(lines) -> list[dt.date]:
    """The days of one customer's purchases, from (day, amount, ref) lines, read from the words:
    an order is a ref's lines or one line without a ref; its amount is the sum of its lines, its
    day its first line's; a purchase is an order with an amount above zero."""
    by_ref: dict[str, list] = {}
    orders = []
    for day, amount, ref in lines:
        if ref:
            by_ref.setdefault(ref, []).append((day, Decimal(amount)))
        else:
            orders.append((day, Decimal(amount)))
    for ref_lines in by_ref.values():
        orders.append((min(d for d, _a in ref_lines), sum((a for _d, a in ref_lines), Decimal(0))))
    return sorted(day for day, amount in orders if amount > 0)


def naive_last_purchase(lines, as_of: dt.date | None = None) -> dt.date | None:
    days = [d for d in naive_purchase_days(lines) if as_of is None or d <= as_of]
    return days[-1] if days else None
