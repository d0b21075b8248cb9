"""What a rescue cycle holds and how far it has come: its customers with their people and next
booked call, and per person how many were called, reached and won back (read only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from winback_desktop.services.clock import from_store, local_day_bounds
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import get_or_raise
from winback_desktop.store.models import (
    ActionItem,
    Call,
    CallAttempt,
    Customer,
    CycleAssignment,
    Person,
    RescueCycle,
)
from winback_desktop.store.portable import folded_order


@dataclass(frozen=True)
class AssignmentRow:
    id: int
    cycle_id: int
    customer_id: int
    company: str
    contact_name: str
    phone: str
    customer_status: str
    decision: str
    priority: float
    verify_contact: bool
    kind: str  # executive / caller
    assignee_id: int | None
    assignee_name: str
    partner_id: int | None
    partner_name: str
    next_call_id: int | None  # the customer's next booked call, if any
    next_call_at: dt.datetime | None  # aware UTC


@dataclass(frozen=True)
class AssigneeProgress:
    assignee_id: int | None
    name: str
    kind: str
    assigned: int
    called: int
    reached: int
    won_back: int
    open_followups: int


@dataclass(frozen=True)
class CycleProgress:
    cycle_id: int
    assigned: int
    called: int  # a completed call, or any attempt, in the cycle
    reached: int  # a completed call, or an attempt that reached them
    won_back: int  # won back (status now, or a won-back call in the cycle)
    open_followups: int  # open action items of the cycle's customers
    by_assignee: list[AssigneeProgress] = field(default_factory=list)


def cycle_assignments(ctx: AppContext, cycle_id: int, assignee_id: int | None = None) -> list[AssignmentRow]:
    """The cycle's customers: executives' first, then by person and priority."""
    assignee, partner = aliased(Person), aliased(Person)
    next_call = (
        select(Call.id, Call.scheduled_at)
        .where(
            Call.customer_id == CycleAssignment.customer_id,
            Call.status == "scheduled",
            Call.scheduled_at.is_not(None),
        )
        .order_by(Call.scheduled_at, Call.id)
        .limit(1)
        .correlate(CycleAssignment)
    )
    q = (
        select(
            CycleAssignment.id,
            CycleAssignment.cycle_id,
            CycleAssignment.customer_id,
            Customer.company,
            Customer.contact_name,
            Customer.phone,
            Customer.status,
            Customer.decision,
            Customer.priority,
            Customer.verify_contact,
            CycleAssignment.kind,
            CycleAssignment.assignee_id,
            assignee.name,
            CycleAssignment.partner_id,
            partner.name,
            next_call.with_only_columns(Call.id).scalar_subquery(),
            next_call.with_only_columns(Call.scheduled_at).scalar_subquery(),
        )
        .join(Customer, Customer.id == CycleAssignment.customer_id)
        .outerjoin(assignee, assignee.id == CycleAssignment.assignee_id)
        .outerjoin(partner, partner.id == CycleAssignment.partner_id)
        .where(CycleAssignment.cycle_id == cycle_id)
        .order_by(
            (CycleAssignment.kind == "executive").desc(),
            assignee.name.is_(None),  # nobody assigned last
            folded_order(assignee.name),
            CycleAssignment.assignee_id,
            Customer.priority.desc(),
            Customer.id.desc(),
        )
    )
    if assignee_id is not None:
        q = q.where(CycleAssignment.assignee_id == assignee_id)
    with ctx.sessions() as s:
        get_or_raise(s, RescueCycle, cycle_id)
        return [
            AssignmentRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4] or "",
                r[5] or "",
                r[6],
                r[7],
                float(r[8] or 0),
                bool(r[9]),
                r[10],
                r[11],
                r[12] or "",
                r[13],
                r[14] or "",
                r[15],
                from_store(r[16]),
            )
            for r in s.execute(q)
        ]


def _progress_rows(s: Session, cycle: RescueCycle) -> Sequence[Row[*tuple[Any, ...]]]:
    """Per assignee: (id, name, kind, assigned, called, reached, won back, open follow-ups)."""
    lo, hi = local_day_bounds(cycle.starts_on, (cycle.ends_on - cycle.starts_on).days + 1)
    customer = CycleAssignment.customer_id
    ended = func.coalesce(Call.ended_at, Call.started_at)
    completed = and_(
        Call.customer_id == customer,
        Call.status == "completed",
        or_(Call.cycle_id == cycle.id, and_(ended >= lo, ended < hi)),
    )
    attempt = and_(
        CallAttempt.customer_id == customer, CallAttempt.attempted_at >= lo, CallAttempt.attempted_at < hi
    )
    called = or_(exists().where(completed), exists().where(attempt))
    reached = or_(exists().where(completed), exists().where(attempt, CallAttempt.disposition == "reached"))
    won = or_(Customer.status == "won_back", exists().where(completed, Call.outcome == "won_back"))
    followups = (
        select(func.count(ActionItem.id))
        .where(ActionItem.customer_id == customer, ActionItem.status == "open")
        .correlate(CycleAssignment)
        .scalar_subquery()
    )

    per_assignment = (
        select(
            CycleAssignment.assignee_id.label("assignee_id"),
            CycleAssignment.kind.label("kind"),
            case((called, 1), else_=0).label("called"),
            case((reached, 1), else_=0).label("reached"),
            case((won, 1), else_=0).label("won"),
            followups.label("followups"),
        )
        .join(Customer, Customer.id == customer)
        .where(CycleAssignment.cycle_id == cycle.id)
        .subquery()
    )
    pa = per_assignment.c
    return s.execute(
        select(
            pa.assignee_id,
            Person.name,
            pa.kind,
            func.count(),
            func.sum(pa.called),
            func.sum(pa.reached),
            func.sum(pa.won),
            func.sum(pa.followups),
        )
        .outerjoin(Person, Person.id == pa.assignee_id)
        .group_by(pa.assignee_id, Person.name, pa.kind)
        .order_by((pa.kind == "executive").desc(), folded_order(Person.name), pa.assignee_id)
    ).all()


def cycle_progress(ctx: AppContext, cycle_id: int) -> CycleProgress:
    """Called, reached, won back and open follow-ups of the cycle's customers, per person too.

    The cycle's window is its first to last day (local): a completed call counts when it belongs
    to the cycle or ended in the window; an attempt when it was made in the window.
    """
    with ctx.sessions() as s:
        cycle = get_or_raise(s, RescueCycle, cycle_id)
        rows = _progress_rows(s, cycle)
    by = [
        AssigneeProgress(
            aid, name or "", kind, int(a or 0), int(c or 0), int(r or 0), int(w or 0), int(f or 0)
        )
        for aid, name, kind, a, c, r, w, f in rows
    ]
    return CycleProgress(
        cycle_id=cycle_id,
        assigned=sum(p.assigned for p in by),
        called=sum(p.called for p in by),
        reached=sum(p.reached for p in by),
        won_back=sum(p.won_back for p in by),
        open_followups=sum(p.open_followups for p in by),
        by_assignee=by,
    )
