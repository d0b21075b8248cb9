"""Rescue cycles: a month or a quarter of win-back calls.

A cycle takes customers from the ranked roster — pursue only, lapsed or lost, not already in
another open cycle — highest priority first. Each executive gets the cycle's quota (1-10) of the
highest-ranked ones, with their partner; the rest are spread over the recovery callers. The
cycle's progress is counted from calls and attempts in its date window (progress.py).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Exists, Row, ScalarSelect, Select, exists, func, insert, select
from sqlalchemy.orm import Session

from winback_desktop.formats import month_year
from winback_desktop.services import clock
from winback_desktop.services.changes import Change, reports
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import NotFound, get_or_raise
from winback_desktop.services.vocab import CustomerStatus
from winback_desktop.store.connection import retried, transaction
from winback_desktop.store.models import (
    Customer,
    CycleAssignment,
    Person,
    RescueCycle,
)

QUOTA_MIN, QUOTA_MAX = 1, 10
KINDS = ("month", "quarter")
ELIGIBLE_STATUSES = (CustomerStatus.LAPSED, CustomerStatus.LOST)


@dataclass(frozen=True)
class CycleInfo:
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    executive_quota: int
    status: str  # open / closed
    assigned: int  # customers in the cycle


@dataclass(frozen=True)
class FillShare:
    """What one person got from a fill."""

    person_id: int
    name: str
    kind: str  # executive / caller
    partner_id: int | None
    partner_name: str
    added: int  # customers given in this fill
    total: int  # customers they now have in the cycle


@dataclass(frozen=True)
class FillSummary:
    cycle_id: int
    quota: int  # customers per executive
    shares: list[FillShare]
    added: int  # customers assigned by this fill
    remaining: int  # eligible customers still in no open cycle

    @property
    def executives_short(self) -> list[FillShare]:
        """Executives left below the quota because the roster ran out of eligible customers."""
        return [s for s in self.shares if s.kind == "executive" and s.total < self.quota]


# --- dates ---------------------------------------------------------------------------------------


def cycle_dates(kind: str, day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day of the month or quarter holding ``day`` (default today)."""
    day = day or clock.today()
    if kind == "month":
        first_month = day.month
        months = 1
    elif kind == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        months = 3
    else:
        raise ValueError(f"a cycle is a month or a quarter, not {kind!r}")
    start = dt.date(day.year, first_month, 1)
    after = first_month + months
    end = dt.date(day.year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def cycle_name(kind: str, day: dt.date | None = None) -> str:
    """A default name: "June 2025" or "Q2 2025"."""
    start, _ = cycle_dates(kind, day)
    if kind == "month":
        return month_year(start)
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


# --- cycles --------------------------------------------------------------------------------------


def _quota(quota: int) -> int:
    if isinstance(quota, bool) or not isinstance(quota, int) or not QUOTA_MIN <= quota <= QUOTA_MAX:
        raise ValueError(
            f"an executive takes {QUOTA_MIN} to {QUOTA_MAX} customers per cycle; {quota!r} is not allowed"
        )
    return quota


@reports(Change.CYCLES)
@retried  # a team server may refuse it for another desk\'s sake: run again
def create_cycle(
    ctx: AppContext, name: str, starts_on: dt.date, ends_on: dt.date, executive_quota: int
) -> int:
    """A new open cycle; returns its id."""
    name = " ".join(str(name or "").split())
    if not name:
        raise ValueError("a rescue cycle needs a name (e.g. 'June 2025')")
    if len(name) > 120:
        raise ValueError("a cycle's name is at most 120 characters")
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise ValueError("a rescue cycle needs a start and an end date")
    if ends_on < starts_on:
        raise ValueError(f"the cycle ends ({ends_on}) before it starts ({starts_on})")
    quota = _quota(executive_quota)
    with transaction(ctx.sessions) as s:
        cycle = RescueCycle(name=name, starts_on=starts_on, ends_on=ends_on, executive_quota=quota)
        s.add(cycle)
        s.flush()
        return cycle.id


CycleRow = Row[int, str, dt.date, dt.date, int, str, int]  # _cycles_query's columns


def _count_assigned() -> ScalarSelect[int]:
    return (
        select(func.count(CycleAssignment.id))
        .where(CycleAssignment.cycle_id == RescueCycle.id)
        .scalar_subquery()
    )


def _info(r: CycleRow) -> CycleInfo:
    return CycleInfo(r.id, r.name, r.starts_on, r.ends_on, r.executive_quota, r.status, int(r.assigned or 0))


def _cycles_query() -> Select[int, str, dt.date, dt.date, int, str, int]:
    return select(
        RescueCycle.id,
        RescueCycle.name,
        RescueCycle.starts_on,
        RescueCycle.ends_on,
        RescueCycle.executive_quota,
        RescueCycle.status,
        _count_assigned().label("assigned"),
    )


def list_cycles(ctx: AppContext, include_closed: bool = True) -> list[CycleInfo]:
    """Cycles, open first, newest first."""
    q = _cycles_query().order_by(
        (RescueCycle.status == "open").desc(), RescueCycle.starts_on.desc(), RescueCycle.id.desc()
    )
    if not include_closed:
        q = q.where(RescueCycle.status == "open")
    with ctx.sessions() as s:
        return [_info(r) for r in s.execute(q)]


def get_cycle(ctx: AppContext, cycle_id: int) -> CycleInfo:
    with ctx.sessions() as s:
        row = s.execute(_cycles_query().where(RescueCycle.id == cycle_id)).first()
    if row is None:
        raise NotFound("rescue cycle", cycle_id)
    return _info(row)


@reports(Change.CYCLES)
@retried  # a team server may refuse it for another desk\'s sake: run again
def close_cycle(ctx: AppContext, cycle_id: int) -> None:
    """Close a cycle: its customers may join the next one. Assignments stay as history."""
    with transaction(ctx.sessions) as s:
        cycle = get_or_raise(s, RescueCycle, cycle_id)
        cycle.status = "closed"


# --- filling -------------------------------------------------------------------------------------


def _in_open_cycle() -> Exists:
    """The customer is already assigned in some open cycle."""
    return exists().where(
        CycleAssignment.customer_id == Customer.id,
        CycleAssignment.cycle_id == RescueCycle.id,
        RescueCycle.status == "open",
    )


def eligible_query() -> Select[int]:
    """Customer ids the next fill takes, in roster rank order (priority, then id, descending)."""
    return (
        select(Customer.id)
        .where(
            Customer.decision == "pursue",
            Customer.status.in_(ELIGIBLE_STATUSES),
            ~_in_open_cycle(),
        )
        .order_by(Customer.priority.desc(), Customer.id.desc())
    )


def _check_team(
    s: Session, executives: list[tuple[int, int | None]], callers: list[int]
) -> dict[int, Person]:
    exec_ids = [e for e, _ in executives]
    partner_ids = [p for _, p in executives if p is not None]
    everyone = set(exec_ids) | set(partner_ids) | set(callers)
    people = {p.id: p for p in s.scalars(select(Person).where(Person.id.in_(everyone)))}
    missing = sorted(everyone - set(people))
    if missing:
        raise NotFound("person", ", ".join(map(str, missing)))
    for pid in everyone:
        if not people[pid].active:
            raise ValueError(f"{people[pid].name} is retired")
    twice = [pid for pid, n in Counter(exec_ids + callers).items() if n > 1]
    if twice:
        raise ValueError(f"{people[twice[0]].name} is listed twice; each person takes one share")
    for e, p in executives:
        if people[e].role != "executive":
            raise ValueError(f"{people[e].name} is a {people[e].role}, not an executive")
        if p is not None and (p == e or p in callers):
            raise ValueError(f"{people[p].name} cannot partner {people[e].name} and also call")
    for c in callers:
        if people[c].role != "caller":
            raise ValueError(f"{people[c].name} is a {people[c].role}, not a recovery caller")
    return people


@reports(Change.CYCLES)
@retried  # a team server may refuse it for another desk\'s sake: run again
def fill_cycle(
    ctx: AppContext,
    cycle_id: int,
    executives: list[tuple[int, int | None]],
    callers: list[int],
    limit: int | None = None,
) -> FillSummary:
    """Assign customers to the cycle; filling again tops it up (no customer twice).

    Executives are dealt the highest-ranked customers in turn (first pick to the first
    executive, second to the second, ...) until each has the cycle's quota; the rest go to the
    recovery callers, each next customer to the caller with the fewest in this cycle (plain
    round-robin on a fresh cycle). ``limit`` caps how many go to the callers in this fill.
    """
    executives = [(int(e), None if p is None else int(p)) for e, p in executives]
    callers = [int(c) for c in callers]
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"the limit must be a whole number of customers, 0 or more, not {limit!r}")
    with transaction(ctx.sessions) as s:
        cycle = _open_cycle_locked(s, cycle_id)
        people = _check_team(s, executives, callers)
        have = _assigned_per_person(s, cycle_id)
        quota = cycle.executive_quota
        needs = {e: max(0, quota - have[e]) for e, _ in executives}
        ranked = _ranked_for_fill(s, sum(needs.values()), callers, limit)
        rows = _deal_to_executives(cycle_id, ranked, executives, needs)
        rest = ranked[len(rows) :]
        if limit is not None:
            rest = rest[:limit]
        if callers:
            rows += _deal_to_callers(cycle_id, rest, callers, have)
        if rows:
            s.execute(insert(CycleAssignment.__table__), rows)  # Core executemany: no ORM per row
        remaining = s.scalar(select(func.count()).select_from(eligible_query().subquery())) or 0
    added = Counter(row["assignee_id"] for row in rows)
    return FillSummary(
        cycle_id, quota, _shares(executives, callers, people, have, added), len(rows), int(remaining)
    )


