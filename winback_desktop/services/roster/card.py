"""The customer list and the customer card."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import ActionInfo, CallSummary, CustomerCard
from winback_desktop.services.errors import get_or_raise
from winback_desktop.store.models import ActionItem, Call, Customer, Person, StageAnswer

TIMELINE_CALLS = 8  # the card's timeline: the latest calls (the count says how many more)


def count(ctx: AppContext) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(Customer)) or 0


def card(ctx: AppContext, customer_id: int, exclude_call: int | None = None) -> CustomerCard:
    with ctx.sessions() as s:
        return read_card(s, ctx, get_or_raise(s, Customer, customer_id), exclude_call).card


@dataclass(frozen=True)
class CardRead:
    """A customer's card, and, read in the same queries, the notes and next steps of the call
    it was read for (``call_id``): a call window opens on one round trip per table."""

    card: CustomerCard
    answers: list[StageAnswer]  # the call's notes (StageAnswer rows, detached with the session)
    actions: list[ActionInfo]  # the call's next steps, in the order they were added


def read_card(s: Session, ctx: AppContext, c: Customer, call_id: int | None = None) -> CardRead:
    """The card of customer ``c`` in session ``s``, leaving out call ``call_id`` (the call it is
    shown beside), whose own notes and next steps come back with it: four queries in all."""
    calls_q = (
        select(Call, Person.name)
        .outerjoin(Person, Person.id == Call.caller_id)
        .where(Call.customer_id == c.id)
        .order_by(func.coalesce(Call.started_at, Call.scheduled_at).desc().nulls_last(), Call.id.desc())
    )
    if call_id is not None:
        calls_q = calls_q.where(Call.id != call_id)
    rows = s.execute(calls_q).all()
    shown = [call.id for call, _name in rows[:TIMELINE_CALLS]]
    said, answers = _notes(ctx, s, shown, call_id)
    promised, promises, actions = _actions(s, c.id, shown, call_id)
    calls = [
        CallSummary(
            call.id,
            call.status,
            call.started_at or call.scheduled_at,
            name or "",
            call.outcome,
            call.current_stage,
            said.get(call.id, ""),
            tuple(promised.get(call.id, ())),
            call.ended_at,
        )
        for call, name in rows
    ]
    customer_card = CustomerCard(
        id=c.id,
        external_id=c.external_id or "",
        company=c.company,
        contact_name=c.contact_name,
        contact_title=c.contact_title,
        phone=c.phone,
        email=c.email,
        value_lost=c.value_lost,
        last_purchase=c.last_purchase,
        status=c.status,
        earlier_calls=calls,
        open_promises=promises,
    )
    return CardRead(customer_card, answers, actions)


def _said_fields(ctx: AppContext) -> list[str]:
    """The fields that hold what the customer said, best first: the repeat-back (checked with
    them), then the other free-text notes in script order."""
    texts = [f for stage in ctx.script.stages for f in stage.fields if f.kind == "text"]
    return [f.key for f in sorted(texts, key=lambda f: not f.prefill_from)]


def _notes(
    ctx: AppContext, s: Session, shown: list[int], call_id: int | None
) -> tuple[dict[int, str], list[StageAnswer]]:
    """What the customer said on each of the ``shown`` calls, and every note of ``call_id``:
    one query."""
    wanted = _said_fields(ctx)
    which = [and_(StageAnswer.call_id.in_(shown), StageAnswer.field.in_(wanted))] if shown else []
    if call_id is not None:
        which.append(StageAnswer.call_id == call_id)
    if not which:
        return {}, []
    notes: dict[int, dict[str, str]] = {}
    answers = []
    for a in s.scalars(select(StageAnswer).where(or_(*which)).order_by(StageAnswer.id)):
        if a.call_id == call_id:
            answers.append(a)
        else:
            notes.setdefault(a.call_id, {})[a.field] = a.value
    said = {
        cid: next((v.strip() for k in wanted if (v := found.get(k, "")).strip()), "")
        for cid, found in notes.items()
    }
    return said, answers


def _actions(
    s: Session, customer_id: int, shown: list[int], call_id: int | None
) -> tuple[dict[int, list[ActionInfo]], list[ActionInfo], list[ActionInfo]]:
    """One query for three lists: what was promised on each of the ``shown`` calls (in the order
    added), the customer's open promises from other calls than ``call_id`` (soonest due first,
    none due last) and the next steps of ``call_id`` itself (in the order added)."""
    own = [call_id] if call_id is not None else []
    q = (
        select(ActionItem, Person.name)
        .outerjoin(Person, Person.id == ActionItem.owner_id)
        .where(
            or_(
                ActionItem.call_id.in_(shown + own),
                and_(ActionItem.customer_id == customer_id, ActionItem.status == "open"),
            )
        )
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)  # no due date last
    )
    promised: dict[int, list[ActionInfo]] = {}
    promises, actions = [], []
    in_shown = set(shown)
    for a, name in s.execute(q):
        info = action_info(a, name)
        if a.call_id in in_shown:
            promised.setdefault(a.call_id, []).append(info)
        if a.call_id == call_id:
            actions.append(info)
        elif a.customer_id == customer_id and a.status == "open":
            promises.append(info)
    for infos in (*promised.values(), actions):
        infos.sort(key=lambda i: i.id)
    return promised, promises, actions


def action_info(a: ActionItem, owner_name: str | None) -> ActionInfo:
    return ActionInfo(
        a.id, a.call_id, a.what, a.owner_id, owner_name or "", a.due_date, a.status, a.done_note, a.version
    )
