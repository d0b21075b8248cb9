"""A recovery call from start to finish: every change is its own short transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import TypedDict, Unpack

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from winback_desktop.script import CallScript
from winback_desktop.services.calls import saves
from winback_desktop.services.changes import Change, reports
from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import CallDetail, OfferInfo, PersonInfo, ReasonInfo
from winback_desktop.services.errors import NotFound, get_or_raise
from winback_desktop.services.roster import card as customers
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.services.vocab import ACTIVE_CALL_STATUSES, CallStatus, CustomerStatus, Outcome
from winback_desktop.store.connection import retried, retrying, transaction
from winback_desktop.store.errors import WriteConflict
from winback_desktop.store.models import (
    ActionItem,
    Call,
    CallOffer,
    CallReason,
    Customer,
    DepartureReason,
    HelpOption,
    Person,
    utcnow,
)

# Script fields stored as columns of the call (they are queried for insights), not as notes.
CALL_COLUMNS = ("accepts_help", "customer_answer", "keep_in_touch", "next_contact", "outcome")


@dataclass(frozen=True)
class UnfinishedCall:
    call_id: int
    customer_id: int
    company: str
    stage: str
    started_at: dt.datetime | None


class Booked(StrEnum):
    """What to do with the customer's booked call when someone else starts a call with them."""

    TAKE = "take"  # this caller and partner take the booked call over
    SEPARATE = "separate"  # a call of their own; the booking stays as it was booked


class BookedByOthers(ValueError):
    """Starting would take over a call booked for other people: ask which (``Booked``)."""

    def __init__(self, booking: schedule.AgendaItem):
        self.booking = booking
        who = " and ".join(x for x in (booking.leader_name, booking.partner_name) if x) or "someone else"
        super().__init__(f"the call with {booking.company} is booked for {who}")


@reports(Change.CALLS)
def start_call(
    ctx: AppContext,
    customer_id: int,
    caller_id: int | None = None,
    partner_id: int | None = None,
    script: CallScript | None = None,
    *,
    booked: Booked | None = None,
) -> int:
    """Start (or resume) a call with a customer; returns the call id.

    An unfinished call with this customer is resumed rather than duplicated (its people are
    kept; a missing one is filled in). A booked call is taken up with its own leader and
    partner when no one is named or they are the ones named; booked for other people, it is
    never taken over silently: ``booked`` says whether to TAKE it (the named people become
    its leader and partner) or start a SEPARATE call, and without it :class:`BookedByOthers`
    is raised and nothing changes.
    """
    script = script or ctx.script
    if booked is None and (booking := booking_held_by_others(ctx, customer_id, caller_id, partner_id)):
        raise BookedByOthers(booking)
    # Two desks starting a call with one customer at once: one of them makes (or takes up) the
    # call; the other's transaction is refused (the one-open-call index, or the server's
    # serializable check) and run again, and then it resumes that call.
    return retrying(partial(_start, ctx, customer_id, caller_id, partner_id, script, booked))


OPEN_CALL_INDEX = "uq_calls_one_open_per_customer"  # migration 0008: one call in progress each


def _start(
    ctx: AppContext,
    customer_id: int,
    caller_id: int | None,
    partner_id: int | None,
    script: CallScript,
    booked: Booked | None,
) -> int:
    try:
        with transaction(ctx.sessions) as s:
            return _start_in(s, customer_id, caller_id, partner_id, script, booked)
    except IntegrityError as exc:
        if OPEN_CALL_INDEX not in str(exc.orig):
            raise
        # Another desk's call with this customer went in first (and is committed): run again.
        raise WriteConflict(f"a call with customer {customer_id} was started at the same moment") from exc


def _start_in(
    s: Session,
    customer_id: int,
    caller_id: int | None,
    partner_id: int | None,
    script: CallScript,
    booked: Booked | None,
) -> int:
    get_or_raise(s, Customer, customer_id)
    statuses = [CallStatus.IN_PROGRESS] if booked == Booked.SEPARATE else list(ACTIVE_CALL_STATUSES)
    existing = s.scalars(
        select(Call)
        .where(Call.customer_id == customer_id, Call.status.in_(statuses))
        # in_progress sorts before scheduled; then the earliest booking, an undated one last
        .order_by(Call.status, Call.scheduled_at.is_(None), Call.scheduled_at, Call.id)
    ).first()
    call = existing or Call(customer_id=customer_id)
    resumed = call.status == CallStatus.IN_PROGRESS
    if not resumed:
        call.status = CallStatus.IN_PROGRESS
        call.started_at = utcnow()
        call.current_stage = script.stages[0].key
        call.script_name, call.script_version, call.script_snapshot = (
            script.name,
            script.version,
            script.text,
        )
    replace = booked == Booked.TAKE or call.id is None
    if caller_id is not None and (replace or call.caller_id is None):
        call.caller_id = caller_id
    if partner_id is not None and (replace or call.partner_id is None):
        call.partner_id = partner_id
    s.add(call)
    s.flush()
    return call.id


