"""Scheduled recovery calls: booking and double-booking warnings.

Times: the store keeps naive UTC (see ``models.utcnow``). Callers pass a naive *local* or an
aware datetime; every dataclass here hands times out as *aware UTC* datetimes, so they cannot be
mistaken for local ones. The conversions live in ``services/clock.py``; the read side (the
agenda and the Today view, with their dataclasses) lives in ``views`` and is re-exported here, so
``schedule.agenda`` / ``schedule.today`` keep working.

Double booking is a warning, not a refusal: the call is booked and the overlapping calls of the
same leader or partner are returned with it, so the UI can say so (``find_conflicts`` checks
before saving). Two calls overlap when one starts before the other ends; back to back is fine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from winback_desktop.services.changes import Change, reports
from winback_desktop.services.clock import from_store, to_local, to_store
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import get_or_raise
from winback_desktop.services.schedule.times import ACTIVE, DEFAULT_MINUTES
from winback_desktop.services.schedule.views import (
    CALL_PURPOSE,
    MAX_AGENDA_DAYS,
    AgendaItem,
    CallBack,
    DueAction,
    TodayView,
    agenda,
    agenda_item,
    today,
)
from winback_desktop.store.connection import retried, transaction
from winback_desktop.store.models import Call, Customer, Person, RescueCycle, utcnow

__all__ = [
    "ACTIVE",
    "CALL_PURPOSE",
    "DEFAULT_MINUTES",
    "MAX_AGENDA_DAYS",
    "MAX_MINUTES",
    "AgendaItem",
    "CallBack",
    "Conflict",
    "DueAction",
    "ScheduleResult",
    "TodayView",
    "agenda",
    "agenda_item",
    "book",
    "booked_call",
    "cancel_scheduled",
    "check_minutes",
    "find_conflicts",
    "held_by_others",
    "move",
    "reschedule",
    "schedule_call",
    "today",
]

MAX_MINUTES = 8 * 60


# --- dataclasses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Another call that takes the same person's time."""

    call_id: int
    customer_id: int
    company: str
    starts_at: dt.datetime  # aware UTC
    minutes: int
    person_id: int
    person_name: str
    role: str  # what the double-booked person is on that other call: leader / partner

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    @property
    def message(self) -> str:
        start, end = to_local(self.starts_at), to_local(self.ends_at)
        return (
            f"{self.person_name} is already {self.role} of the call with {self.company} "
            f"on {start:%a %d %b}, {start:%H:%M}–{end:%H:%M}"
        )


@dataclass(frozen=True)
class ScheduleResult:
    call_id: int
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def double_booked(self) -> bool:
        return bool(self.conflicts)


# --- checks --------------------------------------------------------------------------------------


def check_minutes(minutes: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"a call lasts 1 to {MAX_MINUTES} minutes, not {minutes!r}")
    return minutes


def _active_person(s: Session, person_id: int, what: str) -> Person:
    p = get_or_raise(s, Person, person_id, detail=f"the call's {what}")
    if not p.active:
        raise ValueError(f"{p.name} is retired and cannot be the call's {what}")
    return p


def _check_booking(
    s: Session, customer_id: int, leader_id: int, partner_id: int | None, cycle_id: int | None
) -> None:
    get_or_raise(s, Customer, customer_id)
    _active_person(s, leader_id, "leader")
    if partner_id is not None:
        if partner_id == leader_id:
            raise ValueError("the partner must be someone other than the leader")
        _active_person(s, partner_id, "partner")
    if cycle_id is not None:
        cycle = get_or_raise(s, RescueCycle, cycle_id)
        if cycle.status != "open":
            raise ValueError(f"the rescue cycle {cycle.name!r} is closed")


def _conflicts(
    s: Session,
    start: dt.datetime,
    minutes: int,
    people: Iterable[int | None],
    exclude_call_id: int | None = None,
) -> list[Conflict]:
    """Active calls of ``people`` overlapping [start, start + minutes) (stored-UTC ``start``)."""
    ids = sorted({p for p in people if p is not None})
    if not ids:
        return []
    end = start + dt.timedelta(minutes=minutes)
    begins = func.coalesce(Call.scheduled_at, Call.started_at)
    theirs = and_(
        Call.status.in_(ACTIVE),
        begins.is_not(None),
        or_(Call.caller_id.in_(ids), Call.partner_id.in_(ids)),
    )
    if exclude_call_id is not None:
        theirs = and_(theirs, Call.id != exclude_call_id)
    # Portable SQL: no date arithmetic in the database. Narrow by start time (no call lasts
    # longer than the longest booked), then test the exact overlap here.
    longest = s.scalar(select(func.max(Call.duration_minutes)).where(theirs)) or 0
    rows = s.execute(
        select(Call.id, Call.customer_id, Customer.company, begins, Call.duration_minutes)
        .add_columns(Call.caller_id, Call.partner_id)
        .join(Customer, Customer.id == Call.customer_id)
        .where(theirs, begins < end, begins > start - dt.timedelta(minutes=max(longest, DEFAULT_MINUTES)))
        .order_by(begins, Call.id)
    ).all()
    names = dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())
    found: list[Conflict] = []
    for call_id, customer_id, company, begin, length, caller_id, partner_id in rows:
        length = length or DEFAULT_MINUTES
        if not (begin < end and begin + dt.timedelta(minutes=length) > start):
            continue
        for person_id in ids:
            role = "leader" if caller_id == person_id else "partner" if partner_id == person_id else ""
            if role:
                found.append(
                    Conflict(
                        call_id,
                        customer_id,
                        company,
                        from_store(begin),
                        length,
                        person_id,
                        names.get(person_id, ""),
                        role,
                    )
                )
    return found


