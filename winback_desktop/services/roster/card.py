"""The customer list and the customer card."""

from __future__ import annotations

from sqlalchemy import func, select
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
        c = get_or_raise(s, Customer, customer_id)
        calls_q = (
            select(Call, Person.name)
            .outerjoin(Person, Person.id == Call.caller_id)
            .where(Call.customer_id == customer_id)
            .order_by(func.coalesce(Call.started_at, Call.scheduled_at).desc().nulls_last(), Call.id.desc())
        )
        if exclude_call is not None:
            calls_q = calls_q.where(Call.id != exclude_call)
        rows = s.execute(calls_q).all()
        said, promised = _timeline(ctx, s, [call.id for call, _name in rows[:TIMELINE_CALLS]])
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
        promises_q = (
            select(ActionItem, Person.name)
            .outerjoin(Person, Person.id == ActionItem.owner_id)
            .where(ActionItem.customer_id == customer_id, ActionItem.status == "open")
            .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)  # no due date last
        )
        if exclude_call is not None:
            promises_q = promises_q.where(ActionItem.call_id != exclude_call)
        promises = [action_info(a, name) for a, name in s.execute(promises_q)]
        return CustomerCard(
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


def _said_fields(ctx: AppContext) -> list[str]:
    """The fields that hold what the customer said, best first: the repeat-back (checked with
    them), then the other free-text notes in script order."""
    texts = [f for stage in ctx.script.stages for f in stage.fields if f.kind == "text"]
    return [f.key for f in sorted(texts, key=lambda f: not f.prefill_from)]


def _timeline(
    ctx: AppContext, s: Session, call_ids: list[int]
) -> tuple[dict[int, str], dict[int, list[ActionInfo]]]:
    """For each of ``call_ids``: what the customer said, and what was promised in that call."""
    if not call_ids:
        return {}, {}
    wanted = _said_fields(ctx)
    notes: dict[int, dict[str, str]] = {}
    for call_id, key, value in s.execute(
        select(StageAnswer.call_id, StageAnswer.field, StageAnswer.value).where(
            StageAnswer.call_id.in_(call_ids), StageAnswer.field.in_(wanted)
        )
    ):
        notes.setdefault(call_id, {})[key] = value
    said = {
        cid: next((v.strip() for k in wanted if (v := found.get(k, "")).strip()), "")
        for cid, found in notes.items()
    }
    promised: dict[int, list[ActionInfo]] = {}
    for a, name in s.execute(
        select(ActionItem, Person.name)
        .outerjoin(Person, Person.id == ActionItem.owner_id)
        .where(ActionItem.call_id.in_(call_ids))
        .order_by(ActionItem.id)
    ):
        promised.setdefault(a.call_id, []).append(action_info(a, name))
    return said, promised


def action_info(a: ActionItem, owner_name: str | None) -> ActionInfo:
    return ActionInfo(
        a.id, a.call_id, a.what, a.owner_id, owner_name or "", a.due_date, a.status, a.done_note, a.version
    )