def booking_held_by_others(
    ctx: AppContext, customer_id: int, caller_id: int | None, partner_id: int | None
) -> schedule.AgendaItem | None:
    """The booked call :func:`start_call` would take over from other people (ask first), or
    None: no booking, it is theirs, or a call with the customer is already under way."""
    booking = schedule.booked_call(ctx, customer_id)
    if booking is None or not schedule.held_by_others(booking, caller_id, partner_id):
        return None
    return None if _in_progress(ctx, customer_id) else booking


def _in_progress(ctx: AppContext, customer_id: int) -> bool:
    with ctx.sessions() as s:
        found = s.scalar(
            select(Call.id).where(Call.customer_id == customer_id, Call.status == CallStatus.IN_PROGRESS)
        )
    return found is not None


def _open_call(s: Session, call_id: int) -> Call:
    return get_or_raise(s, Call, call_id)


@reports(Change.NOTES)
def set_stage(ctx: AppContext, call_id: int, stage: str) -> None:
    with transaction(ctx.sessions) as s:
        _open_call(s, call_id).current_stage = stage


@reports(Change.CALLS)
def set_people(ctx: AppContext, call_id: int, caller_id: int | None, partner_id: int | None) -> None:
    with transaction(ctx.sessions) as s:
        call = _open_call(s, call_id)
        call.caller_id, call.partner_id = caller_id, partner_id


def column_value(key: str, value: str) -> bool | dt.date | str | None:
    """A call column's value as stored, from the text its editor shows."""
    value = value.strip()
    if key == "keep_in_touch":
        return {"yes": True, "no": False, "": None}[value]
    if key == "next_contact":
        return dt.date.fromisoformat(value) if value else None
    return value


@reports(Change.NOTES)
@retried  # a team server may refuse it for another desk's sake: run again
def save_field(
    ctx: AppContext, call_id: int, stage: str, key: str, value: str, version: int | None = None
) -> int | None:
    """Save one field as typed: a note (stage answer, an upsert) or one of the call's own columns.

    ``version``: the note's version the window knew (0: none yet); the save then goes through
    only where the note is still at it, else :class:`~winback_desktop.services.conflicts.Stale`
    (``services/calls/saves.py``). Returns the note's new version (None for a call column).
    """
    with transaction(ctx.sessions, serializable=False) as s:  # an upsert, a checked UPDATE
        if key in CALL_COLUMNS:
            setattr(_open_call(s, call_id), key, column_value(key, value))
            return None
        return saves.save_answer(s, call_id, stage, key, value, version)


@reports(Change.NOTES)
def set_reasons(ctx: AppContext, call_id: int, primary_id: int | None, other_ids: list[int]) -> None:
    with transaction(ctx.sessions) as s:
        _open_call(s, call_id)
        s.execute(delete(CallReason).where(CallReason.call_id == call_id))
        if primary_id is not None:
            s.add(CallReason(call_id=call_id, reason_id=primary_id, is_primary=True))
        for rid in dict.fromkeys(other_ids):
            if rid != primary_id:
                s.add(CallReason(call_id=call_id, reason_id=rid, is_primary=False))


@reports(Change.NOTES)
def set_offers(ctx: AppContext, call_id: int, option_ids: list[int], free_text: list[str]) -> None:
    with transaction(ctx.sessions) as s:
        _open_call(s, call_id)
        s.execute(delete(CallOffer).where(CallOffer.call_id == call_id))
        s.add_all(CallOffer(call_id=call_id, help_option_id=oid) for oid in dict.fromkeys(option_ids))
        s.add_all(CallOffer(call_id=call_id, text=t.strip()) for t in free_text if t.strip())


@reports(Change.FOLLOWUPS)
def add_action(
    ctx: AppContext, call_id: int, what: str = "", owner_id: int | None = None, due: dt.date | None = None
) -> int:
    with transaction(ctx.sessions) as s:
        call = _open_call(s, call_id)
        item = ActionItem(
            call_id=call_id,
            customer_id=call.customer_id,
            what=what,
            owner_id=owner_id if owner_id is not None else call.partner_id,
            due_date=due,
        )
        s.add(item)
        s.flush()
        return item.id


class ActionChanges(TypedDict, total=False):
    """What :func:`update_action` may change of a next step."""

    what: str
    owner_id: int | None
    due_date: dt.date | None


