"""The win-back priority: 0-100 from value, recency and frequency, with its reason in words.

Among the customers worth winning back (departed, not let go), each gets

    priority = 100 * (0.5 * value + 0.3 * recency + 0.2 * frequency)

* value: the mid-rank percentile of their yearly business (yearly revenue, else value lost);
* recency: 1 in the month they lapsed, halving over the first year after (1 / (1 + months / 12)
  in whole months, so priorities change when a month ticks over, not every day): recent
  lapses come back more often than old ones;
* frequency: the mid-rank percentile of their number of orders.

A zero value or zero orders scores 0 on that part. Let-go customers get 0 and "Let go: <why>";
customers who are not departed (active, or won back and not lapsed again) get 0 and a reason
saying so. One SELECT, the ranking in Python, then a bulk UPDATE of the rows that changed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Connection, Row, Select, Update, bindparam, case, func, select

from winback_desktop.formats import money_whole
from winback_desktop.services.changes import Change, reports
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import NotFound
from winback_desktop.services.roster.dates import is_lapsed, lapse_date, months_between
from winback_desktop.services.roster.rules import Rule, departed, last_purchase_as_of, rule, value
from winback_desktop.store.connection import retrying, transaction
from winback_desktop.store.models import Customer

WEIGHTS = (0.5, 0.3, 0.2)  # value, recency, frequency
REASON_MAX = 300  # the column's length
CHUNK = 20_000


@dataclass(frozen=True)
class Facts:
    """What the priority of one customer is computed from."""

    value: float
    yearly: bool  # the value is yearly revenue (else value lost)
    last_purchase: dt.date | None
    orders: int
    status: str
    departed: bool
    decision: str
    decision_reason: str


def let_go_reason(reason: str) -> str:
    return _clip(f"Let go: {' '.join(reason.split())}")


def _clip(text: str) -> str:
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


def _ago(months: int) -> str:
    if months < 1:
        return "less than a month ago"
    return "1 month ago" if months == 1 else f"{months} months ago"


def percentiles(values: Sequence[float]) -> dict[float, tuple[float, float]]:
    """For each value: (its mid-rank percentile, the share of values >= it), both 0-1."""
    ordered = sorted(values)
    n = len(ordered)
    out: dict[float, tuple[float, float]] = {}
    i = 0
    while i < n:
        v = ordered[i]
        j = i
        while j < n and ordered[j] == v:
            j += 1
        out[v] = ((i + (j - i) / 2) / n, (n - i) / n)
        i = j
    return out


def _value_part(value: float, yearly: bool, rank: tuple[float, float]) -> tuple[float, str]:
    if value <= 0:
        return 0.0, "no recorded value"
    amount = f"{money_whole(value)} a year" if yearly else f"{money_whole(value)} lost"
    share = max(1, math.ceil(rank[1] * 100))
    return rank[0], (f"top {share}% by value ({amount})" if share <= 50 else f"value {amount}")


def _recency_part(last: dt.date | None, status: str, r: Rule) -> tuple[float, str]:
    if last is None:
        return 0.3, "no purchase date"
    if is_lapsed(last, r.as_of, r.months):
        # Whole months, like the reason: priorities move when a month ticks over, not daily.
        months = months_between(lapse_date(last, r.months), r.as_of)
        return 1 / (1 + months / 12), f"lapsed {_ago(months)}"
    # Marked lost although they bought recently, or won back and then lapsed by the calendar.
    return 1.0, f"marked {status.replace('_', ' ')}; last purchase {_ago(months_between(last, r.as_of))}"


def _orders_part(orders: int, rank: tuple[float, float]) -> tuple[float, str]:
    if orders <= 0:
        return 0.0, ""
    return rank[0], ("1 order" if orders == 1 else f"{orders:,} orders")


def _not_ranked(f: Facts, r: Rule) -> tuple[float, str] | None:
    """(0, why) for customers outside the ranking; None for those it ranks."""
    if f.decision == "let_go":
        return 0.0, let_go_reason(f.decision_reason)
    if f.departed:
        return None
    if f.status == "won_back":
        return 0.0, "Won back, not lapsed again"
    if f.last_purchase is None:
        return 0.0, "No purchase date"
    return 0.0, f"Active: last purchase {_ago(months_between(f.last_purchase, r.as_of))}"


def _combine(
    value: tuple[float, str], recency: tuple[float, str], orders: tuple[float, str]
) -> tuple[float, str]:
    wv, wr, wf = WEIGHTS
    priority = round(100 * (wv * value[0] + wr * recency[0] + wf * orders[0]), 1)
    reason = "; ".join(t for t in (value[1], recency[1], orders[1]) if t)
    return priority, _clip(reason[0].upper() + reason[1:])


def score(
    f: Facts, r: Rule, value_rank: tuple[float, float], order_rank: tuple[float, float]
) -> tuple[float, str]:
    """(priority, reason) for one customer, given the percentiles of its value and orders."""
    fixed = _not_ranked(f, r)
    if fixed is not None:
        return fixed
    return _combine(
        _value_part(f.value, f.yearly, value_rank),
        _recency_part(f.last_purchase, f.status, r),
        _orders_part(f.orders, order_rank),
    )


def _facts_query(r: Rule) -> Select[*tuple[Any, ...]]:
    return select(
        Customer.id,
        value(),
        (Customer.yearly_revenue > 0).label("yearly"),
        last_purchase_as_of(r).label("last_purchase"),  # as of the rule's day, like the lapse
        Customer.orders_count,
        Customer.status,
        case((departed(r), 1), else_=0).label("departed"),
        Customer.decision,
        Customer.decision_reason,
        Customer.priority,
        Customer.priority_reason,
    )


def _facts(row: Row[*tuple[Any, ...]]) -> Facts:
    return Facts(
        float(row.value or 0),
        bool(row.yearly),
        row.last_purchase,
        int(row.orders_count or 0),
        row.status,
        bool(row.departed),
        row.decision,
        row.decision_reason,
    )


@reports(Change.CUSTOMERS)
def refresh_priorities(ctx: AppContext, as_of: dt.date | None = None, months: int | None = None) -> int:
    """Recompute every customer's priority and reason; returns how many changed."""
    r = rule(ctx, as_of, months)
    with ctx.sessions() as s:
        rows = s.connection().execute(_facts_query(r)).all()
    changes = _changes(rows, r)
    _write(ctx, changes)
    return len(changes)


