"""What a purchase is: the one definition the lapse rule, the ranking and the import's figures use.

An **order** is the lines one customer has under one order ref, or a single line without a ref.
Its **amount** is the sum of its lines (rounded to cents, so float noise in a stored sum is not
a purchase), and its **day** is its first line's day: a refund or credit note booked later under
the same ref never moves the order's day.

A **purchase** is an order whose amount is positive. So:

* a line of zero or a negative line without a ref (a credit note, a refund) is no purchase;
* an order fully refunded under its own ref (lines netting to zero or less) is no purchase, on
  any day, also for an ``--as-of`` before the refund: the desk counts what the customer kept;
* a customer whose lines are all zero or negative has no last purchase, so is never lapsed by
  the rule and never counted in the volume departed.

The **last purchase** is the latest purchase's day (``customers.last_purchase`` stores it for
all orders; :func:`last_purchase_on_or_before` reads it for a day in the past), the **first
purchase** the earliest, the **purchases** their number. Revenue (total, yearly) sums every line,
refunds included. ``tests/services/roster/test_purchases.py`` checks the SQL against a plain
Python reading of the same words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select

from winback_desktop.store.models import Order

ORDERS = Order.__table__


def order_key() -> tuple[ColumnElement[Any], ...]:
    """GROUP BY columns that make one group per order: the ref, or the line itself without one."""
    o = ORDERS.c
    return o.customer_id, o.order_ref, case((o.order_ref.is_(None), o.id))


def order_amount() -> ColumnElement[Any]:
    """An order's amount (an aggregate over its lines), rounded to cents."""
    return func.round(func.sum(ORDERS.c.amount), 2)


def order_day() -> ColumnElement[dt.date]:
    """An order's day (an aggregate over its lines): its first line's."""
    return func.min(ORDERS.c.order_date)


def orders(*where: ColumnElement[bool]) -> Select[Any]:
    """One row per order of the lines matching ``where``: customer_id, day, amount."""
    return (
        select(ORDERS.c.customer_id, order_day().label("day"), order_amount().label("amount"))
        .where(*where)
        .group_by(*order_key())
    )


def is_purchase(amount: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether an order of ``amount`` (see :func:`order_amount`) is a purchase."""
    return amount > 0


def last_purchase_on_or_before(customer_id: ColumnElement[int], day: dt.date) -> ColumnElement[dt.date]:
    """A correlated scalar subquery: the customer's last purchase on or before ``day`` (or NULL)."""
    o = ORDERS.c
    first = order_day()
    return (
        select(first)
        .where(o.customer_id == customer_id)
        .group_by(o.order_ref, case((o.order_ref.is_(None), o.id)))
        .having(is_purchase(order_amount()), first <= day)
        .order_by(first.desc())
        .limit(1)
        .scalar_subquery()
    )
