"""The partner's follow-up board: every promise made on a call, by owner and due date.

An action item is *overdue* when it is still open and its due date is before today. The board is
one query (action items joined to their customer, owner, call and caller); every change is its
own short transaction. Nothing typed is thrown away: reopening a done item keeps its note, and
marking it done again without a new note keeps the old one.

This module is the one place an item's status changes (the call window edits only what, who
and when), so ``done_at`` always agrees with it: set when an item is marked done (and kept if it
is marked done again), cleared when it is reopened, and cleared when it is cancelled: a
cancelled promise was never done, and "done in the last 30 days" counts only done ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, Unpack

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from winback_desktop.files import atomic_write_csv
from winback_desktop.formats import iso_utc
from winback_desktop.services import clock
from winback_desktop.services.changes import Change, reports
from winback_desktop.services.conflicts import Conflict, Stale
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import NotFound, get_or_raise
from winback_desktop.services.vocab import ActionStatus
from winback_desktop.store.connection import retried, transaction
from winback_desktop.store.models import ActionItem, Call, Customer, Person, utcnow
from winback_desktop.store.portable import folded_order

STATUS_FILTERS = (*ActionStatus.values(), "all")
# Pass as owner_id to see (or count) the promises nobody owns; person ids start at 1.
NO_OWNER = 0
NO_OWNER_LABEL = "(no owner)"
DONE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class FollowUp:
    """One action item as the board shows it (plain data, never a live ORM row)."""

    id: int
    call_id: int
    customer_id: int
    customer_external_id: str
    company: str
    contact: str
    phone: str
    what: str
    owner_id: int | None
    owner_name: str
    due_date: dt.date | None
    status: str  # open / done / cancelled
    done_note: str
    done_at: dt.datetime | None  # naive UTC, as stored
    created_at: dt.datetime  # naive UTC, as stored
    overdue: bool  # open and due before today
    days_overdue: int  # 0 unless overdue
    call_at: dt.datetime | None  # when the call started (or was scheduled), naive UTC
    caller_name: str
    version: int = 1  # the item's version when read: a change names it (services/conflicts.py)

    @property
    def call_date(self) -> dt.date | None:
        """The call's day in local time (``call_at`` is stored as naive UTC)."""
        return clock.local_date(self.call_at)


@dataclass(frozen=True)
class OwnerOption:
    """An entry of the board's owner filter: someone with open items (or NO_OWNER)."""

    id: int  # a person id, or NO_OWNER
    name: str
    open_items: int
    overdue: int
    active: bool = True  # a retired person may still own open promises: reassign them


@dataclass(frozen=True)
class BoardCounts:
    open: int
    overdue: int
    due_this_week: int  # open, due from today up to and including this Sunday
    done_last_30_days: int


class BoardFilters(TypedDict, total=False):
    """The filters :func:`board` takes, as keyword arguments (:func:`export_followups` passes
    them on)."""

    owner_id: int | None
    status: str
    due_before: dt.date | None
    overdue_only: bool
    customer_text: str
    today: dt.date | None


# --- reading --------------------------------------------------------------------------------------


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _board_query() -> Select[*tuple[Any, ...]]:
    owner, caller = aliased(Person), aliased(Person)
    return (
        select(
            ActionItem.id,
            ActionItem.call_id,
            ActionItem.customer_id,
            Customer.external_id,
            Customer.company,
            Customer.contact_name,
            Customer.phone,
            ActionItem.what,
            ActionItem.owner_id,
            owner.name.label("owner_name"),
            ActionItem.due_date,
            ActionItem.status,
            ActionItem.done_note,
            ActionItem.done_at,
            ActionItem.created_at,
            func.coalesce(Call.started_at, Call.scheduled_at).label("call_at"),
            caller.name.label("caller_name"),
            ActionItem.version,
        )
        .join(Customer, Customer.id == ActionItem.customer_id)
        .join(Call, Call.id == ActionItem.call_id)
        .outerjoin(owner, owner.id == ActionItem.owner_id)
        .outerjoin(caller, caller.id == Call.caller_id)
        .order_by(
            owner.name.is_(None),  # promises nobody owns come last
            folded_order(owner.name),
            ActionItem.owner_id,  # two people of the same name stay apart
            ActionItem.due_date.is_(None),  # no due date last
            ActionItem.due_date,
            ActionItem.id,
        )
    )


def _follow_up(row: Row[*tuple[Any, ...]], today: dt.date) -> FollowUp:
    # Positional, in the order of _board_query's columns: this runs once per row of the board.
    (id_, call_id, customer_id, ext, company, contact, phone, what, owner_id, owner_name, due, status,
     done_note, done_at, created_at, call_at, caller_name, version) = row  # fmt: skip
    overdue = status == ActionStatus.OPEN and due is not None and due < today
    return FollowUp(
        id_,
        call_id,
        customer_id,
        ext or "",
        company,
        contact or "",
        phone or "",
        what or "",
        owner_id,
        owner_name or "",
        due,
        status,
        done_note or "",
        done_at,
        created_at,
        overdue,
        (today - due).days if overdue else 0,
        call_at,
        caller_name or "",
        version,
    )