def _open_cycle_locked(s: Session, cycle_id: int) -> RescueCycle:
    """The cycle, which must be open; the open cycles stay locked until the fill commits."""
    # Two fills at once must not give a customer to two open cycles: on PostgreSQL this
    # locks the open cycles until commit (SQLite renders no FOR UPDATE: it serializes writers).
    s.execute(select(RescueCycle.id).where(RescueCycle.status == "open").with_for_update())
    cycle = get_or_raise(s, RescueCycle, cycle_id)
    if cycle.status != "open":
        raise ValueError(f"the rescue cycle {cycle.name!r} is closed")
    return cycle


def _assigned_per_person(s: Session, cycle_id: int) -> Counter[int | None]:
    """How many customers each person already has in the cycle."""
    return Counter(
        dict(
            s.execute(
                select(CycleAssignment.assignee_id, func.count())
                .where(CycleAssignment.cycle_id == cycle_id)
                .group_by(CycleAssignment.assignee_id)
            ).all()
        )
    )


def _ranked_for_fill(s: Session, exec_total: int, callers: list[int], limit: int | None) -> list[int]:
    """The eligible customers this fill may take, best first: no more than it can give out."""
    q = eligible_query()
    if not callers:
        q = q.limit(exec_total)
    elif limit is not None:
        q = q.limit(exec_total + limit)
    return list(s.scalars(q))


