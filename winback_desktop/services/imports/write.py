"""Writing validated rows, inside the caller's one transaction, with bulk statements.

A million order lines must take seconds, so rows go to the driver's ``executemany`` in chunks:
the SQL is compiled once by SQLAlchemy for the connection's dialect (portable; nothing here is
SQLite-specific), and values are converted column by column with the column types' own bind
processors, which is what SQLAlchemy would do per row, only without its per-row overhead.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import compress, repeat
from operator import itemgetter
from typing import Any, TypeVar, cast

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from winback_desktop.importers.mapping import CUSTOMERS as KIND_CUSTOMERS
from winback_desktop.importers.mapping import ORDERS as KIND_ORDERS
from winback_desktop.importers.mapping import fields
from winback_desktop.importers.validate import CUSTOMER_COLUMNS, CustomerRows, OrderRows
from winback_desktop.importers.values import cents_to_decimal, id_key
from winback_desktop.services.roster import purchases
from winback_desktop.store.models import (
    Customer,
    ImportChange,
    Order,
    ReplacedOrder,
    customer_search_text,
    utcnow,
)

log = logging.getLogger(__name__)

CHUNK = 20_000  # rows per executemany (progress and cancel are checked between chunks)
ID_CHUNK = 900  # ids per IN (...) list: below the 999 variables of older SQLite builds
Wrote = Callable[[int], None]  # (rows written so far) -> None; may raise ImportCancelled
T = TypeVar("T")

CUSTOMERS = Customer.__table__
ORDERS = Order.__table__
CHANGES = ImportChange.__table__
REPLACED = ReplacedOrder.__table__


def _field_limits() -> dict[str, int]:
    """Field name -> the most characters its column keeps, from the models (their one owner)."""
    out: dict[str, int] = {}
    for spec in (*fields(KIND_CUSTOMERS), *fields(KIND_ORDERS)):
        table = ORDERS if spec.name == "order_ref" else CUSTOMERS
        column = {"customer_external_id": "external_id"}.get(spec.name, spec.name)
        length = getattr(table.c[column].type, "length", None) if column in table.c else None
        if length is not None:
            out[spec.name] = length
    return out


FIELD_LIMITS = _field_limits()  # what importers.validate checks text lengths against


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class BulkStatement:
    """``stmt`` compiled once for ``conn``; run with rows of values in ``keys`` order."""

    def __init__(
        self,
        conn: Connection,
        stmt: ClauseElement,
        keys: Sequence[str],
        constants: dict[str, Any] | None = None,
    ):
        dialect = conn.dialect
        # for_executemany: no RETURNING of new ids (PostgreSQL would add one), none is wanted.
        compiled = cast(SQLCompiler, stmt.compile(dialect=dialect, for_executemany=True))
        self.conn = conn
        self.sql = compiled.string
        self.keys = tuple(keys)
        self.processors: dict[str, Callable[[Any], Any] | None] = {
            k: compiled.binds[k].type.dialect_impl(dialect).bind_processor(dialect) for k in self.keys
        }
        # Values the same on every row, appended to each (processed once): the ``constants``,
        # and literals the statement carries as bound parameters (e.g. the 0 of coalesce(x, 0)).
        constants = dict(constants or {})
        for name in compiled.positiontup or compiled.binds:
            if name not in self.keys and name not in constants:
                constants[name] = compiled.binds[name].effective_value
        self._suffix = tuple(self._processor(compiled, k, v) for k, v in constants.items())
        all_keys = (*self.keys, *constants)
        self._named = not compiled.positional
        self._all_keys = all_keys
        order = [] if self._named else [all_keys.index(name) for name in compiled.positiontup or ()]
        self._order = None if order == list(range(len(all_keys))) else order

    @staticmethod
    def _processor(compiled: Any, key: str, value: Any) -> Any:
        dialect = compiled.dialect
        proc = compiled.binds[key].type.dialect_impl(dialect).bind_processor(dialect)
        return value if proc is None or value is None else proc(value)

    def column(self, key: str, values: Iterable[Any], *, memo: dict[Any, Any] | None = None) -> list[Any]:
        """``values`` as the driver takes them for ``key``; with a ``memo`` (for values that
        repeat, such as dates), each distinct value is processed once and remembered there."""
        proc = self.processors[key]
        if proc is None:
            return list(values)
        if memo is None:
            return [None if v is None else proc(v) for v in values]
        out = []
        for v in values:
            try:
                out.append(memo[v])
            except KeyError:
                memo[v] = p = None if v is None else proc(v)
                out.append(p)
        return out

    def process(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """``rows`` (values in ``keys`` order) as the driver takes them, converted column-wise."""
        if not rows:
            return []
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for i, key in enumerate(self.keys):
            proc = self.processors[key]
            if proc is not None:
                columns[i] = [None if v is None else proc(v) for v in columns[i]]
        return list(zip(*columns, strict=True))

    def run(self, rows: Sequence[Sequence[Any]]) -> None:
        """Execute for processed ``rows`` (see :meth:`column` / :meth:`process`)."""
        if not rows:
            return
        params: Any
        if self._suffix:
            suffix = self._suffix
            rows = [tuple(r) + suffix for r in rows]
        if self._named:
            params = [dict(zip(self._all_keys, r, strict=True)) for r in rows]
        elif self._order is not None:
            if len(self._order) == 1:
                params = [(r[self._order[0]],) for r in rows]
            else:
                params = list(map(itemgetter(*self._order), rows))
        else:
            params = rows if isinstance(rows, list) else list(rows)
        self.conn.exec_driver_sql(self.sql, params)


def _insert(conn: Connection, table: Any, keys: Sequence[str], **constants: Any) -> BulkStatement:
    """An INSERT of ``keys`` per row and ``constants`` on every row; the other columns with
    Python-side defaults get those defaults."""
    for col in table.c:
        default = col.default
        if col.key in keys or col.key in constants or col.primary_key or default is None:
            continue
        if default.is_scalar:
            constants[col.key] = default.arg
        elif default.is_callable:
            constants[col.key] = default.arg(None)  # SQLAlchemy wraps it to take a context
        else:
            raise ValueError(f"cannot bulk-insert {table.name}.{col.key}: its default is SQL")
    stmt = insert(table).values({k: bindparam(k) for k in (*keys, *constants)})
    return BulkStatement(conn, stmt, keys, constants)


def stored_cents(value: Decimal | float | None) -> int:
    return 0 if value is None else int((Decimal(str(value)) * 100).to_integral_value())


# ---------------------------------------------------------------------------------- customers

_NEW_CUSTOMER = (*CUSTOMER_COLUMNS, "notes", "search_text")


def _new_customer(row: tuple) -> tuple:
    ext, company, contact, title, phone, email, cents, last, segment, owner, status = row
    company = company or contact or ext
    return (
        ext,
        company,
        contact or "",
        title or "",
        phone or "",
        email or "",
        cents_to_decimal(cents or 0),
        last,
        segment or "",
        owner or "",
        status or "lapsed",
        "",
        customer_search_text(company, contact or "", ext, phone or "", email or ""),
    )


def write_customers(
    conn: Connection, data: CustomerRows, wrote: Wrote, batch_id: int | None = None
) -> dict[str, Any]:
    """New customers inserted, changed ones updated (empty cells keep what is stored).

    For customers with an imported order history, the value lost and last purchase stay as the
    history says: a CRM's "revenue" or "last order" column does not overwrite them. With a
    ``batch_id``, new customers carry it and each change is recorded (``import_changes``: the
    fields before and after) so that the batch can be undone.
    """
    stored: dict[str, tuple] = {}
    with_orders: set[str] = set()
    columns = [CUSTOMERS.c[k] for k in CUSTOMER_COLUMNS]
    q = (
        select(CUSTOMERS.c.id, *columns, CUSTOMERS.c.orders_count)
        .where(CUSTOMERS.c.external_id.is_not(None))
        .order_by(CUSTOMERS.c.id)
    )
    for r in conn.execute(q):
        key = id_key(r[1])  # the file's ids are cleaned (values.clean_id): so are the stored ones
        if key in stored:  # look-alikes stored before ids were cleaned: the first one matches
            continue
        stored[key] = (r[0], key, *r[2:7], stored_cents(r[7]), *r[8:-1])
        if r[-1]:
            with_orders.add(key)
    mapped = [k for k in data.mapped if k != "external_id"]
    at = {k: CUSTOMER_COLUMNS.index(k) for k in CUSTOMER_COLUMNS}
    derived = (at["value_lost"], at["last_purchase"])
    new: list[tuple] = []
    changed: list[tuple] = []
    record: list[tuple[int, int, str, str]] = []
    unchanged = 0
    for row in data.rows:
        old = stored.get(row[0])
        if old is None:
            new.append(_new_customer(row))
            continue
        if row[0] in with_orders:  # their order history, not the file, says what they bought
            row = tuple(None if i in derived else v for i, v in enumerate(row))
        merged = tuple(v if v is not None else o for v, o in zip(row, old[1:], strict=True))
        if merged == old[1:]:
            unchanged += 1
            continue
        if batch_id is not None:
            record.append(_change(batch_id, old[0], old[1:], merged))
        values = [merged[at[k]] for k in mapped]
        if "value_lost" in mapped:
            values[mapped.index("value_lost")] = cents_to_decimal(merged[at["value_lost"]])
        company, contact, phone, email = (
            merged[at[k]] for k in ("company", "contact_name", "phone", "email")
        )
        values.append(customer_search_text(company, contact, row[0], phone, email))
        values.append(old[0])
        changed.append(tuple(values))
    done = 0
    ins = _insert(conn, CUSTOMERS, _NEW_CUSTOMER, created_at=utcnow(), import_id=batch_id)
    for chunk in chunks(new, CHUNK):
        ins.run(ins.process(chunk))
        done += len(chunk)
        wrote(done)
    _record_changes(conn, record)
    if changed:
        keys = [f"p_{k}" for k in (*mapped, "search_text")]
        stmt = (
            update(CUSTOMERS)
            .where(CUSTOMERS.c.id == bindparam("p_id"))
            .values({k[2:]: bindparam(k) for k in keys})
        )
        upd = BulkStatement(conn, stmt, [*keys, "p_id"])
        for chunk in chunks(changed, CHUNK):
            upd.run(upd.process(chunk))
            done += len(chunk)
            wrote(done)
    return {"added": len(new), "updated": len(changed), "unchanged": unchanged}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _change(
    batch_id: int, customer_id: int, old: Sequence[Any], new: Sequence[Any]
) -> tuple[int, int, str, str]:
    """(batch, customer, before, after): the fields that differ, as JSON (money in cents)."""
    differ = [i for i, (o, n) in enumerate(zip(old, new, strict=True)) if o != n]
    before = {CUSTOMER_COLUMNS[i]: _jsonable(old[i]) for i in differ}
    after = {CUSTOMER_COLUMNS[i]: _jsonable(new[i]) for i in differ}
    return batch_id, customer_id, json.dumps(before), json.dumps(after)


def _record_changes(conn: Connection, record: Sequence[tuple[int, int, str, str]]) -> None:
    if not record:
        return
    ins = _insert(conn, CHANGES, ("import_id", "customer_id", "before", "after"))
    for chunk in chunks(record, CHUNK):
        ins.run(ins.process(chunk))


# ------------------------------------------------------------------------------------- orders

_ORDER_KEYS = ("customer_id", "order_ref", "order_date", "amount", "import_id")


def write_orders(conn: Connection, data: OrderRows, batch_id: int, wrote: Wrote) -> dict[str, Any]:
    """Order lines added; lines under an order id already stored replace that order's lines."""
    ids: dict[str, int] = {}
    q = select(CUSTOMERS.c.external_id, CUSTOMERS.c.id).where(CUSTOMERS.c.external_id.is_not(None))
    for ext, cid in conn.execute(q.order_by(CUSTOMERS.c.id)):
        ids.setdefault(id_key(ext), cid)  # matched as the file's cleaned ids are
    in_file = dict.fromkeys(data.customers)
    seen_before = {e for e in in_file if e in ids}
    created = _create_customers(conn, [e for e in in_file if e not in ids], data, ids, batch_id)
    customer_ids = [ids[e] for e in data.customers]
    n = len(data)
    keep = bytearray(b"\x01") * n  # lines to insert (a byte each)
    touched: set[int] = set()
    replaced: list[int] = []  # stored order ids to delete
    updated = unchanged = 0
    for ref, (stored, lines) in _stored_refs(conn, data).items():
        mine = sorted((customer_ids[i], data.dates[i], data.cents[i]) for i in lines)
        theirs = sorted((cid, day, cents) for _oid, cid, day, cents in stored)
        if mine == theirs:
            unchanged += len(lines)
            for i in lines:
                keep[i] = 0
            continue
        log.debug("order %s changed: replacing %d stored lines", ref, len(stored))
        updated += len(lines)
        replaced.extend(oid for oid, _cid, _day, _cents in stored)
        touched.update(cid for _oid, cid, _day, _cents in stored)
    _remember_without_orders(conn, batch_id, [cid for e, cid in ids.items() if e in seen_before])
    for id_chunk in chunks(replaced, ID_CHUNK):  # kept for an undo of this batch, then replaced
        _keep_replaced(conn, batch_id, id_chunk)
        conn.execute(delete(ORDERS).where(ORDERS.c.id.in_(id_chunk)))
    kept = range(n) if all(keep) else compress(range(n), keep)
    # In customer order (a stable sort: the file's order within a customer): the table then lies
    # in the order of its customer index, so the index is appended to rather than scattered and
    # the per-customer aggregation that follows reads neighbouring pages (measured: half the
    # time of a million-line import). Identical lines stay separate rows either way. Only the
    # order is held (8 bytes a line); each chunk's rows are made as it is written (holding them
    # all cost 350 MB for 1.47M lines).
    order = array("q", sorted(kept, key=customer_ids.__getitem__))
    touched.update(customer_ids if len(order) == n else map(customer_ids.__getitem__, order))
    done = _insert_lines(conn, data, customer_ids, order, batch_id, wrote)
    recompute(conn, touched, check=lambda: wrote(done))
    return {
        "added": done - updated,
        "updated": updated,
        "unchanged": unchanged,
        "customers_created": created,
        "customers_recomputed": len(touched),
    }


