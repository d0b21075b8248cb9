"""Importing customers and order history from CSV files: all or nothing.

The UI's import dialog and ``winback import`` share these calls:

1. :func:`preview_import` reads the file (encoding, delimiter, header, first rows) and proposes a
   mapping: the one remembered for this header set, else one found from the header names.
2. :func:`import_customers` / :func:`import_orders` check every row first; a file with any bad
   row writes nothing and raises :class:`ImportRejected` listing the rows. A good file is written
   in one transaction with bulk statements; ``progress(done, total)`` reports now and then and
   ``should_cancel()`` returning True rolls everything back (:class:`ImportCancelled`).

Importing the same file (the same bytes) again changes nothing and says so. Customers are matched
by external id; orders that carry an order id replace what is stored under that id; order lines
without one are separate purchases, even when identical. Afterwards each customer touched gets
its purchase figures recomputed from all its stored orders.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, case, delete, distinct, func, insert, select, update

from winback_desktop.importers.errors import (
    AmbiguousDatesError,
    CsvImportError,
    ImportCancelled,
    ImportRejected,
    MappingError,
    NotCsvError,
    RowError,
    UnreadableFileError,
)
from winback_desktop.importers.mapping import (
    CUSTOMERS,
    ORDERS,
    FieldSpec,
    fields,
    header_key,
    missing_fields,
    resolve,
)
from winback_desktop.importers.sniff import CsvFile, read_csv
from winback_desktop.importers.validate import CustomerRows, OrderRows, validate_customers, validate_orders
from winback_desktop.importers.values import DATE_ORDERS, DMY, MDY, cents_to_decimal
from winback_desktop.services.catalogue import get_setting, set_setting
from winback_desktop.services.context import AppContext
from winback_desktop.store.models import Customer, ImportBatch, Order, customer_search_text, utcnow

__all__ = [
    "DATE_ORDERS",
    "DMY",
    "MDY",
    "AmbiguousDatesError",
    "CsvImportError",
    "FieldSpec",
    "ImportCancelled",
    "ImportPreview",
    "ImportRejected",
    "ImportResult",
    "MappingError",
    "NotCsvError",
    "RowError",
    "UnreadableFileError",
    "import_customers",
    "import_file",
    "import_orders",
    "preview_import",
]

log = logging.getLogger(__name__)

CHUNK = 5000  # rows per executemany
ID_CHUNK = 500  # ids per IN (...) list
Progress = Callable[[int, int], None]
ShouldCancel = Callable[[], bool]
T = TypeVar("T")


@dataclass(frozen=True)
class ImportPreview:
    """What the import dialog shows before anything is written."""

    kind: str  # customers / orders
    path: Path
    encoding: str  # codec name
    encoding_label: str  # "UTF-8 (with BOM)", "Windows-1252", ...
    delimiter: str
    delimiter_label: str  # comma / semicolon / tab
    header: tuple[str, ...]
    header_line: int
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # the first data rows: (line, cells)
    row_estimate: int
    fields: tuple[FieldSpec, ...]  # the fields to map, in display order
    mapping: dict[str, str | None]  # field -> column name (None: not mapped)
    remembered: bool  # the mapping is the one used last time for this header set
    missing: list[str]  # required fields still without a column
    already_imported: dt.datetime | None  # this very file was imported then


@dataclass(frozen=True)
class ImportResult:
    kind: str
    file_name: str
    rows: int  # data rows in the file
    added: int = 0  # customers created / order lines added
    updated: int = 0  # customers changed / order lines replacing stored ones
    unchanged: int = 0
    customers_created: int = 0  # orders: customers first seen in this file
    customers_recomputed: int = 0  # orders: customers whose purchase figures were recomputed
    already_imported: dt.datetime | None = None  # set when the file was imported before
    encoding: str = ""
    delimiter: str = ""
    mapping: dict[str, str | None] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the status bar and the CLI."""
        if self.already_imported is not None:
            return (
                f"{self.file_name} was already imported on {self.already_imported:%Y-%m-%d %H:%M} (UTC); "
                "nothing changed."
            )
        if self.kind == CUSTOMERS:
            return (
                f"{self.file_name}: {self.rows:,} customers: {self.added:,} new, {self.updated:,} updated, "
                f"{self.unchanged:,} unchanged."
            )
        created = _count(self.customers_created, "new customer")
        created = f"; {created}" if self.customers_created else ""
        return (
            f"{self.file_name}: {self.rows:,} order lines: {self.added:,} added, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged{created}; purchase figures of "
            f"{_count(self.customers_recomputed, 'customer')} recomputed."
        )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def preview_import(
    ctx: AppContext, path: str | Path, kind: str, *, mapping: Mapping[str, str | None] | None = None
) -> ImportPreview:
    """Read ``path`` and propose a mapping; raises NotCsvError / UnreadableFileError / MappingError
    (the latter only for an unknown field or column in ``mapping``)."""
    specs = fields(kind)
    csv = read_csv(path)
    remembered = _remembered(ctx, kind, csv.header)
    cmap = resolve(
        kind, csv.header, explicit=mapping, remembered=remembered, file_name=csv.name, require=False
    )
    return ImportPreview(
        kind=kind,
        path=csv.path,
        encoding=csv.encoding,
        encoding_label=csv.encoding_label,
        delimiter=csv.delimiter,
        delimiter_label=csv.delimiter_label,
        header=csv.header,
        header_line=csv.header_line,
        rows=csv.preview,
        row_estimate=csv.row_estimate,
        fields=specs,
        mapping=cmap.as_names(),
        remembered=remembered is not None,
        missing=missing_fields(cmap),
        already_imported=_imported_before(ctx, kind, csv.sha256),
    )