def board(
    ctx: AppContext,
    *,
    owner_id: int | None = None,
    status: str = "open",
    due_before: dt.date | None = None,
    overdue_only: bool = False,
    customer_text: str = "",
    today: dt.date | None = None,
) -> list[FollowUp]:
    """The follow-up board, ordered by owner name, then due date (none last), then id.

    ``owner_id``: one person's items (NO_OWNER: the items nobody owns; None: everyone's).
    ``status``: open / done / cancelled / all. ``due_before``: due strictly before that day.
    ``overdue_only``: open items due before ``today``. ``customer_text``: every word must occur
    in the customer's company, contact, id, phone or email (case-insensitive, accents included).
    An unknown owner id raises LookupError; an unknown status, ValueError.
    """
    if status not in STATUS_FILTERS:
        raise ValueError(f"unknown status {status!r}: use one of {', '.join(STATUS_FILTERS)}")
    today = today or clock.today()
    q = _board_query()
    if owner_id == NO_OWNER:
        q = q.where(ActionItem.owner_id.is_(None))
    elif owner_id is not None:
        q = q.where(ActionItem.owner_id == owner_id)
    if status != "all":
        q = q.where(ActionItem.status == status)
    if due_before is not None:
        q = q.where(ActionItem.due_date < due_before)
    if overdue_only:
        q = q.where(ActionItem.status == ActionStatus.OPEN, ActionItem.due_date < today)
    for word in customer_text.casefold().split():
        q = q.where(Customer.search_text.like(_like(word), escape="\\"))
    with ctx.sessions() as s:
        if owner_id not in (None, NO_OWNER):
            get_or_raise(s, Person, owner_id)
        # Core execution: plain tuples, without the ORM's per-row bookkeeping.
        rows = s.connection().execute(q).all()
    return [_follow_up(r, today) for r in rows]


def get(ctx: AppContext, action_id: int, *, today: dt.date | None = None) -> FollowUp:
    """One action item as the board shows it; LookupError when there is none."""
    today = today or clock.today()
    q = _board_query()
    with ctx.sessions() as s:
        row = s.execute(q.where(ActionItem.id == action_id)).first()
    if row is None:
        raise NotFound("action item", action_id)
    return _follow_up(row, today)


def owners_with_open_items(ctx: AppContext, *, today: dt.date | None = None) -> list[OwnerOption]:
    """Everyone who owns an open item, by name, with counts; then NO_OWNER if any are unowned."""
    today = today or clock.today()
    is_overdue = case((ActionItem.due_date < today, 1), else_=0)
    q = (
        select(
            ActionItem.owner_id,
            Person.name,
            Person.active,
            func.count(ActionItem.id),
            func.coalesce(func.sum(is_overdue), 0),
        )
        .outerjoin(Person, Person.id == ActionItem.owner_id)
        .where(ActionItem.status == ActionStatus.OPEN)
        .group_by(ActionItem.owner_id, Person.name, Person.active)
        .order_by(ActionItem.owner_id.is_(None), folded_order(Person.name), ActionItem.owner_id)
    )
    with ctx.sessions() as s:
        rows = s.execute(q).all()
    return [
        OwnerOption(
            NO_OWNER if pid is None else pid,
            NO_OWNER_LABEL if pid is None else name,
            int(n),
            int(late),
            True if pid is None else bool(active),
        )
        for pid, name, active, n, late in rows
    ]


