"""The customer list and the customer card."""

from __future__ import annotations

from sqlalchemy import func, select

from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import ActionInfo, CallSummary, CustomerCard, CustomerRow
from winback_desktop.store.models import ActionItem, Call, Customer, Person


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(ctx: AppContext, text: str = "", limit: int | None = None) -> list[CustomerRow]:
    """Customers whose company, contact, id, phone or email contains ``text`` (case-insensitive)."""
    q = select(
        Customer.id,
        Customer.external_id,
        Customer.company,
        Customer.contact_name,
        Customer.phone,
        Customer.value_lost,
        Customer.last_purchase,
        Customer.status,
    ).order_by(Customer.value_lost.desc(), Customer.company)
    text = text.strip()
    if text:
        for word in text.casefold().split():  # every word must match somewhere
            q = q.where(Customer.search_text.like(_like(word), escape="\\"))
    if limit:
        q = q.limit(limit)
    with ctx.sessions() as s:
        return [
            CustomerRow(
                r.id,
                r.external_id or "",
                r.company,
                r.contact_name,
                r.phone,
                r.value_lost,
                r.last_purchase,
                r.status,
            )
            for r in s.execute(q)
        ]


def count(ctx: AppContext) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(Customer)) or 0


def card(ctx: AppContext, customer_id: int, exclude_call: int | None = None) -> CustomerCard:
    with ctx.sessions() as s:
        c = s.get(Customer, customer_id)
        if c is None:
            raise LookupError(f"no customer with id {customer_id}")
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