def _insert_lines(
    conn: Connection, data: OrderRows, customer_ids: list[int], order: array[int], batch_id: int, wrote: Wrote
) -> int:
    """The lines at ``order``'s indexes inserted, a chunk at a time; returns how many."""
    ins = _insert(conn, ORDERS, _ORDER_KEYS)
    amount = cents_to_decimal if conn.dialect.supports_native_decimal else _cents_to_float
    day_memo: dict[Any, Any] = {}  # each distinct date converted once, over all chunks
    done = 0
    for chunk in chunks(order, CHUNK):
        rows = list(
            zip(
                ins.column("customer_id", map(customer_ids.__getitem__, chunk)),
                ins.column("order_ref", map(data.refs.__getitem__, chunk)),
                ins.column("order_date", map(data.dates.__getitem__, chunk), memo=day_memo),
                ins.column("amount", map(amount, map(data.cents.__getitem__, chunk))),
                ins.column("import_id", repeat(batch_id, len(chunk))),
                strict=True,
            )
        )
        ins.run(rows)
        done += len(chunk)
        wrote(done)
    return done


def _cents_to_float(cents: int) -> float:
    return cents / 100  # the same double as float(Decimal("12.34")): the division rounds correctly


def _create_customers(
    conn: Connection, new: list[str], data: OrderRows, ids: dict[str, int], batch_id: int | None = None
) -> int:
    """Customers first seen in an orders file: named from its company column, else by their id."""
    if not new:
        return 0
    ins = _insert(conn, CUSTOMERS, _NEW_CUSTOMER, created_at=utcnow(), import_id=batch_id)
    rows = [_new_customer((ext, data.companies.get(ext) or ext, *repeat(None, 9))) for ext in new]
    for chunk in chunks(rows, CHUNK):
        ins.run(ins.process(chunk))
    for id_chunk in chunks(new, ID_CHUNK):
        q = select(CUSTOMERS.c.external_id, CUSTOMERS.c.id).where(CUSTOMERS.c.external_id.in_(id_chunk))
        for ext, cid in conn.execute(q):
            ids[ext] = cid
    return len(new)


