"""The read side of the schedule: the agenda of booked calls and the Today view.

Every dataclass here hands times out as *aware UTC* datetimes (``local_start`` and friends give
the user's wall clock), so they cannot be mistaken for local ones. Days ("today", an agenda's
start) are the user's local calendar days. ``schedule`` re-exports all of this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from winback_desktop.services import clock
from winback_desktop.services.clock import from_store, local_day_bounds, to_local
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import get_or_raise
from winback_desktop.services.schedule.times import ACTIVE, DEFAULT_MINUTES
from winback_desktop.store.models import ActionItem, Call, CallAttempt, Customer, Person, RescueCycle

MAX_AGENDA_DAYS = 366
CALL_PURPOSE = "Listen first: why they left, what would help"


def _value(yearly: Decimal | None, lost: Decimal | None) -> Decimal:
    yearly = yearly if yearly is not None else Decimal("0")
    return yearly if yearly > 0 else (lost if lost is not None else Decimal("0"))


# --- dataclasses -------------------------------------------------------------------------------


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
        return to_local(self.starts_at)

    @property
    def local_end(self) -> dt.datetime:
        return to_local(self.ends_at)

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
        return to_local(self.call_back_at)


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


# --- reading -------------------------------------------------------------------------------------


def _agenda_query() -> Select[*tuple[Any, ...]]:
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


def _item(r: Row[*tuple[Any, ...]]) -> AgendaItem:
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
        starts_at=from_store(start),
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
        updated_at=from_store(updated_at or start),
    )


def _mine(person_id: int) -> ColumnElement[bool]:
    return or_(Call.caller_id == person_id, Call.partner_id == person_id)


def agenda(
    ctx: AppContext, days: int = 7, start: dt.date | None = None, person_id: int | None = None
) -> list[AgendaItem]:
    """Booked calls in ``days`` local days from ``start`` (default today), by time; optionally
    only those where ``person_id`` leads or partners."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_AGENDA_DAYS:
        raise ValueError(f"the agenda covers 1 to {MAX_AGENDA_DAYS} days, not {days!r}")
    lo, hi = local_day_bounds(start or clock.today(), days)
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
            call = get_or_raise(s, Call, call_id)
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
            from_store(when),
            from_store(asked),
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
    due_actions = []
    for aid, call_id, cid, company, contact, phone, what, due in s.execute(q):
        assert due is not None  # the query keeps dated follow-ups only
        days_overdue = (day - due).days
        due_actions.append(
            DueAction(aid, call_id, cid, company, contact or "", phone or "", what or "", due, days_overdue)
        )
    return due_actions


def today(ctx: AppContext, person_id: int, day: dt.date | None = None) -> TodayView:
    """My day: booked calls (leader or partner), call-backs that have come, follow-ups due.

    A call-back is done once the customer has a completed call after it was asked for, or a
    later attempt (which is then the one that counts).
    """
    day = day or clock.today()
    lo, hi = local_day_bounds(day)
    with ctx.sessions() as s:
        get_or_raise(s, Person, person_id)
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