def find_conflicts(
    ctx: AppContext,
    when: dt.datetime,
    minutes: int,
    leader_id: int | None,
    partner_id: int | None = None,
    exclude_call_id: int | None = None,
) -> list[Conflict]:
    """The calls that would double-book the leader or the partner (check before saving)."""
    with ctx.sessions() as s:
        return _conflicts(s, to_store(when), check_minutes(minutes), (leader_id, partner_id), exclude_call_id)


# --- who a booking belongs to --------------------------------------------------------------------


def booked_call(ctx: AppContext, customer_id: int) -> AgendaItem | None:
    """The customer's next booked call that has not started (the earliest), if any."""
    with ctx.sessions() as s:
        call_id = s.scalar(
            select(Call.id)
            .where(Call.customer_id == customer_id, Call.status == "scheduled")
            .order_by(Call.scheduled_at.is_(None), Call.scheduled_at, Call.id)
        )
    return None if call_id is None else agenda_item(ctx, call_id)


def held_by_others(item: AgendaItem, caller_id: int | None, partner_id: int | None) -> bool:
    """True when starting the booked call as ``caller_id`` with ``partner_id`` would put other
    people on it than it was booked for: the booking then keeps its leader and partner unless
    the caller chooses to take it (``calls.lifecycle.start_call``)."""
    other_leader = caller_id is not None and item.leader_id is not None and item.leader_id != caller_id
    other_partner = partner_id is not None and item.partner_id is not None and item.partner_id != partner_id
    return other_leader or other_partner


# --- booking -------------------------------------------------------------------------------------


def book(
    s: Session,
    customer_id: int,
    start: dt.datetime,
    minutes: int,
    leader_id: int,
    partner_id: int | None = None,
    cycle_id: int | None = None,
) -> ScheduleResult:
    """Book a call inside the caller's transaction (``start`` in stored UTC); checks first."""
    _check_booking(s, customer_id, leader_id, partner_id, cycle_id)
    conflicts = _conflicts(s, start, minutes, (leader_id, partner_id))
    call = Call(
        customer_id=customer_id,
        scheduled_at=start,
        duration_minutes=minutes,
        caller_id=leader_id,
        partner_id=partner_id,
        cycle_id=cycle_id,
        status="scheduled",
    )
    s.add(call)
    s.flush()
    return ScheduleResult(call.id, conflicts)


@reports(Change.SCHEDULE)
@retried  # a team server may refuse it for another desk\'s sake: run again
def schedule_call(
    ctx: AppContext,
    customer_id: int,
    when: dt.datetime,
    minutes: int,
    leader_id: int,
    partner_id: int | None = None,
    cycle_id: int | None = None,
) -> ScheduleResult:
    """Book a recovery call; overlapping calls of the leader or partner come back as warnings."""
    start, minutes = to_store(when), check_minutes(minutes)
    with transaction(ctx.sessions) as s:
        return book(s, customer_id, start, minutes, leader_id, partner_id, cycle_id)


def _scheduled(s: Session, call_id: int) -> Call:
    call = get_or_raise(s, Call, call_id)
    if call.status != "scheduled":
        raise ValueError(f"call {call_id} is {call.status.replace('_', ' ')}, not scheduled")
    return call


def move(s: Session, call: Call, start: dt.datetime, minutes: int | None = None) -> ScheduleResult:
    """Move a scheduled call inside the caller's transaction (``start`` in stored UTC)."""
    call.scheduled_at = start
    if minutes is not None:
        call.duration_minutes = minutes
    people = (call.caller_id, call.partner_id)
    conflicts = _conflicts(s, start, call.duration_minutes or DEFAULT_MINUTES, people, call.id)
    call.updated_at = utcnow()
    return ScheduleResult(call.id, conflicts)


@reports(Change.SCHEDULE)
@retried  # a team server may refuse it for another desk\'s sake: run again
def reschedule(
    ctx: AppContext, call_id: int, when: dt.datetime, minutes: int | None = None
) -> ScheduleResult:
    """Move a scheduled call (and change its length when ``minutes`` is given)."""
    start = to_store(when)
    minutes = None if minutes is None else check_minutes(minutes)
    with transaction(ctx.sessions) as s:
        return move(s, _scheduled(s, call_id), start, minutes)


@reports(Change.SCHEDULE)
@retried  # a team server may refuse it for another desk\'s sake: run again
def cancel_scheduled(ctx: AppContext, call_id: int) -> None:
    """Take a call that has not started off the schedule (it had nothing in it yet)."""
    with transaction(ctx.sessions) as s:
        call = _scheduled(s, call_id)
        if call.started_at is not None:
            raise ValueError(f"call {call_id} has already been started")
        s.execute(delete(Call).where(Call.id == call_id))
