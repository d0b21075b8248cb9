"""A person's day, as the Today tab and ``winback today`` both show it: booked calls,
call-backs, follow-ups (overdue first), who needs a decision, the calls left open, and the
bookings of the coming days. One read, so the two can never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from winback_desktop.services import clock
from winback_desktop.services.calls.attempts import DecisionFlag, needs_decision
from winback_desktop.services.clock import from_store
from winback_desktop.services.context import AppContext
from winback_desktop.services.schedule.views import AgendaItem, TodayView, agenda, today
from winback_desktop.services.vocab import CallStatus
from winback_desktop.store.models import Call, Customer, Person

COMING_DAYS = 7  # the bookings shown after the day itself


@dataclass(frozen=True)
class OpenCall:
    """A call started and not ended (a window closed, a crash): it can be resumed."""

    call_id: int
    customer_id: int
    company: str
    contact_name: str
    phone: str
    stage: str  # the stage's title, where the call was left
    started_at: dt.datetime | None  # aware UTC
    caller_name: str
    partner_name: str


@dataclass(frozen=True)
class Day:
    day: dt.date
    person_id: int | None  # None: no one is chosen; only the team's parts are read
    view: TodayView | None
    needs_decision: list[DecisionFlag]
    open_calls: list[OpenCall]
    coming: list[AgendaItem] = field(default_factory=list)  # booked after the day, by time

    @property
    def empty(self) -> bool:
        return (self.view is None or self.view.empty) and not (
            self.needs_decision or self.open_calls or self.coming
        )


def open_calls(ctx: AppContext, person_id: int | None = None) -> list[OpenCall]:
    """Calls in progress, latest change first: those ``person_id`` leads or partners, and
    those nobody is named on (everyone's when ``person_id`` is None)."""
    caller, partner = aliased(Person), aliased(Person)
    q = (
        select(
            Call.id,
            Call.customer_id,
            Customer.company,
            Customer.contact_name,
            Customer.phone,
            Call.current_stage,
            Call.started_at,
            caller.name,
            partner.name,
        )
        .join(Customer, Customer.id == Call.customer_id)
        .outerjoin(caller, caller.id == Call.caller_id)
        .outerjoin(partner, partner.id == Call.partner_id)
        .where(Call.status == CallStatus.IN_PROGRESS)
        .order_by(Call.updated_at.desc(), Call.id.desc())
    )
    if person_id is not None:
        q = q.where(
            or_(
                Call.caller_id == person_id,
                Call.partner_id == person_id,
                Call.caller_id.is_(None) & Call.partner_id.is_(None),
            )
        )
    titles = {s.key: s.title for s in ctx.script.stages}
    with ctx.sessions() as s:
        return [
            OpenCall(
                cid,
                cust,
                company,
                contact or "",
                phone or "",
                titles.get(stage, stage or ""),
                from_store(started),
                lead or "",
                part or "",
            )
            for cid, cust, company, contact, phone, stage, started, lead, part in s.execute(q)
        ]


def my_day(ctx: AppContext, person_id: int | None, day: dt.date | None = None) -> Day:
    """Everything the Today tab shows for ``person_id`` on ``day`` (default today)."""
    day = day or clock.today()
    view = today(ctx, person_id, day) if person_id is not None else None
    coming = (
        agenda(ctx, days=COMING_DAYS, start=day + dt.timedelta(days=1), person_id=person_id)
        if person_id is not None
        else []
    )
    return Day(day, person_id, view, needs_decision(ctx), open_calls(ctx, person_id), coming)
