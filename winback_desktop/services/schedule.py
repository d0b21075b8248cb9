"""Scheduled recovery calls: booking, double-booking warnings, the agenda and the Today view.

Times: the store keeps naive UTC (see ``models.utcnow``). Callers pass a naive *local* or an
aware datetime; every dataclass here hands times out as *aware UTC* datetimes (``local_start``
and friends give the user's wall clock), so they cannot be mistaken for local ones. Days
("today", an agenda's start) are the user's local calendar days.

Double booking is a warning, not a refusal: the call is booked and the overlapping calls of the
same leader or partner are returned with it, so the UI can say so (``find_conflicts`` checks
before saving). Two calls overlap when one starts before the other ends; back to back is fine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from winback_desktop.services.context import AppContext
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import (
    ActionItem,
    Call,
    CallAttempt,
    Customer,
    Person,
    RescueCycle,
    utcnow,
)

ACTIVE = ("scheduled", "in_progress")  # calls that still take someone's time
DEFAULT_MINUTES = 30
MAX_MINUTES = 8 * 60
MAX_AGENDA_DAYS = 366
CALL_PURPOSE = "Listen first: why they left, what would help"


# --- time ------------------------------------------------------------------------------------


def to_store(when: dt.datetime) -> dt.datetime:
    """A naive local or an aware datetime as the naive UTC the database keeps."""
    if not isinstance(when, dt.datetime):
        raise ValueError(f"a call needs a date and a time, not {when!r}")
    return when.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def from_store(t: dt.datetime | None) -> dt.datetime | None:
    """A stored naive UTC datetime as an aware UTC one."""
    return None if t is None else t.replace(tzinfo=dt.UTC)


def day_bounds(day: dt.date, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    """The stored-UTC bounds [start, end) of ``days`` local calendar days from ``day``."""
    start = dt.datetime.combine(day, dt.time())
    end = dt.datetime.combine(day + dt.timedelta(days=days), dt.time())
    return to_store(start), to_store(end)


def _value(yearly: Decimal | None, lost: Decimal | None) -> Decimal:
    yearly = yearly if yearly is not None else Decimal("0")
    return yearly if yearly > 0 else (lost if lost is not None else Decimal("0"))


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
        start, end = self.starts_at.astimezone(), self.ends_at.astimezone()
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


@dataclass(frozen=True)
class AgendaItem:
    """One booked call, with what a calendar entry and the Today view need."""

    call_id: int
    customer_id: int
    company: str
    contact_name: str
    contact_title: str
    phone: str
    email: str
    value: Decimal  # the yearly business they stand for (yearly revenue, else value lost)
    status: str
    starts_at: dt.datetime  # aware UTC
    minutes: int
    leader_id: int | None
    leader_name: str
    leader_email: str
    partner_id: int | None
    partner_name: str
    partner_email: str
    cycle_id: int | None
    cycle_name: str
    from_call_back: bool  # booked because the customer asked to be called back then
    updated_at: dt.datetime  # aware UTC: when the booking last changed

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone()

    @property
    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone()

    @property
    def purpose(self) -> str:
        return CALL_PURPOSE


@dataclass(frozen=True)
class CallBack:
    """A customer who asked to be called back, and the time has come."""

    attempt_id: int
    customer_id: int
    company: str
    contact_name: str
    phone: str
    call_back_at: dt.datetime  # aware UTC
    asked_at: dt.datetime  # aware UTC: when the attempt was logged
    note: str
    call_id: int | None  # the call booked for it, when it is still on the schedule

    @property
    def local_time(self) -> dt.datetime:
        return self.call_back_at.astimezone()


@dataclass(frozen=True)
class DueAction:
    """An open follow-up of mine, due today or past due."""

    action_id: int
    call_id: int
    customer_id: int
    company: str
    contact_name: str
    phone: str
    what: str
    due_date: dt.date
    days_overdue: int  # 0: due today


@dataclass(frozen=True)
class TodayView:
    day: dt.date
    person_id: int
    calls: list[AgendaItem]  # my booked calls that day, as leader or partner, by time
    call_backs: list[CallBack]  # call-backs due that day or earlier, not yet done, oldest first
    overdue: list[DueAction]  # my open follow-ups past due, oldest first
    due_today: list[DueAction] = field(default_factory=list)  # my open follow-ups due that day

    @property
    def empty(self) -> bool:
        return not (self.calls or self.call_backs or self.overdue or self.due_today)


# --- checks --------------------------------------------------------------------------------------


def check_minutes(minutes: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"a call lasts 1 to {MAX_MINUTES} minutes, not {minutes!r}")
    return minutes


def _active_person(s: Session, person_id: int, what: str) -> Person:
    p = s.get(Person, person_id)
    if p is None:
        raise LookupError(f"no person with id {person_id} (the call's {what})")
    if not p.active:
        raise ValueError(f"{p.name} is retired and cannot be the call's {what}")
    return p


def _check_booking(
    s: Session, customer_id: int, leader_id: int, partner_id: int | None, cycle_id: int | None
) -> None:
    if s.get(Customer, customer_id) is None:
        raise LookupError(f"no customer with id {customer_id}")
    _active_person(s, leader_id, "leader")
    if partner_id is not None:
        if partner_id == leader_id:
            raise ValueError("the partner must be someone other than the leader")
        _active_person(s, partner_id, "partner")
    if cycle_id is not None:
        cycle = s.get(RescueCycle, cycle_id)
        if cycle is None:
            raise LookupError(f"no rescue cycle with id {cycle_id}")
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
                        begin.replace(tzinfo=dt.UTC),
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
    call = s.get(Call, call_id)
    if call is None:
        raise LookupError(f"no call with id {call_id}")
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


def reschedule(
    ctx: AppContext, call_id: int, when: dt.datetime, minutes: int | None = None
) -> ScheduleResult:
    """Move a scheduled call (and change its length when ``minutes`` is given)."""
    start = to_store(when)
    minutes = None if minutes is None else check_minutes(minutes)
    with transaction(ctx.sessions) as s:
        return move(s, _scheduled(s, call_id), start, minutes)


def cancel_scheduled(ctx: AppContext, call_id: int) -> None:
    """Take a call that has not started off the schedule (it had nothing in it yet)."""
    with transaction(ctx.sessions) as s:
        call = _scheduled(s, call_id)
        if call.started_at is not None:
            raise ValueError(f"call {call_id} has already been started")
        s.execute(delete(Call).where(Call.id == call_id))


# --- reading -------------------------------------------------------------------------------------


def _agenda_query():
    leader, partner = aliased(Person), aliased(Person)
    call_back = exists().where(
        CallAttempt.customer_id == Call.customer_id,
        CallAttempt.disposition == "call_back",
        CallAttempt.call_back_at == Call.scheduled_at,
    )
    q = (
        select(
            Call.id,
            Call.customer_id,
            Customer.company,
            Customer.contact_name,
            Customer.contact_title,
            Customer.phone,
            Customer.email,
            Customer.yearly_revenue,
            Customer.value_lost,
            Call.status,
            Call.scheduled_at,
            Call.duration_minutes,
            Call.caller_id,
            leader.name,
            leader.email,
            Call.partner_id,
            partner.name,
            partner.email,
            Call.cycle_id,
            RescueCycle.name,
            call_back,
            Call.updated_at,
        )
        .join(Customer, Customer.id == Call.customer_id)
        .outerjoin(leader, leader.id == Call.caller_id)
        .outerjoin(partner, partner.id == Call.partner_id)
        .outerjoin(RescueCycle, RescueCycle.id == Call.cycle_id)
        .where(Call.status.in_(ACTIVE), Call.scheduled_at.is_not(None))
        .order_by(Call.scheduled_at, Call.id)
    )
    return q


def _item(r) -> AgendaItem:
    (
        call_id,
        customer_id,
        company,
        contact,
        contact_title,
        phone,
        email,
        yearly,
        lost,
        status,
        start,
        minutes,
        leader_id,
        leader_name,
        leader_email,
        partner_id,
        partner_name,
        partner_email,
        cycle_id,
        cycle_name,
        call_back,
        updated_at,
    ) = r
    return AgendaItem(
        call_id=call_id,
        customer_id=customer_id,
        company=company,
        contact_name=contact or "",
        contact_title=contact_title or "",
        phone=phone or "",
        email=email or "",
        value=_value(yearly, lost),
        status=status,
        starts_at=start.replace(tzinfo=dt.UTC),
        minutes=minutes or DEFAULT_MINUTES,
        leader_id=leader_id,
        leader_name=leader_name or "",
        leader_email=leader_email or "",
        partner_id=partner_id,
        partner_name=partner_name or "",
        partner_email=partner_email or "",
        cycle_id=cycle_id,
        cycle_name=cycle_name or "",
        from_call_back=bool(call_back),
        updated_at=(updated_at or start).replace(tzinfo=dt.UTC),
    )


def _mine(person_id: int):
    return or_(Call.caller_id == person_id, Call.partner_id == person_id)


def agenda(
    ctx: AppContext, days: int = 7, start: dt.date | None = None, person_id: int | None = None
) -> list[AgendaItem]:
    """Booked calls in ``days`` local days from ``start`` (default today), by time; optionally
    only those where ``person_id`` leads or partners."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_AGENDA_DAYS:
        raise ValueError(f"the agenda covers 1 to {MAX_AGENDA_DAYS} days, not {days!r}")
    lo, hi = day_bounds(start or dt.date.today(), days)
    q = _agenda_query().where(Call.scheduled_at >= lo, Call.scheduled_at < hi)
    if person_id is not None:
        q = q.where(_mine(person_id))
    with ctx.sessions() as s:
        return [_item(r) for r in s.execute(q)]