def import_customers(
    ctx: AppContext,
    path: str | Path,
    *,
    mapping: Mapping[str, str | None] | None = None,
    date_order: str | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> ImportResult:
    """Import a customers file (see the module docstring).

    ``mapping`` overrides the proposed mapping per field (field -> column name, None to leave a
    field unmapped); ``date_order`` is "dmy" or "mdy" when AmbiguousDatesError asked for it.
    """
    return import_file(
        ctx,
        path,
        CUSTOMERS,
        mapping=mapping,
        date_order=date_order,
        progress=progress,
        should_cancel=should_cancel,
    )


def import_orders(
    ctx: AppContext,
    path: str | Path,
    *,
    mapping: Mapping[str, str | None] | None = None,
    date_order: str | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> ImportResult:
    """Import an order history file: one row per order or order line (see the module docstring)."""
    return import_file(
        ctx,
        path,
        ORDERS,
        mapping=mapping,
        date_order=date_order,
        progress=progress,
        should_cancel=should_cancel,
    )


def import_file(
    ctx: AppContext,
    path: str | Path,
    kind: str,
    *,
    mapping: Mapping[str, str | None] | None = None,
    date_order: str | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> ImportResult:
    """:func:`import_customers` or :func:`import_orders` by ``kind``."""
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, not {date_order!r}")
    started = time.perf_counter()
    fields(kind)  # checks the kind
    csv = read_csv(path)
    before = _imported_before(ctx, kind, csv.sha256)
    if before is not None:
        rows = sum(1 for _ in csv.rows(errors=_Discard()))
        return ImportResult(kind, csv.name, rows, already_imported=before)
    cmap = resolve(
        kind,
        csv.header,
        explicit=mapping,
        remembered=_remembered(ctx, kind, csv.header),
        file_name=csv.name,
    )
    meter = _Meter(csv, progress, should_cancel)
    meter.check()
    if kind == CUSTOMERS:
        customers, errors = validate_customers(csv, cmap, date_order=date_order, tick=meter.read)
        errors.raise_if_any(csv.name)
        n = len(customers.rows)
    else:
        orders, errors = validate_orders(csv, cmap, date_order=date_order, tick=meter.read)
        errors.raise_if_any(csv.name)
        n = len(orders)
    if n == 0:
        raise NotCsvError(f"{csv.name} has no data rows below its header (line {csv.header_line})")
    meter.start_writing(n)
    with ctx.engine.begin() as conn:
        batch_id = conn.execute(
            insert(ImportBatch.__table__).values(
                kind=kind, file_name=csv.name[:500], sha256=csv.sha256, rows=n, imported_at=utcnow()
            )
        ).inserted_primary_key[0]
        if kind == CUSTOMERS:
            counts = _write_customers(conn, customers, meter)
        else:
            counts = _write_orders(conn, orders, batch_id, meter)
        meter.check()
    meter.done()
    set_setting(ctx, header_key(kind, csv.header), cmap.to_json())
    result = ImportResult(
        kind,
        csv.name,
        n,
        encoding=csv.encoding,
        delimiter=csv.delimiter,
        mapping=cmap.as_names(),
        seconds=time.perf_counter() - started,
        **counts,
    )
    log.info("imported %s in %.1f s: %s", csv.path, result.seconds, result.summary())
    return result


# ------------------------------------------------------------------------------------ helpers


class _Discard:
    """An ErrorList stand-in that forgets (counting rows of a file imported before)."""

    def add(self, *_args: object) -> None:
        pass


def _remembered(ctx: AppContext, kind: str, header: Sequence[str]) -> dict[str, str | None] | None:
    raw = get_setting(ctx, header_key(kind, header))
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(k): (v if isinstance(v, str) else None) for k, v in value.items()}


def _imported_before(ctx: AppContext, kind: str, sha256: str) -> dt.datetime | None:
    t = ImportBatch.__table__
    with ctx.engine.connect() as conn:
        return conn.scalar(select(func.min(t.c.imported_at)).where(t.c.sha256 == sha256, t.c.kind == kind))


class _Meter:
    """Progress in rows (each row is read, then written: total is twice the rows) and cancel."""

    def __init__(self, csv: CsvFile, progress: Progress | None, should_cancel: ShouldCancel | None):
        self.progress, self.should_cancel = progress, should_cancel
        self.header_line = csv.header_line
        self.half = max(csv.row_estimate, 1)
        self.rows = self.half

    def check(self) -> None:
        if self.should_cancel is not None and self.should_cancel():
            raise ImportCancelled()

    def _report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(min(done, 2 * self.half), 2 * self.half)

    def read(self, line: int) -> None:
        self.check()
        self._report(min(line - self.header_line, self.half))

    def start_writing(self, rows: int) -> None:
        self.rows = max(rows, 1)
        self.check()
        self._report(self.half)

    def wrote(self, rows: int) -> None:
        self.check()
        self._report(self.half + self.half * min(rows, self.rows) // self.rows)

    def done(self) -> None:
        self._report(2 * self.half)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _cents(value: Decimal | float | None) -> int:
    return 0 if value is None else int((Decimal(str(value)) * 100).to_integral_value())


# ---------------------------------------------------------------------------------- customers

_CUSTOMER_TEXT = ("company", "contact_name", "contact_title", "phone", "email", "segment", "owner")


def _write_customers(conn: Connection, data: CustomerRows, meter: _Meter) -> dict[str, int]:
    c = Customer.__table__
    columns = (
        "external_id",
        "company",
        "contact_name",
        "contact_title",
        "phone",
        "email",
        "value_lost",
        "last_purchase",
        "segment",
        "owner",
        "status",
    )
    stored: dict[str, tuple] = {}
    for r in conn.execute(select(c.c.id, *(c.c[k] for k in columns)).where(c.c.external_id.is_not(None))):
        stored[r[1]] = (r[0], *r[1:7], _cents(r[7]), *r[8:])
    now = utcnow()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    unchanged = 0
    mapped = [k for k in data.mapped if k != "external_id"]
    for row in data.rows:
        ext, company, contact, title, phone, email, cents, last, segment, owner, status = row
        old = stored.get(ext)
        if old is None:
            company = company or contact or ext
            new.append(
                {
                    "external_id": ext,
                    "company": company,
                    "contact_name": contact or "",
                    "contact_title": title or "",
                    "phone": phone or "",
                    "email": email or "",
                    "value_lost": cents_to_decimal(cents or 0),
                    "last_purchase": last,
                    "segment": segment or "",
                    "owner": owner or "",
                    "status": status or "lapsed",
                    "notes": "",
                    "search_text": customer_search_text(
                        company, contact or "", ext, phone or "", email or ""
                    ),
                    "created_at": now,
                }
            )
            continue
        merged = tuple(v if v is not None else o for v, o in zip(row, old[1:], strict=True))
        if merged == old[1:]:
            unchanged += 1
            continue
        values = dict(zip(columns, merged, strict=True))
        params = {f"p_{k}": values[k] for k in mapped}
        if "value_lost" in params:
            params["p_value_lost"] = cents_to_decimal(values["value_lost"])
        params["p_search_text"] = customer_search_text(
            values["company"], values["contact_name"], ext, values["phone"], values["email"]
        )
        params["p_id"] = old[0]
        changed.append(params)
    done = 0
    for chunk in _chunks(new, CHUNK):
        conn.execute(insert(c), list(chunk))
        done += len(chunk)
        meter.wrote(done)
    if changed:
        stmt = (
            update(c)
            .where(c.c.id == bindparam("p_id"))
            .values({k: bindparam(f"p_{k}") for k in (*mapped, "search_text")})
        )
        for chunk in _chunks(changed, CHUNK):
            conn.execute(stmt, list(chunk))
            done += len(chunk)
            meter.wrote(done)
    return {"added": len(new), "updated": len(changed), "unchanged": unchanged}


# ------------------------------------------------------------------------------------- orders


def _write_orders(conn: Connection, data: OrderRows, batch_id: int, meter: _Meter) -> dict[str, int]:
    c, o = Customer.__table__, Order.__table__
    ids: dict[str, int] = {
        ext: cid
        for ext, cid in conn.execute(select(c.c.external_id, c.c.id).where(c.c.external_id.is_not(None)))
    }
    created = _create_customers(conn, [e for e in dict.fromkeys(data.customers) if e not in ids], data, ids)
    customer_ids = [ids[e] for e in data.customers]
    n = len(data)
    keep = [True] * n  # lines to insert
    touched: set[int] = set()
    replaced: list[int] = []  # stored order ids to delete
    updated = unchanged = 0
    for ref, (stored, lines) in _stored_refs(conn, data).items():
        mine = sorted((customer_ids[i], data.dates[i], data.cents[i]) for i in lines)
        theirs = sorted((cid, day, cents) for _oid, cid, day, cents in stored)
        if mine == theirs:
            unchanged += len(lines)
            for i in lines:
                keep[i] = False
            continue
        log.debug("order %s changed: replacing %d stored lines", ref, len(stored))
        updated += len(lines)
        replaced.extend(oid for oid, _cid, _day, _cents in stored)
        touched.update(cid for _oid, cid, _day, _cents in stored)
    for chunk in _chunks(replaced, ID_CHUNK):
        conn.execute(delete(o).where(o.c.id.in_(chunk)))
    amount = cents_to_decimal if conn.dialect.supports_native_decimal else _cents_to_float
    stmt = insert(o)
    batch: list[dict[str, Any]] = []
    done = 0
    for i in range(n):
        if not keep[i]:
            continue
        cid = customer_ids[i]
        touched.add(cid)
        batch.append(
            {
                "customer_id": cid,
                "order_ref": data.refs[i],
                "order_date": data.dates[i],
                "amount": amount(data.cents[i]),
                "import_id": batch_id,
            }
        )
        if len(batch) == CHUNK:
            conn.execute(stmt, batch)
            done += len(batch)
            batch = []
            meter.wrote(done)
    if batch:
        conn.execute(stmt, batch)
        done += len(batch)
    meter.wrote(n)
    _recompute(conn, touched)
    return {
        "added": done - updated,
        "updated": updated,
        "unchanged": unchanged,
        "customers_created": created,
        "customers_recomputed": len(touched),
    }


def _cents_to_float(cents: int) -> float:
    return cents / 100  # the same double as float(Decimal("12.34")): division rounds correctly


def _create_customers(conn: Connection, new: list[str], data: OrderRows, ids: dict[str, int]) -> int:
    """Customers first seen in an orders file: named from its company column, else by their id."""
    if not new:
        return 0
    c = Customer.__table__
    now = utcnow()
    rows = []
    for ext in new:
        company = data.companies.get(ext) or ext
        rows.append(
            {
                "external_id": ext,
                "company": company,
                "contact_name": "",
                "contact_title": "",
                "phone": "",
                "email": "",
                "value_lost": Decimal("0"),
                "status": "lapsed",
                "segment": "",
                "owner": "",
                "notes": "",
                "search_text": customer_search_text(company, "", ext, "", ""),
                "created_at": now,
            }
        )
    for chunk in _chunks(rows, CHUNK):
        conn.execute(insert(c), list(chunk))
    for chunk in _chunks(new, ID_CHUNK):
        for ext, cid in conn.execute(select(c.c.external_id, c.c.id).where(c.c.external_id.in_(chunk))):
            ids[ext] = cid
    return len(new)


def _stored_refs(
    conn: Connection, data: OrderRows
) -> dict[str, tuple[list[tuple[int, int, dt.date, int]], list[int]]]:
    """Order ids in the file that are stored already: ref -> (stored lines, the file's lines)."""
    o = Order.__table__
    file_refs: dict[str, list[int]] = defaultdict(list)
    for i, ref in enumerate(data.refs):
        if ref is not None:
            file_refs[ref].append(i)
    if not file_refs:
        return {}
    stored: dict[str, list[tuple[int, int, dt.date, int]]] = defaultdict(list)
    if len(file_refs) <= 20 * ID_CHUNK:
        queries: Iterable[Any] = (
            select(o.c.order_ref, o.c.id, o.c.customer_id, o.c.order_date, o.c.amount).where(
                o.c.order_ref.in_(chunk)
            )
            for chunk in _chunks(list(file_refs), ID_CHUNK)
        )
    else:  # many: one pass over the stored refs beats thousands of IN lists
        queries = [
            select(o.c.order_ref, o.c.id, o.c.customer_id, o.c.order_date, o.c.amount).where(
                o.c.order_ref.is_not(None)
            )
        ]
    for q in queries:
        for ref, oid, cid, day, amount in conn.execute(q):
            if ref in file_refs:
                stored[ref].append((oid, cid, day, _cents(amount)))
    return {ref: (lines, file_refs[ref]) for ref, lines in stored.items()}


def one_year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _recompute(conn: Connection, customer_ids: Iterable[int]) -> None:
    """First and last purchase, purchases, total and yearly revenue, from all stored orders.

    A purchase is an order id (however many lines it has) or a line without one. Yearly revenue
    is what the customer bought in the twelve months up to and including the last purchase
    (after the same date a year before); it is the value lost when the customer has lapsed.
    """
    c, o = Customer.__table__, Order.__table__
    purchases = func.count(distinct(o.c.order_ref)) + func.sum(case((o.c.order_ref.is_(None), 1), else_=0))
    totals = (
        select(
            o.c.customer_id,
            func.min(o.c.order_date),
            func.max(o.c.order_date),
            purchases,
            func.sum(o.c.amount),
        )
        .where(o.c.customer_id.in_(bindparam("ids", expanding=True)))
        .group_by(o.c.customer_id)
    )
    yearly = (
        select(func.coalesce(func.sum(o.c.amount), 0))
        .where(
            o.c.customer_id == bindparam("cid"),
            o.c.order_date > bindparam("since", type_=o.c.order_date.type),
        )
        .scalar_subquery()
    )
    set_figures = (
        update(c)
        .where(c.c.id == bindparam("cid"))
        .values(
            first_purchase=bindparam("p_first"),
            last_purchase=bindparam("p_last"),
            orders_count=bindparam("p_count"),
            total_revenue=bindparam("p_total"),
            yearly_revenue=yearly,
            value_lost=yearly,
        )
    )
    no_orders = (
        update(c)
        .where(c.c.id == bindparam("cid"))
        .values(orders_count=0, total_revenue=0, yearly_revenue=0, first_purchase=None)
    )
    for chunk in _chunks(sorted(customer_ids), ID_CHUNK):
        params = []
        for cid, first, last, count, total in conn.execute(totals, {"ids": list(chunk)}):
            params.append(
                {
                    "cid": cid,
                    "p_first": first,
                    "p_last": last,
                    "p_count": count,
                    "p_total": total,
                    "since": one_year_before(last),
                }
            )
        if params:
            conn.execute(set_figures, params)
        gone = set(chunk) - {p["cid"] for p in params}
        if gone:  # their orders moved to another customer under the same order id
            conn.execute(no_orders, [{"cid": cid} for cid in gone])
