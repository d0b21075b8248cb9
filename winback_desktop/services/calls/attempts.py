"""Attempts to reach a customer: reached, or why not.

* a wrong number flags the customer's contact details for checking ("verify contact details");
* "call back at ..." books a call at that time (or moves the booked call the attempt was made
  on), led by whoever logged it, with the partner of the customer's open cycle assignment or
  of their latest call;
* several failed attempts in a row (no answer, voicemail, wrong number) flag the customer for a
  decision. Decisions are never changed here: the flag is reported and the user decides.

"In a row" means since the last attempt that was not a failure (reached, or asked to call
back), the last completed call, and the last decision taken about the customer, so deciding to
keep pursuing clears the flag until the next run of failures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from winback_desktop.services.changes import Change, reports
from winback_desktop.services.clock import from_store, to_store
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import get_or_raise
from winback_desktop.services.schedule.booking import (
    DEFAULT_MINUTES,
    ScheduleResult,
    book,
    check_minutes,
    move,
)
from winback_desktop.services.vocab import FAILED_DISPOSITIONS, CallStatus, CycleStatus, Decision, Disposition
from winback_desktop.store.connection import retried, transaction
from winback_desktop.store.models import (
    Call,
    CallAttempt,
    Customer,
    CycleAssignment,
    Person,
    RescueCycle,
    utcnow,
)

DECISION_THRESHOLD = 3  # failed attempts in a row before the customer is flagged for a decision


@dataclass(frozen=True)
class AttemptResult:
    attempt_id: int
    customer_id: int
    disposition: str
    verify_contact_flagged: bool  # a wrong number: check the contact details before calling again
    call_back: ScheduleResult | None  # the call booked (or moved) for a call-back, with conflicts
    failed_in_row: int
    flag_for_decision: bool  # DECISION_THRESHOLD or more failures in a row: pursue or let go?


@dataclass(frozen=True)
class AttemptInfo:
    id: int
    customer_id: int
    attempted_at: dt.datetime  # aware UTC
    disposition: str
    person_id: int | None
    person_name: str
    call_id: int | None
    call_back_at: dt.datetime | None  # aware UTC
    note: str

    @property
    def label(self) -> str:
        return Disposition.label_of(self.disposition)


@dataclass(frozen=True)
class DecisionFlag:
    """A customer who could not be reached several times in a row."""

    customer_id: int
    company: str
    contact_name: str
    phone: str
    decision: str
    verify_contact: bool
    failed_in_row: int
    last_attempt_at: dt.datetime  # aware UTC


# --- the run of failures -------------------------------------------------------------------------


def _failures_in_row() -> ColumnElement[bool]:
    """Failed attempts with nothing after them that breaks the run (correlated on CallAttempt)."""
    later = aliased(CallAttempt)
    not_failed_after = exists().where(
        later.customer_id == CallAttempt.customer_id,
        later.disposition.not_in(FAILED_DISPOSITIONS),
        or_(
            later.attempted_at > CallAttempt.attempted_at,
            and_(later.attempted_at == CallAttempt.attempted_at, later.id > CallAttempt.id),
        ),
    )
    completed_after = exists().where(
        Call.customer_id == CallAttempt.customer_id,
        Call.status == CallStatus.COMPLETED,
        func.coalesce(Call.ended_at, Call.started_at) >= CallAttempt.attempted_at,
    )
    decided_after = and_(Customer.decided_at.is_not(None), Customer.decided_at >= CallAttempt.attempted_at)
    return and_(
        CallAttempt.disposition.in_(FAILED_DISPOSITIONS),
        ~not_failed_after,
        ~completed_after,
        ~decided_after,
    )


def _streaks(customer_id: int | None = None) -> Select[int, int, dt.datetime]:
    """Per customer (or just ``customer_id``): the failed attempts in a row, and the last one's time."""
    q = (
        select(
            CallAttempt.customer_id,
            func.count(CallAttempt.id).label("failed"),
            func.max(CallAttempt.attempted_at).label("last_at"),
        )
        .join(Customer, Customer.id == CallAttempt.customer_id)
        .where(_failures_in_row())
        .group_by(CallAttempt.customer_id)
    )
    if customer_id is not None:
        q = q.where(CallAttempt.customer_id == customer_id)
    return q


def failed_in_row(ctx: AppContext, customer_id: int) -> int:
    with ctx.sessions() as s:
        return _failed_in_row(s, customer_id)


def _failed_in_row(s: Session, customer_id: int) -> int:
    row = s.execute(_streaks(customer_id)).first()
    return int(row.failed) if row else 0


def needs_decision(ctx: AppContext, threshold: int = DECISION_THRESHOLD) -> list[DecisionFlag]:
    """Customers (not let go) with ``threshold`` or more failed attempts in a row, most first."""
    streaks = _streaks().having(func.count(CallAttempt.id) >= threshold).subquery()
    q = (
        select(
            Customer.id,
            Customer.company,
            Customer.contact_name,
            Customer.phone,
            Customer.decision,
            Customer.verify_contact,
            streaks.c.failed,
            streaks.c.last_at,
        )
        .join(streaks, streaks.c.customer_id == Customer.id)
        .where(Customer.decision != Decision.LET_GO)
        .order_by(streaks.c.failed.desc(), streaks.c.last_at.desc(), Customer.id)
    )
    with ctx.sessions() as s:
        return [
            DecisionFlag(
                cid,
                company,
                contact or "",
                phone or "",
                decision,
                bool(verify),
                int(n),
                from_store(last),
            )
            for cid, company, contact, phone, decision, verify, n, last in s.execute(q)
        ]


