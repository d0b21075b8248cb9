"""The customer list and the customer card."""

from __future__ import annotations

from sqlalchemy import func, select

from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import ActionInfo, CallSummary, CustomerCard
from winback_desktop.services.errors import get_or_raise
from winback_desktop.store.models import ActionItem, Call, Customer, Person


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
            .order_by(func.coalesce(Call.started_at, Call.scheduled_at).desc())
        )
        if exclude_call is not None:
            calls_q = calls_q.where(Call.id != exclude_call)
        calls = [
            CallSummary(
                call.id,
                call.status,
                call.started_at or call.scheduled_at,
                name or "",
                call.outcome,
                call.current_stage,
            )
            for call, name in s.execute(calls_q)
        ]
        promises_q = (
            select(ActionItem, Person.name)
            .outerjoin(Person, Person.id == ActionItem.owner_id)
            .where(ActionItem.customer_id == customer_id, ActionItem.status == "open")
            .order_by(ActionItem.due_date)
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


def action_info(a: ActionItem, owner_name: str | None) -> ActionInfo:
    return ActionInfo(
        a.id, a.call_id, a.what, a.owner_id, owner_name or "", a.due_date, a.status, a.done_note
    )