def rerank(conn: Connection, r: Rule) -> int:
    """:func:`refresh_priorities` inside the caller's write transaction (an import's undo)."""
    changes = _changes(conn.execute(_facts_query(r)).all(), r)
    if changes:
        conn.execute(_update(), changes)
    return len(changes)


def _changes(rows: Sequence[Row[*tuple[Any, ...]]], r: Rule) -> list[dict[str, Any]]:
    return [
        {"cid": row[0], "seen": row[7], "p": new[0], "why": new[1]}
        for row, new in zip(rows, _rank(rows, r), strict=True)
        if new[0] != row[9] or new[1] != row[10]
    ]


def priorities_as_of(ctx: AppContext, r: Rule) -> dict[int, tuple[float, str]]:
    """Every customer's (priority, reason) under the rule ``r``, computed, not stored: what the
    ranking would say on another day (``winback lapsed --as-of``), months counted from that day."""
    with ctx.sessions() as s:
        rows = s.connection().execute(_facts_query(r)).all()
    return {row[0]: new for row, new in zip(rows, _rank(rows, r), strict=True)}


def _rank(rows: Sequence[Row[*tuple[Any, ...]]], r: Rule) -> list[tuple[float, str]]:
    """(priority, reason) for each row of :func:`_facts_query`, in order."""
    # The ranked: departed and not let go. Each part is computed once per distinct input.
    ranked = [x for x in rows if x[6] and x[7] != "let_go"]
    value_ranks = percentiles([float(x[1] or 0) for x in ranked])
    order_ranks = percentiles([float(x[4] or 0) for x in ranked])
    recency_parts: dict[tuple, tuple[float, str]] = {}
    order_parts: dict[int, tuple[float, str]] = {}
    fixed: dict[tuple, tuple[float, str]] = {}
    out: list[tuple[float, str]] = []
    for _cid, v, yearly, last, n, status, dep, decision, why_let_go, _old, _old_why in rows:
        if dep and decision != "let_go":
            v, n = float(v or 0), int(n or 0)
            rec = recency_parts.get((last, status))
            if rec is None:
                rec = recency_parts[(last, status)] = _recency_part(last, status, r)
            orders = order_parts.get(n)
            if orders is None:
                orders = order_parts[n] = _orders_part(n, order_ranks.get(float(n), (0.0, 0.0)))
            new = _combine(_value_part(v, bool(yearly), value_ranks[v]), rec, orders)
        else:
            key = (last, status, bool(dep), decision, why_let_go)
            known = fixed.get(key)
            if known is None:
                facts = Facts(0.0, False, last, 0, status, bool(dep), decision, why_let_go)
                known = fixed[key] = _not_ranked(facts, r) or (0.0, "")
            new = known
        out.append(new)
    return out


