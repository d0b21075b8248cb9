"""Every import is a batch: listed, and taken back (undo) all or nothing.

Undoing batch B, in one write transaction:

* its order lines are deleted, and the lines it replaced (their order ref came again, changed)
  are put back; the purchase figures of every customer concerned are recomputed from the orders
  that remain (a customer left without orders gets back the last purchase and value lost a
  customers file had given them);
* the fields a customers file changed are put back to what they were, field by field, unless a
  later import (or a person) changed that field again since: the later value stays;
* customers the batch created are removed, unless something else refers to them (a call, an
  attempt, a follow-up, a cycle, or order lines of another batch): those stay, as customers;
* the priorities are ranked again, and the batch is marked undone: the same file may be
  imported again.

Dependencies: a batch whose order lines a later batch (still applied) replaced cannot be undone
before that later batch — :class:`UndoRefused` names it. Batches from before undo existed
(``tracked`` false) can be undone when they are orders batches (their lines are known; customers
they created stay); an untracked customers batch cannot.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, or_, select, update

from winback_desktop.importers.values import cents_to_decimal
from winback_desktop.services.changes import Change, reports
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import NotFound
from winback_desktop.services.imports.write import ID_CHUNK, chunks, recompute, stored_cents
from winback_desktop.services.roster import rank, rules
from winback_desktop.store.connection import write_transaction
from winback_desktop.store.models import (
    ActionItem,
    Call,
    CallAttempt,
    Customer,
    CycleAssignment,
    ImportBatch,
    ImportChange,
    Order,
    ReplacedOrder,
    utcnow,
)

B, C, OR = ImportBatch.__table__, Customer.__table__, Order.__table__
CH, RP = ImportChange.__table__, ReplacedOrder.__table__


class UndoRefused(Exception):
    """The batch cannot be undone (now): ``str()`` says why, for the user."""


@dataclass(frozen=True)
class Refusal:
    """Why a batch cannot be undone: a few words for a list's cell, and the sentence."""

    short: str  # "undo #5 first"
    reason: str  # "Import #5 (b.csv) replaced orders that import #3 wrote; undo #5 first."


@dataclass(frozen=True)
class BatchInfo:
    id: int
    kind: str  # customers / orders
    file_name: str
    imported_at: dt.datetime  # naive UTC
    rows: int
    customers: int | None  # created or changed (None: not known, an older batch)
    undone_at: dt.datetime | None
    tracked: bool


@dataclass(frozen=True)
class UndoPlan:
    """What undoing a batch will do: the words of the confirm question."""

    batch: BatchInfo
    order_lines: int  # lines it wrote that are still stored
    restored_lines: int  # lines it replaced, put back
    customers_removed: int  # created by it, referred to by nothing else
    customers_kept: int  # created by it, but referred to by calls, other batches' orders...
    customers_changed: int  # whose fields or figures it changed
    later: tuple[BatchInfo, ...]  # later applied batches touching the same customers
    refused: str = ""  # why it cannot be undone ("" when it can)

    def describe(self) -> str:
        """The question to ask before undoing: what it will do (or why it cannot be done)."""
        b = self.batch
        if self.refused:
            return self.refused
        question = f"Undo import #{b.id} ({b.file_name}, {b.rows:,} rows)?"
        return "\n\n".join((question, *self.effects()))

    def effects(self) -> list[str]:
        """What undoing it does, a sentence or two each (the question's body; a details view)."""
        parts: list[str] = []
        if self.batch.kind == "orders":
            parts.append(f"{self.order_lines:,} order lines are removed")
            if self.restored_lines:
                parts[-1] += f" and {self.restored_lines:,} lines it replaced are put back"
            parts[-1] += f"; the purchase figures of {self.customers_changed:,} customers are recomputed."
        else:
            parts.append(f"The fields it changed on {self.customers_changed:,} customers are put back.")
        if self.customers_removed:
            parts.append(f"{self.customers_removed:,} customers it created are removed.")
        if self.customers_kept:
            parts.append(
                f"{self.customers_kept:,} customers it created stay: calls, follow-ups or other "
                "imports refer to them."
            )
        if self.later:
            names = ", ".join(f"#{x.id} ({x.file_name})" for x in self.later[:3])
            parts.append(
                f"Later imports changed some of the same customers ({names}): what they changed "
                "stays; only this import's own changes are taken back."
            )
        parts.append("The priorities are ranked again. The file can then be imported again.")
        return parts

    def summary(self) -> str:
        """What an undo that went through did, in one paragraph (after the fact)."""
        b = self.batch
        done = [f"Import #{b.id} ({b.file_name}) is undone"]
        if b.kind == "orders":
            removed = f"{self.order_lines:,} order lines removed"
            if self.restored_lines:
                removed += f", {self.restored_lines:,} replaced lines put back"
            done.append(removed)
        else:
            done.append(f"the fields it changed on {self.customers_changed:,} customers put back")
        if self.customers_removed:
            done.append(f"{self.customers_removed:,} customers it created removed")
        return f"{done[0]}: {'; '.join(done[1:])}. The file can be imported again."