# --- logging -------------------------------------------------------------------------------------


def _call_back_team(
    s: Session, customer_id: int, person_id: int | None
) -> tuple[int | None, int | None, int | None]:
    """(leader, partner, cycle) for a call-back: the open cycle assignment, else the latest call."""
    assignment = s.execute(
        select(CycleAssignment.assignee_id, CycleAssignment.partner_id, CycleAssignment.cycle_id)
        .join(RescueCycle, RescueCycle.id == CycleAssignment.cycle_id)
        .where(CycleAssignment.customer_id == customer_id, RescueCycle.status == CycleStatus.OPEN)
        .order_by(RescueCycle.starts_on.desc(), RescueCycle.id.desc())
        .limit(1)
    ).first()
    if assignment is not None:
        leader, partner, cycle = assignment
    else:
        latest = s.execute(
            select(Call.caller_id, Call.partner_id)
            .where(Call.customer_id == customer_id)
            .order_by(func.coalesce(Call.started_at, Call.scheduled_at).desc().nulls_last(), Call.id.desc())
            .limit(1)
        ).first()
        leader, partner = latest if latest is not None else (None, None)
        cycle = None
    leader = person_id if person_id is not None else leader
    if partner is not None:
        p = s.get(Person, partner)
        if partner == leader or p is None or not p.active:
            partner = None
    return leader, partner, cycle


@reports(Change.SCHEDULE, Change.CUSTOMERS)
@retried  # a team server may refuse it for another desk\'s sake: run again
def log_attempt(
    ctx: AppContext,
    customer_id: int,
    disposition: str,
    person_id: int | None = None,
    call_id: int | None = None,
    note: str = "",
    call_back_at: dt.datetime | None = None,
    *,
    minutes: int = DEFAULT_MINUTES,
    at: dt.datetime | None = None,
) -> AttemptResult:
    """Log one try at reaching a customer (``at`` defaults to now; times naive local or aware)."""
    if disposition not in Disposition.values():
        raise ValueError(f"disposition must be one of {', '.join(Disposition)}, not {disposition!r}")
    if disposition == Disposition.CALL_BACK and call_back_at is None:
        raise ValueError("a call-back needs the date and time they asked to be called")
    if disposition != Disposition.CALL_BACK and call_back_at is not None:
        raise ValueError("only a call-back has a call-back time")
    back_at = to_store(call_back_at) if call_back_at is not None else None
    attempted_at = to_store(at) if at is not None else utcnow()
    minutes = check_minutes(minutes)
    with transaction(ctx.sessions) as s:
        customer = get_or_raise(s, Customer, customer_id)
        if person_id is not None:
            get_or_raise(s, Person, person_id)
        call = None
        if call_id is not None:
            call = get_or_raise(s, Call, call_id)
            if call.customer_id != customer_id:
                raise ValueError(f"call {call_id} is with another customer")
        attempt = CallAttempt(
            customer_id=customer_id,
            call_id=call_id,
            person_id=person_id,
            attempted_at=attempted_at,
            disposition=disposition,
            call_back_at=back_at,
            note=str(note or "").strip(),
        )
        s.add(attempt)
        if disposition == Disposition.WRONG_NUMBER:
            customer.verify_contact = True
        booked = None
        if back_at is not None:
            if call is not None and call.status == CallStatus.SCHEDULED and call.started_at is None:
                if person_id is not None and call.caller_id is None:
                    call.caller_id = person_id
                booked = move(s, call, back_at)
            else:
                leader, partner, cycle = _call_back_team(s, customer_id, person_id)
                if leader is None:
                    raise ValueError("who will call them back? Give the person logging the attempt")
                booked = book(s, customer_id, back_at, minutes, leader, partner, cycle)
        s.flush()
        failed = _failed_in_row(s, customer_id)
        return AttemptResult(
            attempt_id=attempt.id,
            customer_id=customer_id,
            disposition=disposition,
            verify_contact_flagged=disposition == Disposition.WRONG_NUMBER,
            call_back=booked,
            failed_in_row=failed,
            flag_for_decision=failed >= DECISION_THRESHOLD and customer.decision != Decision.LET_GO,
        )


def attempts_for(ctx: AppContext, customer_id: int) -> list[AttemptInfo]:
    """A customer's attempts, newest first."""
    q = (
        select(CallAttempt, Person.name)
        .outerjoin(Person, Person.id == CallAttempt.person_id)
        .where(CallAttempt.customer_id == customer_id)
        .order_by(CallAttempt.attempted_at.desc(), CallAttempt.id.desc())
    )
    with ctx.sessions() as s:
        return [
            AttemptInfo(
                a.id,
                a.customer_id,
                from_store(a.attempted_at),
                a.disposition,
                a.person_id,
                name or "",
                a.call_id,
                from_store(a.call_back_at),
                a.note or "",
            )
            for a, name in s.execute(q)
        ]