def _update() -> Update:
    t = Customer.__table__
    # The decision is checked again: one taken meanwhile (decide() writes its own priority) wins.
    return (
        t.update()
        .where(t.c.id == bindparam("cid"), t.c.decision == bindparam("seen"))
        .values(priority=bindparam("p"), priority_reason=bindparam("why"))
    )


def _write(ctx: AppContext, changes: list[dict[str, Any]]) -> None:
    stmt = _update()

    def chunk(rows: list[dict[str, Any]]) -> None:
        with transaction(ctx.sessions) as s:
            s.connection().execute(stmt, rows)

    for i in range(0, len(changes), CHUNK):
        # The same values again: safe to run again when a team server refuses it for a desk's sake.
        retrying(partial(chunk, changes[i : i + CHUNK]))


@reports(Change.CUSTOMERS)
def rescore(ctx: AppContext, customer_id: int, as_of: dt.date | None = None) -> tuple[float, str]:
    """Recompute one customer's priority against everyone else's (after a decision changes)."""
    r = rule(ctx, as_of)
    with ctx.sessions() as s:
        row = s.execute(_facts_query(r).where(Customer.id == customer_id)).one_or_none()
        if row is None:
            raise NotFound("customer", customer_id)
        f = _facts(row)
        fixed = _not_ranked(f, r)
        if fixed is not None:
            agg = (0, 0, 0, 0, 0)
        else:
            v = value()
            pool = (
                select(v.element.label("v"), Customer.orders_count.label("n"))
                .where(departed(r), Customer.decision != "let_go", Customer.id != customer_id)
                .subquery()
            )
            agg = s.execute(
                select(
                    func.count(),
                    func.sum(case((pool.c.v < f.value, 1), else_=0)),
                    func.sum(case((pool.c.v == f.value, 1), else_=0)),
                    func.sum(case((pool.c.n < f.orders, 1), else_=0)),
                    func.sum(case((pool.c.n == f.orders, 1), else_=0)),
                )
            ).one()
    n, v_less, v_eq, o_less, o_eq = (int(x or 0) for x in agg)
    n += 1  # this customer too
    v_eq += 1
    o_eq += 1
    new = score(f, r, ((v_less + v_eq / 2) / n, (n - v_less) / n), ((o_less + o_eq / 2) / n, 0.0))
    with transaction(ctx.sessions) as s:
        t = Customer.__table__
        s.execute(t.update().where(t.c.id == customer_id).values(priority=new[0], priority_reason=new[1]))
    return new