def _remember_without_orders(conn: Connection, batch_id: int, customer_ids: list[int]) -> None:
    """For an undo: the last purchase and value lost (a CRM file's) of customers who had no order
    history before this batch; its figures replace them, and an undo leaving no orders puts them
    back."""
    c = CUSTOMERS.c
    record = []
    for id_chunk in chunks(customer_ids, ID_CHUNK):
        q = select(c.id, c.last_purchase, c.value_lost).where(
            c.id.in_(id_chunk), c.orders_count == 0, c.first_purchase.is_(None)
        )
        for cid, last, lost in conn.execute(q):
            before = {"last_purchase": _jsonable(last), "value_lost": stored_cents(lost)}
            record.append((batch_id, cid, json.dumps(before), "{}"))
    _record_changes(conn, record)


def _keep_replaced(conn: Connection, batch_id: int, order_ids: Sequence[int]) -> None:
    o = ORDERS.c
    lines = select(
        literal(batch_id, Integer), o.customer_id, o.order_ref, o.order_date, o.amount, o.import_id
    ).where(o.id.in_(order_ids))
    keys = ("import_id", "customer_id", "order_ref", "order_date", "amount", "from_import_id")
    conn.execute(insert(REPLACED).from_select(keys, lines))


def _stored_refs(
    conn: Connection, data: OrderRows
) -> dict[str, tuple[list[tuple[int, int, dt.date, int]], list[int]]]:
    """Order ids in the file that are stored already: ref -> (stored lines, the file's lines)."""
    o = ORDERS
    stored_count = conn.scalar(select(func.count()).select_from(o).where(o.c.order_ref.is_not(None))) or 0
    if stored_count == 0:  # the first import: nothing to look up
        return {}
    file_refs: dict[str, list[int]] = defaultdict(list)
    for i, ref in enumerate(data.refs):
        if ref is not None:
            file_refs[ref].append(i)
    if not file_refs:
        return {}
    o = ORDERS
    cols = (o.c.order_ref, o.c.id, o.c.customer_id, o.c.order_date, o.c.amount)
    if len(file_refs) * 20 < stored_count:  # a few refs: look them up
        queries: Iterable[Any] = (
            select(*cols).where(o.c.order_ref.in_(id_chunk)) for id_chunk in chunks(list(file_refs), ID_CHUNK)
        )
    else:  # many: one pass over the stored refs beats thousands of IN lists
        queries = [select(*cols).where(o.c.order_ref.is_not(None))]
    stored: dict[str, list[tuple[int, int, dt.date, int]]] = defaultdict(list)
    for q in queries:
        for ref, oid, cid, day, amount in conn.execute(q):
            if ref in file_refs:
                stored[ref].append((oid, cid, day, stored_cents(amount)))
    return {ref: (lines, file_refs[ref]) for ref, lines in stored.items()}