def _deal_to_executives(
    cycle_id: int, ranked: list[int], executives: list[tuple[int, int | None]], needs: dict[int, int]
) -> list[dict[str, Any]]:
    """The top of ``ranked`` dealt round by round to the executives still below the quota."""
    turns = [
        (e, p) for round_ in range(max(needs.values(), default=0)) for e, p in executives if needs[e] > round_
    ]
    return [
        _row(cycle_id, customer_id, e, p, "executive")
        for (e, p), customer_id in zip(turns, ranked, strict=False)
    ]


def _deal_to_callers(
    cycle_id: int, customers: list[int], callers: list[int], have: Counter[int | None]
) -> list[dict[str, Any]]:
    """Each customer to the caller with the fewest in the cycle so far (ties: the first listed)."""
    rows = []
    heap = [(have[c], i, c) for i, c in enumerate(callers)]
    heapq.heapify(heap)
    for customer_id in customers:
        n, i, c = heapq.heappop(heap)
        rows.append(_row(cycle_id, customer_id, c, None, "caller"))
        heapq.heappush(heap, (n + 1, i, c))
    return rows


def _shares(
    executives: list[tuple[int, int | None]],
    callers: list[int],
    people: dict[int, Person],
    have: Counter[int | None],
    added: Counter[int],
) -> list[FillShare]:
    """What each person got from the fill, executives first, in the order given."""
    return [
        FillShare(
            e,
            people[e].name,
            "executive",
            p,
            people[p].name if p is not None else "",
            added[e],
            have[e] + added[e],
        )
        for e, p in executives
    ] + [FillShare(c, people[c].name, "caller", None, "", added[c], have[c] + added[c]) for c in callers]


def _row(cycle_id: int, customer_id: int, assignee: int, partner: int | None, kind: str) -> dict[str, Any]:
    return {
        "cycle_id": cycle_id,
        "customer_id": customer_id,
        "assignee_id": assignee,
        "partner_id": partner,
        "kind": kind,
    }
