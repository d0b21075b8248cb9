"""The lapse rule as dialect-neutral SQL expressions, shared by the roster services.

Who counts as lapsed on a date ``as_of`` (``cutoff = months_before(as_of, months)``):

* their last purchase *as of that date* is before ``cutoff``. That is ``last_purchase`` when it
  is not after ``as_of``; for an ``as_of`` in the past, the latest purchase on or before it (so
  ``--as-of`` in the past works without any stored status). What a purchase is (an order with a
  positive amount; refunds and credit notes are none) is defined once, in ``purchases``;
* and they were not won back on a call (a completed call with outcome ``won_back``) between
  ``cutoff`` and ``as_of``: a win-back restarts the clock like a purchase. A won-back customer
  therefore lapses again when neither a purchase nor a win-back falls in the last N months.

Customers without any purchase date are never lapsed by the rule: among them those whose only
lines are zero or negative. A customer marked ``lost`` by hand is "departed" whatever the dates
say (see :func:`departed`), and so is one a CRM file stated as lapsed without a date, as long as
no order history says otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Float, Select, and_, case, exists, func, or_, select, type_coerce
from sqlalchemy.sql.elements import KeyedColumnElement

from winback_desktop.services import clock, settings
from winback_desktop.services.context import AppContext
from winback_desktop.services.roster import purchases
from winback_desktop.services.roster.dates import months_before
from winback_desktop.store.models import Call, Customer, Order

MAX_MONTHS = settings.LAPSE_MONTHS_MAX


@dataclass(frozen=True)
class Rule:
    as_of: dt.date
    months: int
    cutoff: dt.date  # lapsed when the last purchase is before this day
    win_backs: bool = True  # some call won a customer back from cutoff to as_of (looked up once)


check_months = settings.check_lapse_months  # the setting owns what a lapse period may be
lapse_months = settings.lapse_months


def rule(ctx: AppContext, as_of: dt.date | None = None, months: int | None = None) -> Rule:
    as_of = as_of or dt.date.today()
    months = lapse_months(ctx) if months is None else check_months(months)
    cutoff = months_before(as_of, months)
    with ctx.sessions() as s:
        win = s.scalar(select(Call.id).where(_won_back(cutoff, as_of)).limit(1))
    return Rule(as_of, months, cutoff, win is not None)


def last_purchase_as_of(r: Rule) -> ColumnElement[dt.date]:
    """The customer's last purchase on or before ``r.as_of`` (NULL when none is known).

    The stored ``last_purchase`` is the last purchase over all orders (the import's figures keep
    it by the same definition), so the orders are read only for customers whose last purchase is
    after ``as_of`` (or unknown). Being an expression, it also keeps SQLite from reading most of
    the table through the last-purchase index (random order, several times slower than a scan)
    when most customers match.
    """
    from_orders = purchases.last_purchase_on_or_before(Customer.__table__.c.id, r.as_of)
    return case((Customer.last_purchase <= r.as_of, Customer.last_purchase), else_=from_orders)


def _won_back(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    """A call that won its customer back on a local day from ``start`` to ``end`` (inclusive)."""
    when = func.coalesce(Call.ended_at, Call.started_at)
    lo, hi = clock.local_day_bounds(start, (end - start).days + 1)
    return and_(Call.status == "completed", Call.outcome == "won_back", when >= lo, when < hi)


def won_back_customers(r: Rule) -> Select[int]:
    """The customers some call won back from ``r.cutoff`` to ``r.as_of`` (once per such call)."""
    return select(Call.customer_id).where(_won_back(r.cutoff, r.as_of))


def lapsed(r: Rule, last: ColumnElement[dt.date] | None = None) -> ColumnElement[bool]:
    """The lapse rule as a WHERE clause (NULL, i.e. false, for customers without dates).

    "Not won back since the cutoff" is ``id NOT IN (the won-back customers)``, an uncorrelated
    subquery each database reads once: SQLite into an ephemeral index, PostgreSQL into a hashed
    subplan (the won-back calls of one lapse period are a few thousand ids at most, far inside
    ``work_mem``). Written as a correlated ``NOT EXISTS``, PostgreSQL estimated 13 won-back calls
    where there were 828 and planned a nested-loop anti join comparing 47 million pairs (9 s at
    100,000 customers). ``calls.customer_id`` is NOT NULL, so ``NOT IN`` means "not among".
    """
    last = last_purchase_as_of(r) if last is None else last
    if not r.win_backs:
        return last < r.cutoff
    return and_(last < r.cutoff, Customer.id.not_in(won_back_customers(r)))


def departed(r: Rule) -> ColumnElement[bool]:
    """Whom to win back: marked lost, lapsed by the rule, or stored as lapsed with no dates and
    no order history (a CRM's word; lines that are all refunds make no one departed)."""
    return or_(
        Customer.status == "lost",
        lapsed(r),
        and_(
            Customer.status == "lapsed",
            Customer.last_purchase.is_(None),
            ~exists().where(Order.customer_id == Customer.id),
        ),
    )


def value() -> KeyedColumnElement[float]:
    """The yearly business a customer stands for: yearly revenue, else the value lost."""
    expr = case((Customer.yearly_revenue > 0, Customer.yearly_revenue), else_=Customer.value_lost)
    return type_coerce(expr, Float).label("value")