def one_year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def recompute(conn: Connection, customer_ids: Iterable[int], check: Callable[[], None] | None = None) -> None:
    """First and last purchase, purchases, total and yearly revenue, from all stored orders.

    A purchase is an order (an order id's lines, or a line without one) with a positive amount
    (``services.roster.purchases`` owns the definition): credit notes and refunds lower the
    revenue but are no purchase, and a customer without one has no first or last purchase. Yearly revenue
    is what the customer bought in the twelve months up to and including the last purchase
    (after the same date a year before); it is also the value lost when the customer lapses.
    Two set-based aggregations (the second joins a temporary table of each customer's "a year
    before the last purchase", as portable SQL has no date arithmetic), then one bulk update.
    ``check()`` is called between steps (it may raise to cancel).
    """
    check = check or (lambda: None)
    ids = sorted(set(customer_ids))
    if not ids:
        return
    figures = _purchase_figures(conn, ids, check)
    _add_yearly_revenue(conn, figures, check)
    _write_figures(conn, ids, figures, check)


def _purchase_figures(conn: Connection, ids: list[int], check: Callable[[], None]) -> dict[int, list[Any]]:
    """Per customer: [first purchase, last purchase, purchases, total, yearly (0 for now)].

    Per order first (services.roster.purchases: an order ref's lines, or a line without one),
    then per customer: only orders with a positive amount are purchases.
    """
    per_order = purchases.orders(ORDERS.c.customer_id.in_(bindparam("ids", expanding=True))).subquery()
    bought = purchases.is_purchase(per_order.c.amount)
    totals = select(
        per_order.c.customer_id,
        func.min(case((bought, per_order.c.day))),
        func.max(case((bought, per_order.c.day))),
        func.sum(case((bought, 1), else_=0)),
        func.sum(per_order.c.amount),
    ).group_by(per_order.c.customer_id)
    figures: dict[int, list[Any]] = {}
    for id_chunk in chunks(ids, ID_CHUNK):
        for cid, first_day, last_day, count, total in conn.execute(totals, {"ids": list(id_chunk)}):
            figures[cid] = [_day(first_day), _day(last_day), count, total, Decimal(0)]
        check()
    return figures


