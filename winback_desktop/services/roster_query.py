"""The roster: one page of customers, filtered, searched and sorted in SQL; counts; filter lists.

Search as you type matches every word of the query, case-folded, anywhere in the customer's
``search_text`` (company, contact, id, phone, email); ``%`` and ``_`` are literal. The page is
ordered by an indexed column where one exists (priority, company, last purchase, value lost,
status, segment, decision), with the id as tie-breaker, so a page never sorts the whole table.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, func, select

from winback_desktop.services.context import AppContext
from winback_desktop.services.roster_rules import value
from winback_desktop.store.models import Customer

STATUSES = ("lapsed", "lost", "won_back", "active")
DECISIONS = ("undecided", "pursue", "let_go")
SORTS = {
    "priority": Customer.priority,
    "company": Customer.company,
    "external_id": Customer.external_id,
    "contact": Customer.contact_name,
    "status": Customer.status,
    "segment": Customer.segment,
    "owner": Customer.owner,
    "decision": Customer.decision,
    "last_purchase": Customer.last_purchase,
    "orders": Customer.orders_count,
    "total_revenue": Customer.total_revenue,
    "yearly_revenue": Customer.yearly_revenue,
    "value_lost": Customer.value_lost,
    "value": value(),
}


@dataclass(slots=True)
class RosterRow:
    id: int
    external_id: str
    company: str
    contact_name: str
    phone: str
    email: str
    status: str
    segment: str
    owner: str
    last_purchase: dt.date | None
    orders_count: int
    total_revenue: Decimal
    yearly_revenue: Decimal
    value_lost: Decimal
    priority: float
    priority_reason: str
    decision: str
    decision_reason: str
    verify_contact: bool
    contact_verified_on: dt.date | None

    @property
    def value(self) -> Decimal:
        """The yearly business they stand for: yearly revenue, else the value lost."""
        return self.yearly_revenue if self.yearly_revenue > 0 else self.value_lost


ROW_COLUMNS = (
    Customer.id,
    Customer.external_id,
    Customer.company,
    Customer.contact_name,
    Customer.phone,
    Customer.email,
    Customer.status,
    Customer.segment,
    Customer.owner,
    Customer.last_purchase,
    Customer.orders_count,
    Customer.total_revenue,
    Customer.yearly_revenue,
    Customer.value_lost,
    Customer.priority,
    Customer.priority_reason,
    Customer.decision,
    Customer.decision_reason,
    Customer.verify_contact,
    Customer.contact_verified_on,
)


def like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_words(text: str) -> list[str]:
    """The words of a query as ``search_text`` holds them (NFC, case-folded)."""
    return unicodedata.normalize("NFC", text).casefold().split()


def _one_or_many(column, wanted: str | Iterable[str] | None) -> ColumnElement[bool] | None:
    if wanted is None or wanted == "":
        return None
    if isinstance(wanted, str):
        return column == wanted
    return column.in_(list(wanted))


def _filtered(
    q: Select,
    *,
    text: str = "",
    status: str | Iterable[str] | None = None,
    segment: str | None = None,
    owner: str | None = None,
    decision: str | Iterable[str] | None = None,
    min_priority: float | None = None,
) -> Select:
    for word in search_words(text):  # every word must match somewhere
        q = q.where(Customer.search_text.like(like_pattern(word), escape="\\"))
    for column, wanted in (
        (Customer.status, status),
        (Customer.segment, segment),
        (Customer.owner, owner),
        (Customer.decision, decision),
    ):
        clause = _one_or_many(column, wanted)
        if clause is not None:
            q = q.where(clause)
    if min_priority is not None:
        q = q.where(Customer.priority >= min_priority)
    return q


def _row(r) -> RosterRow:
    return RosterRow(
        r.id,
        r.external_id or "",
        r.company,
        r.contact_name or "",
        r.phone or "",
        r.email or "",
        r.status,
        r.segment or "",
        r.owner or "",
        r.last_purchase,
        int(r.orders_count or 0),
        r.total_revenue if r.total_revenue is not None else Decimal("0"),
        r.yearly_revenue if r.yearly_revenue is not None else Decimal("0"),
        r.value_lost if r.value_lost is not None else Decimal("0"),
        float(r.priority or 0),
        r.priority_reason or "",
        r.decision,
        r.decision_reason or "",
        bool(r.verify_contact),
        r.contact_verified_on,
    )


def roster_page(
    ctx: AppContext,
    *,
    text: str = "",
    status: str | Iterable[str] | None = None,
    segment: str | None = None,
    owner: str | None = None,
    decision: str | Iterable[str] | None = None,
    min_priority: float | None = None,
    sort: str = "priority",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[RosterRow]:
    """One page of the roster; ``sort`` is a key of :data:`SORTS`."""
    try:
        key = SORTS[sort]
    except KeyError:
        raise ValueError(f"cannot sort by {sort!r}; one of {', '.join(SORTS)}") from None
    q = _filtered(
        select(*ROW_COLUMNS),
        text=text,
        status=status,
        segment=segment,
        owner=owner,
        decision=decision,
        min_priority=min_priority,
    )
    order = (key.desc(), Customer.id.desc()) if descending else (key.asc(), Customer.id.asc())
    q = q.order_by(*order).offset(max(0, offset)).limit(max(0, limit))
    with ctx.sessions() as s:
        return [_row(r) for r in s.connection().execute(q)]


def roster_count(
    ctx: AppContext,
    *,
    text: str = "",
    status: str | Iterable[str] | None = None,
    segment: str | None = None,
    owner: str | None = None,
    decision: str | Iterable[str] | None = None,
    min_priority: float | None = None,
    cap: int | None = None,
) -> int:
    """How many customers match; with ``cap``, counting stops there (show "10,000+")."""
    q = _filtered(
        select(Customer.id),
        text=text,
        status=status,
        segment=segment,
        owner=owner,
        decision=decision,
        min_priority=min_priority,
    )
    if cap is not None:
        q = q.limit(cap)
    with ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(q.subquery())) or 0


def _distinct(ctx: AppContext, column) -> list[str]:
    with ctx.sessions() as s:
        return list(s.scalars(select(column).where(column != "").distinct().order_by(column)))


def segments(ctx: AppContext) -> list[str]:
    """The segments in use, for the filter list."""
    return _distinct(ctx, Customer.segment)


def owners(ctx: AppContext) -> list[str]:
    """The account owners in use, for the filter list."""
    return _distinct(ctx, Customer.owner)


def call_list(ctx: AppContext, limit: int = 50, *, offset: int = 0) -> list[RosterRow]:
    """Whom to call: lapsed or lost customers, pursue or undecided (never let go), by priority."""
    return roster_page(
        ctx,
        status=("lapsed", "lost"),
        decision=("pursue", "undecided"),
        sort="priority",
        descending=True,
        offset=offset,
        limit=limit,
    )