def _info(row: Any) -> BatchInfo:
    return BatchInfo(
        row.id,
        row.kind,
        row.file_name,
        row.imported_at,
        row.rows,
        row.customers,
        row.undone_at,
        bool(row.tracked),
    )


def list_batches(ctx: AppContext) -> list[BatchInfo]:
    """Every import, the latest first."""
    with ctx.engine.connect() as conn:
        return [_info(r) for r in conn.execute(select(B).order_by(B.c.id.desc()))]


def _batch(conn: Connection, batch_id: int) -> BatchInfo:
    row = conn.execute(select(B).where(B.c.id == batch_id)).first()
    if row is None:
        raise NotFound("import", batch_id)
    return _info(row)


def _customers_of(conn: Connection, batch_id: int) -> set[int]:
    """Customers whose data the batch changed: its lines, its replaced lines, its recorded changes."""
    out: set[int] = set()
    for table in (OR, RP, CH):
        out.update(conn.scalars(select(table.c.customer_id).where(table.c.import_id == batch_id).distinct()))
    return out


def _referred(customer_id: Any, batch_id: int) -> Any:
    """Something other than this batch refers to the customer."""
    return or_(
        exists().where(Call.customer_id == customer_id),
        exists().where(CallAttempt.customer_id == customer_id),
        exists().where(ActionItem.customer_id == customer_id),
        exists().where(CycleAssignment.customer_id == customer_id),
        exists().where(
            OR.c.customer_id == customer_id, or_(OR.c.import_id.is_(None), OR.c.import_id != batch_id)
        ),
    )


def _plan(conn: Connection, batch_id: int) -> UndoPlan:
    b = _batch(conn, batch_id)
    lines = conn.scalar(select(func.count()).select_from(OR).where(OR.c.import_id == batch_id)) or 0
    restored = conn.scalar(select(func.count()).select_from(RP).where(RP.c.import_id == batch_id)) or 0
    created = C.c.import_id == batch_id
    kept = conn.scalar(select(func.count()).where(created, _referred(C.c.id, batch_id))) or 0
    removed = (conn.scalar(select(func.count()).select_from(C).where(created)) or 0) - kept
    touched = _customers_of(conn, batch_id)
    later_ids: set[int] = set()
    for part in chunks(sorted(touched), ID_CHUNK):
        for table in (OR, CH, RP):
            q = select(table.c.import_id).where(table.c.customer_id.in_(part), table.c.import_id > batch_id)
            later_ids.update(i for i in conn.scalars(q.distinct()) if i is not None)
    later = tuple(
        _info(r)
        for r in conn.execute(
            select(B).where(B.c.id.in_(sorted(later_ids)), B.c.undone_at.is_(None)).order_by(B.c.id)
        )
    )
    refusal = _refusal(conn, b)
    why = refusal.reason if refusal else ""
    return UndoPlan(b, lines, restored, removed, kept, len(touched), later, why)


def _refusal(conn: Connection, b: BatchInfo) -> Refusal | None:
    if b.undone_at is not None:
        return Refusal("undone already", f"Import #{b.id} ({b.file_name}) was undone already.")
    if b.kind == "customers" and not b.tracked:
        return Refusal(
            "made before undo existed",
            f"Import #{b.id} ({b.file_name}) was made before imports could be undone: what it "
            "changed was not kept, so it cannot be taken back.",
        )
    blocker = conn.execute(
        select(B.c.id, B.c.file_name)
        .join(RP, RP.c.import_id == B.c.id)
        .where(RP.c.from_import_id == b.id, B.c.undone_at.is_(None))
        .order_by(B.c.id.desc())
        .limit(1)
    ).first()
    if blocker is not None:
        return Refusal(
            f"undo #{blocker.id} first",
            f"Import #{blocker.id} ({blocker.file_name}) replaced orders that import #{b.id} wrote; "
            f"undo #{blocker.id} first.",
        )
    return None


def refusals(ctx: AppContext) -> dict[int, Refusal]:
    """Batch id -> why it cannot be undone now, for every applied batch that cannot (one cheap
    query each: the list shows it before anyone asks)."""
    with ctx.engine.connect() as conn:
        applied = [_info(r) for r in conn.execute(select(B).where(B.c.undone_at.is_(None)))]
        return {b.id: why for b in applied if (why := _refusal(conn, b)) is not None}