def agenda_item(ctx: AppContext, call_id: int) -> AgendaItem:
    """One booked call (LookupError if there is none, ValueError if it is not on the schedule)."""
    with ctx.sessions() as s:
        row = s.execute(_agenda_query().where(Call.id == call_id)).first()
        if row is None:
            call = s.get(Call, call_id)
            if call is None:
                raise LookupError(f"no call with id {call_id}")
            raise ValueError(f"call {call_id} is {call.status.replace('_', ' ')}, not on the schedule")
    return _item(row)


def _call_backs(s: Session, person_id: int, due_before: dt.datetime) -> list[CallBack]:
    later = aliased(CallAttempt)
    done = exists().where(
        Call.customer_id == CallAttempt.customer_id,
        Call.status == "completed",
        func.coalesce(Call.ended_at, Call.started_at) > CallAttempt.attempted_at,
    )
    superseded = exists().where(
        later.customer_id == CallAttempt.customer_id,
        or_(
            later.attempted_at > CallAttempt.attempted_at,
            and_(later.attempted_at == CallAttempt.attempted_at, later.id > CallAttempt.id),
        ),
    )
    booked = (
        select(func.min(Call.id))
        .where(
            Call.customer_id == CallAttempt.customer_id,
            Call.scheduled_at == CallAttempt.call_back_at,
            Call.status.in_(ACTIVE),
        )
        .scalar_subquery()
    )
    q = (
        select(
            CallAttempt.id,
            CallAttempt.customer_id,
            Customer.company,
            Customer.contact_name,
            Customer.phone,
            CallAttempt.call_back_at,
            CallAttempt.attempted_at,
            CallAttempt.note,
            booked,
        )
        .join(Customer, Customer.id == CallAttempt.customer_id)
        .where(
            CallAttempt.disposition == "call_back",
            CallAttempt.person_id == person_id,
            CallAttempt.call_back_at < due_before,
            ~done,
            ~superseded,
        )
        .order_by(CallAttempt.call_back_at, CallAttempt.id)
    )
    return [
        CallBack(
            attempt_id,
            customer_id,
            company,
            contact or "",
            phone or "",
            when.replace(tzinfo=dt.UTC),
            asked.replace(tzinfo=dt.UTC),
            note or "",
            call_id,
        )
        for attempt_id, customer_id, company, contact, phone, when, asked, note, call_id in s.execute(q)
    ]