def _day(value: Any) -> dt.date | None:
    """A day from an aggregate over a subquery (SQLite hands its ISO text back untyped)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _add_yearly_revenue(conn: Connection, figures: dict[int, list[Any]], check: Callable[[], None]) -> None:
    """What each customer bought in the year up to their last purchase, through a temporary
    table of cut-off days (portable SQL has no date arithmetic)."""
    o = ORDERS
    since = Table(
        "winback_import_since",
        MetaData(),
        Column("customer_id", Integer, primary_key=True),
        Column("since", Date, nullable=False),
        prefixes=["TEMPORARY"],
    )
    since.create(conn)
    try:
        fill = _insert(conn, since, ("customer_id", "since"))
        cutoffs = fill.process(
            [(cid, one_year_before(f[1])) for cid, f in figures.items() if f[1] is not None]
        )
        for part in chunks(cutoffs, CHUNK):
            fill.run(part)
        yearly = (
            select(o.c.customer_id, func.sum(o.c.amount))
            .join(since, since.c.customer_id == o.c.customer_id)
            .where(o.c.order_date > since.c.since)
            .group_by(o.c.customer_id)
        )
        check()
        for cid, total in conn.execute(yearly):
            figures[cid][4] = total
    finally:
        since.drop(conn)


def _write_figures(
    conn: Connection, ids: list[int], figures: dict[int, list[Any]], check: Callable[[], None]
) -> None:
    keys = ("p_first", "p_last", "p_count", "p_total", "p_yearly", "p_value", "p_id")
    update_figures = BulkStatement(
        conn,
        update(CUSTOMERS)
        .where(CUSTOMERS.c.id == bindparam("p_id"))
        .values(
            # From the orders alone: a customer whose lines are all refunds has no purchase.
            first_purchase=bindparam("p_first", type_=Date),
            last_purchase=bindparam("p_last", type_=Date),
            orders_count=bindparam("p_count"),
            total_revenue=bindparam("p_total"),
            yearly_revenue=bindparam("p_yearly"),
            value_lost=bindparam("p_value"),
        ),
        keys,
    )
    updates = update_figures.process([(*f, f[4], cid) for cid, f in figures.items()])
    for part in chunks(updates, CHUNK):
        check()
        update_figures.run(part)
    gone = [cid for cid in ids if cid not in figures]
    if gone:  # their only orders moved to another customer under the same order id, or undone
        conn.execute(
            update(CUSTOMERS)
            .where(CUSTOMERS.c.id == bindparam("p_id"))
            .values(
                orders_count=0,
                total_revenue=0,
                yearly_revenue=0,
                value_lost=0,
                first_purchase=None,
                last_purchase=None,
            ),
            [{"p_id": cid} for cid in gone],
        )
