"""The roster: one page of customers, filtered, searched and sorted in SQL; counts; filter lists.

Search as you type matches every word of the query, case-folded, anywhere in the customer's
``search_text`` (company, contact, id, phone, email); ``%`` and ``_`` are literal. Pages are
ordered by the sort key, then the id in the same direction. How a page and its count are read
at 100,000 customers is in ``roster_scan``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from sqlalchemy import ColumnElement, SQLColumnExpression, select

from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import RosterRow, roster_row
from winback_desktop.services.roster import scan
from winback_desktop.services.roster.rules import value
from winback_desktop.services.vocab import CustomerStatus, Decision
from winback_desktop.store.models import Customer

COUNT_CAP = 10_000  # roster_search counts up to this many
SORTS: dict[str, SQLColumnExpression[Any]] = {
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
    Customer.version,
)


def like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_words(text: str) -> list[str]:
    """The words of a query as ``search_text`` holds them (NFC, case-folded)."""
    return unicodedata.normalize("NFC", text).casefold().split()


def _one_or_many(
    column: SQLColumnExpression[str], wanted: str | Iterable[str] | None
) -> ColumnElement[bool] | None:
    if wanted is None or wanted == "":
        return None
    if isinstance(wanted, str):
        return column == wanted
    return column.in_(list(wanted))


@dataclass(frozen=True)
class _Filters:
    text: str = ""
    status: str | Iterable[str] | None = None
    segment: str | None = None
    owner: str | None = None
    decision: str | Iterable[str] | None = None
    min_priority: float | None = None

    def words(self) -> list[str]:
        return search_words(self.text)

    def scanned(self) -> bool:
        """Whether a filter no index serves is set (text, owner): SQL must scan the table."""
        return bool(self.words() or self.owner)

    def where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [
            Customer.search_text.like(like_pattern(word), escape="\\")  # every word must match
            for word in self.words()
        ]
        for column, wanted in (
            (Customer.status, self.status),
            (Customer.segment, self.segment),
            (Customer.owner, self.owner),
            (Customer.decision, self.decision),
        ):
            clause = _one_or_many(column, wanted)
            if clause is not None:
                clauses.append(clause)
        if self.min_priority is not None:
            clauses.append(Customer.priority >= self.min_priority)
        return clauses


@dataclass(slots=True)
class RosterResult:
    """One page and how many customers match in all."""

    rows: list[RosterRow]
    total: int  # matching customers, counted up to the cap
    capped: bool  # more than ``total`` match: show "10,000+"


def _sort_key(sort: str) -> SQLColumnExpression[Any]:
    try:
        return SORTS[sort]
    except KeyError:
        raise ValueError(f"cannot sort by {sort!r}; one of {', '.join(SORTS)}") from None


def _read(
    ctx: AppContext,
    f: _Filters,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
    *,
    count: bool,
    count_cap: int | None,
) -> RosterResult:
    """The page, and the count when asked; one read (see roster_scan for the plan)."""
    key = _sort_key(sort)
    offset, limit = max(0, offset), max(0, limit)
    where = f.where()
    with ctx.sessions() as s:
        conn = s.connection()
        total: int | None = None
        capped = False
        if limit and scan.one_scan_pays(conn, where, f.scanned()):
            ids, total = scan.page_ids_and_count(conn, where, key, descending, offset, limit)
            page_where = [scan.by_ids(ids)] if ids else None
            if total is None and offset == 0:
                total = 0
        else:
            page_where = where
        rows = []
        if page_where is not None and limit:
            q = scan.ordered(select(*ROW_COLUMNS).where(*page_where), key, descending)
            if page_where is where:
                q = q.offset(offset).limit(limit)
            rows = [roster_row(r) for r in conn.execute(q)]
        if total is None and count:
            # Capped only when counting means scanning: an index counts every match quickly.
            total, capped = scan.count(conn, where, count_cap if f.scanned() else None)
    return RosterResult(rows, total or 0, capped)


class RosterQuery(TypedDict, total=False):
    """What :func:`roster_page` takes: :func:`roster_search`'s filters, sort and page."""

    text: str
    status: str | Iterable[str] | None
    segment: str | None
    owner: str | None
    decision: str | Iterable[str] | None
    min_priority: float | None
    sort: str
    descending: bool
    offset: int
    limit: int


def roster_search(
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
    count_cap: int | None = COUNT_CAP,
    count: bool = True,
) -> RosterResult:
    """One keystroke of search as you type: the page and the count, from one read.

    ``sort`` is a key of :data:`SORTS`. When counting means scanning (a text or owner filter),
    the count stops at ``count_cap`` (default 10,000) and ``capped`` says more match (show
    "10,000+"); ``count_cap=None`` counts them all. ``count=False`` reads the page only (the
    total is then 0).
    """
    f = _Filters(text, status, segment, owner, decision, min_priority)
    return _read(ctx, f, sort, descending, offset, limit, count=count, count_cap=count_cap if count else None)


def roster_page(ctx: AppContext, **query: Unpack[RosterQuery]) -> list[RosterRow]:
    """One page of the roster (:func:`roster_search` without the count)."""
    return roster_search(ctx, **query, count=False).rows


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
    """How many customers match; with ``cap``, counting stops at ``cap + 1`` ("more than cap")."""
    f = _Filters(text, status, segment, owner, decision, min_priority)
    with ctx.sessions() as s:
        n, capped = scan.count(s.connection(), f.where(), cap)
    return n + 1 if capped else n


def _distinct(ctx: AppContext, column: SQLColumnExpression[str]) -> list[str]:
    with ctx.sessions() as s:
        # Sorted here in code-point order, as SQLite's BINARY (a server's locale would differ).
        return sorted(s.scalars(select(column).where(column != "").distinct()))


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
        status=(CustomerStatus.LAPSED, CustomerStatus.LOST),
        decision=(Decision.PURSUE, Decision.UNDECIDED),
        sort="priority",
        descending=True,
        offset=offset,
        limit=limit,
    )