def _due_actions(s: Session, person_id: int, day: dt.date) -> list[DueAction]:
    q = (
        select(
            ActionItem.id,
            ActionItem.call_id,
            ActionItem.customer_id,
            Customer.company,
            Customer.contact_name,
            Customer.phone,
            ActionItem.what,
            ActionItem.due_date,
        )
        .join(Customer, Customer.id == ActionItem.customer_id)
        .where(
            ActionItem.owner_id == person_id,
            ActionItem.status == "open",
            ActionItem.due_date.is_not(None),
            ActionItem.due_date <= day,
        )
        .order_by(ActionItem.due_date, ActionItem.id)
    )
    return [
        DueAction(aid, call_id, cid, company, contact or "", phone or "", what or "", due, (day - due).days)
        for aid, call_id, cid, company, contact, phone, what, due in s.execute(q)
    ]


def today(ctx: AppContext, person_id: int, day: dt.date | None = None) -> TodayView:
    """My day: booked calls (leader or partner), call-backs that have come, follow-ups due.

    A call-back is done once the customer has a completed call after it was asked for, or a
    later attempt (which is then the one that counts).
    """
    day = day or dt.date.today()
    lo, hi = day_bounds(day)
    with ctx.sessions() as s:
        if s.get(Person, person_id) is None:
            raise LookupError(f"no person with id {person_id}")
        calls = [
            _item(r)
            for r in s.execute(
                _agenda_query().where(Call.scheduled_at >= lo, Call.scheduled_at < hi, _mine(person_id))
            )
        ]
        call_backs = _call_backs(s, person_id, hi)
        due = _due_actions(s, person_id, day)
    return TodayView(
        day=day,
        person_id=person_id,
        calls=calls,
        call_backs=call_backs,
        overdue=[d for d in due if d.days_overdue > 0],
        due_today=[d for d in due if d.days_overdue == 0],
    )