def undo_plan(ctx: AppContext, batch_id: int) -> UndoPlan:
    """What :func:`undo` would do (raises NotFound for an unknown id)."""
    with ctx.engine.connect() as conn:
        return _plan(conn, batch_id)


@reports(Change.CUSTOMERS)
def undo(ctx: AppContext, batch_id: int) -> UndoPlan:
    """Take batch ``batch_id`` back (see the module docstring); raises UndoRefused, NotFound."""
    r = rules.rule(ctx)
    with write_transaction(ctx.engine) as conn:
        plan = _plan(conn, batch_id)
        if plan.refused:
            raise UndoRefused(plan.refused)
        touched = sorted(_customers_of(conn, batch_id))
        _put_fields_back(conn, batch_id)
        conn.execute(delete(OR).where(OR.c.import_id == batch_id))
        _put_replaced_back(conn, batch_id)
        recompute(conn, touched)
        _put_crm_figures_back(conn, batch_id)
        _remove_created(conn, batch_id)
        conn.execute(delete(CH).where(CH.c.import_id == batch_id))
        conn.execute(delete(RP).where(RP.c.import_id == batch_id))
        conn.execute(update(B).where(B.c.id == batch_id).values(applied_sha256=None, undone_at=utcnow()))
        rank.rerank(conn, r)
    return plan


def _put_replaced_back(conn: Connection, batch_id: int) -> None:
    keys = ("customer_id", "order_ref", "order_date", "amount", "import_id")
    lines = select(RP.c.customer_id, RP.c.order_ref, RP.c.order_date, RP.c.amount, RP.c.from_import_id)
    conn.execute(insert(OR).from_select(keys, lines.where(RP.c.import_id == batch_id)))


def _load(value: Any, column: str) -> Any:
    if value is None:
        return None
    if column == "last_purchase":
        return dt.date.fromisoformat(value)
    return value


def _put_fields_back(conn: Connection, batch_id: int) -> None:
    """A customers file's changes undone, field by field, where the field still holds its value."""
    q = select(CH.c.customer_id, CH.c.before, CH.c.after).where(
        CH.c.import_id == batch_id, CH.c.after != "{}"
    )
    for cid, before_text, after_text in conn.execute(q).all():
        before, after = json.loads(before_text), json.loads(after_text)
        row = conn.execute(select(*(C.c[k] for k in after)).where(C.c.id == cid)).first()
        if row is None:
            continue
        values: dict[str, Any] = {}
        for (column, wrote), now in zip(after.items(), row, strict=True):
            current = stored_cents(now) if column == "value_lost" else now
            current = current.isoformat() if isinstance(current, dt.date) else current
            if current == wrote:  # no one changed it since: put it back
                old = _load(before.get(column), column)
                values[column] = cents_to_decimal(old or 0) if column == "value_lost" else old
        if values:
            conn.execute(update(C).where(C.c.id == cid).values(**values))
    # The search text follows the fields (the model keeps it on ORM writes; these are Core).
    _refresh_search_text(conn, [cid for cid, *_ in conn.execute(q).all()])


def _refresh_search_text(conn: Connection, ids: list[int]) -> None:
    from winback_desktop.store.models import customer_search_text

    for part in chunks(ids, ID_CHUNK):
        rows = conn.execute(
            select(C.c.id, C.c.company, C.c.contact_name, C.c.external_id, C.c.phone, C.c.email).where(
                C.c.id.in_(part)
            )
        ).all()
        for cid, company, contact, ext, phone, email in rows:
            text = customer_search_text(company, contact or "", ext, phone or "", email or "")
            conn.execute(update(C).where(C.c.id == cid).values(search_text=text))


def _put_crm_figures_back(conn: Connection, batch_id: int) -> None:
    """Customers left without orders get back what a customers file had said of them."""
    q = select(CH.c.customer_id, CH.c.before).where(CH.c.import_id == batch_id, CH.c.after == "{}")
    for cid, before_text in conn.execute(q).all():
        if conn.execute(select(OR.c.id).where(OR.c.customer_id == cid).limit(1)).first() is not None:
            continue
        before = json.loads(before_text)
        conn.execute(
            update(C)
            .where(C.c.id == cid)
            .values(
                last_purchase=_load(before.get("last_purchase"), "last_purchase"),
                value_lost=cents_to_decimal(before.get("value_lost") or 0),
            )
        )


def _remove_created(conn: Connection, batch_id: int) -> None:
    created = select(C.c.id).where(C.c.import_id == batch_id, ~_referred(C.c.id, batch_id))
    gone = list(conn.scalars(created))
    for part in chunks(gone, ID_CHUNK):
        conn.execute(delete(CH).where(CH.c.customer_id.in_(part)))
        conn.execute(delete(RP).where(RP.c.customer_id.in_(part)))
        conn.execute(delete(C).where(C.c.id.in_(part)))