@reports(Change.FOLLOWUPS)
@retried  # a team server may refuse it for another desk's sake: run again
def update_action(
    ctx: AppContext, action_id: int, version: int | None = None, **changes: Unpack[ActionChanges]
) -> int:
    """Change what a next step says, who owns it or when it is due (as the caller types);
    returns its new version. With ``version`` (the one the window loaded), only where the step
    is still at it, else :class:`~winback_desktop.services.conflicts.Stale`.

    Its status is the follow-up board's to change (``followups.board``: mark done, reopen,
    cancel), so the done time always moves with it.
    """
    allowed = {"what", "owner_id", "due_date"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of an action item")
    with transaction(ctx.sessions, serializable=False) as s:  # the row read FOR UPDATE
        return saves.write_action(s, action_id, dict(changes), version)


@reports(Change.FOLLOWUPS)
def delete_action(ctx: AppContext, action_id: int) -> None:
    with transaction(ctx.sessions) as s:
        s.execute(delete(ActionItem).where(ActionItem.id == action_id))


@reports(Change.CALLS, Change.CUSTOMERS)
def finish_call(ctx: AppContext, call_id: int) -> None:
    with transaction(ctx.sessions) as s:
        call = _open_call(s, call_id)
        call.status, call.ended_at = CallStatus.COMPLETED, utcnow()
        customer = s.get(Customer, call.customer_id)
        if customer is not None and call.outcome == Outcome.WON_BACK:
            customer.status = CustomerStatus.WON_BACK


def unfinished_calls(ctx: AppContext) -> list[UnfinishedCall]:
    q = (
        select(Call.id, Call.customer_id, Customer.company, Call.current_stage, Call.started_at)
        .join(Customer, Customer.id == Call.customer_id)
        .where(Call.status == CallStatus.IN_PROGRESS)
        .order_by(Call.updated_at.desc())
    )
    with ctx.sessions() as s:
        return [UnfinishedCall(*row) for row in s.execute(q)]


def _person(p: Person | None) -> PersonInfo | None:
    return PersonInfo(p.id, p.name, p.title, p.role) if p else None


def detail(ctx: AppContext, call_id: int) -> CallDetail:
    """A call with its notes, reasons, help offered, next steps and its customer's card, read in
    one session with one query per table (seven): on a team server each query is a round trip."""
    with ctx.sessions() as s:
        found = s.execute(
            select(Call, Customer)
            .join(Customer, Customer.id == Call.customer_id)
            .options(joinedload(Call.caller), joinedload(Call.partner))
            .where(Call.id == call_id)
        ).first()
        if found is None:
            raise NotFound("call", call_id)
        call, customer = found
        read = customers.read_card(s, ctx, customer, call_id)
        answers = {a.field: a.value for a in read.answers}
        versions = {a.field: a.version for a in read.answers}
        reason_rows = s.execute(
            select(CallReason.is_primary, DepartureReason)
            .join(DepartureReason, DepartureReason.id == CallReason.reason_id)
            .where(CallReason.call_id == call_id)
            .order_by(DepartureReason.id)
        ).all()
        reasons = [(p, ReasonInfo(r.id, r.code, r.label, r.category)) for p, r in reason_rows]
        offers = [
            OfferInfo(o.help_option_id, label or o.text)
            for o, label in s.execute(
                select(CallOffer, HelpOption.label)
                .outerjoin(HelpOption, HelpOption.id == CallOffer.help_option_id)
                .where(CallOffer.call_id == call_id)
                .order_by(CallOffer.help_option_id.is_(None), CallOffer.id)
            )
        ]
        return CallDetail(
            id=call.id,
            customer=read.card,
            caller=_person(call.caller),
            partner=_person(call.partner),
            status=call.status,
            current_stage=call.current_stage,
            scheduled_at=call.scheduled_at,
            started_at=call.started_at,
            ended_at=call.ended_at,
            outcome=call.outcome,
            customer_answer=call.customer_answer,
            accepts_help=call.accepts_help,
            keep_in_touch=call.keep_in_touch,
            next_contact=call.next_contact,
            script_name=call.script_name,
            script_version=call.script_version,
            script_snapshot=call.script_snapshot,
            answers=answers,
            primary_reason=next((r for p, r in reasons if p), None),
            other_reasons=[r for p, r in reasons if not p],
            offers=offers,
            actions=read.actions,
            answer_versions=versions,
        )


def companies(ctx: AppContext, call_ids: Iterable[int]) -> dict[int, str]:
    """The customer's company of each call (for saying whose notes are meant)."""
    ids = sorted(set(call_ids))
    if not ids:
        return {}
    q = (
        select(Call.id, Customer.company)
        .join(Customer, Customer.id == Call.customer_id)
        .where(Call.id.in_(ids))
    )
    with ctx.sessions() as s:
        return {call_id: company for call_id, company in s.execute(q)}