def counts(ctx: AppContext, today: dt.date | None = None, *, owner_id: int | None = None) -> BoardCounts:
    """Open, overdue, due this week (today to Sunday) and done in the last 30 days."""
    today = today or clock.today()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    since = clock.local_day_start(today - dt.timedelta(days=DONE_WINDOW_DAYS))  # done_at is UTC
    is_open = ActionItem.status == ActionStatus.OPEN

    def total(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    q = select(
        total(is_open),
        total(is_open, ActionItem.due_date < today),
        total(is_open, ActionItem.due_date >= today, ActionItem.due_date <= sunday),
        total(ActionItem.status == ActionStatus.DONE, ActionItem.done_at >= since),
    ).select_from(ActionItem)
    if owner_id == NO_OWNER:
        q = q.where(ActionItem.owner_id.is_(None))
    elif owner_id is not None:
        q = q.where(ActionItem.owner_id == owner_id)
    with ctx.sessions() as s:
        row = s.execute(q).one()
    return BoardCounts(*(int(v) for v in row))


# --- changing -------------------------------------------------------------------------------------


def _item(
    s: Session, action_id: int, version: int | None = None, mine: str = "", *, words: bool = False
) -> ActionItem:
    """The item, locked for this change (``FOR UPDATE`` on PostgreSQL; SQLite's write
    transaction holds its lock from the start); its version moves on with the change.

    ``version``: the one the board showed. Someone else's change meanwhile raises
    :class:`Stale` (theirs: the item as it stands; ``mine``: this change in words), nothing done;
    ``words``: this change brings a note that can be kept beside theirs (Keep both).
    """
    item = s.get(ActionItem, action_id, with_for_update=True)
    if item is None:
        raise NotFound("action item", action_id)
    if version is not None and item.version != version:
        owner = s.get(Person, item.owner_id) if item.owner_id else None
        theirs = " · ".join(
            x
            for x in (
                item.what.strip() or "(nothing written)",
                owner.name if owner else "nobody",
                item.due_date and f"due {item.due_date}",
                ActionStatus.label_of(item.status),
                item.done_note.strip(),
            )
            if x
        )
        stored = {"done_note": item.done_note, "status": item.status, "both": words}
        raise Stale(
            Conflict("followup", str(action_id), "Follow-up", theirs, mine, item.version, stored=stored)
        )
    item.version = item.version + 1
    return item


@reports(Change.FOLLOWUPS)
@retried  # a team server may refuse it for another desk\'s sake: run again
def mark_done(ctx: AppContext, action_id: int, note: str = "", version: int | None = None) -> None:
    """Mark an item done, with what was done (optional but encouraged) and when.

    Marking a done item done again keeps its first done time; an empty note keeps an earlier one.
    ``version`` (here and below): the one the board showed, see :func:`_item`.
    """
    with transaction(ctx.sessions) as s:
        item = _item(
            s,
            action_id,
            version,
            " · ".join(x for x in ("Done", note.strip()) if x),
            words=bool(note.strip()),
        )
        if note.strip():
            item.done_note = note.strip()
        if item.status != ActionStatus.DONE or item.done_at is None:
            item.status, item.done_at = ActionStatus.DONE, utcnow()


@reports(Change.FOLLOWUPS)
@retried  # a team server may refuse it for another desk\'s sake: run again
def reopen(ctx: AppContext, action_id: int, version: int | None = None) -> None:
    """Put a done or cancelled item back on the open board; its note is kept."""
    with transaction(ctx.sessions) as s:
        item = _item(s, action_id, version, "Open again")
        item.status, item.done_at = ActionStatus.OPEN, None


@reports(Change.FOLLOWUPS)
@retried  # a team server may refuse it for another desk\'s sake: run again
def cancel(ctx: AppContext, action_id: int, note: str = "", version: int | None = None) -> None:
    """Drop a promise that no longer applies (it leaves the open board; nothing is deleted).

    A cancelled item has no done time: it was never done.
    """
    with transaction(ctx.sessions) as s:
        said = " · ".join(x for x in ("Cancelled", note.strip()) if x)
        item = _item(s, action_id, version, said, words=bool(note.strip()))
        if note.strip():
            item.done_note = note.strip()
        item.status, item.done_at = ActionStatus.CANCELLED, None


@reports(Change.FOLLOWUPS)
@retried  # a team server may refuse it for another desk\'s sake: run again
def reassign(ctx: AppContext, action_id: int, owner_id: int | None, version: int | None = None) -> None:
    """Give the item to another person (None: nobody). A retired person cannot take it."""
    with transaction(ctx.sessions) as s:
        named = s.get(Person, owner_id) if owner_id is not None else None
        item = _item(s, action_id, version, f"Owner: {named.name if named else 'nobody'}")
        person = get_or_raise(s, Person, owner_id) if owner_id is not None else None
        if person is not None and not person.active and owner_id != item.owner_id:
            raise ValueError(f"{person.name} is retired: give the item to someone active")
        item.owner_id = owner_id


@reports(Change.FOLLOWUPS)
@retried  # a team server may refuse it for another desk\'s sake: run again
def set_due(ctx: AppContext, action_id: int, due: dt.date | None, version: int | None = None) -> None:
    """Set (or with None, clear) the item's due date."""
    with transaction(ctx.sessions) as s:
        _item(s, action_id, version, f"Due {due}" if due else "No due date").due_date = due


# --- export ---------------------------------------------------------------------------------------

CSV_HEADER = [
    "id",
    "due_date",
    "status",
    "overdue_days",
    "owner",
    "company",
    "customer_external_id",
    "contact",
    "phone",
    "what",
    "done_note",
    "done_at",
    "created_at",
    "call_id",
    "call_at",
    "caller",
]


def csv_row(f: FollowUp) -> list[str]:
    return [
        str(f.id),
        f.due_date.isoformat() if f.due_date else "",
        f.status,
        str(f.days_overdue) if f.overdue else "",
        f.owner_name,
        f.company,
        f.customer_external_id,
        f.contact,
        f.phone,
        f.what,
        f.done_note,
        iso_utc(f.done_at),
        iso_utc(f.created_at),
        str(f.call_id),
        iso_utc(f.call_at),
        f.caller_name,
    ]


def export_followups(ctx: AppContext, out: Path, **filters: Unpack[BoardFilters]) -> int:
    """Write the board (same filters as :func:`board`) to ``out`` as CSV; returns the row count.

    UTF-8 with a BOM, formula-safe cells, written atomically with mode 0600 (see files.py).
    """
    items = board(ctx, **filters)
    atomic_write_csv(Path(out), CSV_HEADER, (csv_row(f) for f in items))
    return len(items)
