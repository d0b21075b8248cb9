"""Importing customers and order history from CSV files: all or nothing.

The UI's import dialog and ``winback import`` share these calls:

1. :func:`preview_import` reads the file (encoding, delimiter, header, first rows) and proposes a
   mapping: the one remembered for this header set, else one found from the header names.
2. :func:`import_customers` / :func:`import_orders` check every row first; a file with any bad
   row writes nothing and raises :class:`ImportRejected` listing the rows. A good file is written
   in one transaction with bulk statements; ``progress(done, total)`` reports now and then and
   ``should_cancel()`` returning True rolls everything back (:class:`ImportCancelled`).

Importing the same file (the same bytes, whatever its name) again changes nothing and says so,
also when two imports of it start at the same moment: a unique key on the file's hash, checked
by the database inside the write transaction, lets one of them apply it (see ``_claim``).
Customers are matched by external id (kept as text: "00586" keeps its zeros); an empty cell keeps
what is stored, so a partial export (ids and phones) updates just the phones; new customers start
as "lapsed". Orders that carry an order id replace what is stored under that id; order lines
without one are separate purchases, even when identical; customers first seen in an orders file
are created. Afterwards each customer touched gets its purchase figures recomputed from all its
stored orders (first and last purchase, purchases, total and yearly revenue; value lost = yearly
revenue); a later customers file does not overwrite the value lost and last purchase of customers
with an order history.

Errors: every problem with the file is a :class:`CsvImportError` (its ``str()`` is the message
for the user): :class:`UnreadableFileError`, :class:`NotCsvError`, :class:`MappingError`,
:class:`AmbiguousDatesError` (ask, then import again with ``date_order``), :class:`ImportRejected`
(bad rows, listed), :class:`TooLargeError` (the file, its header or a field over a limit),
:class:`LikelyDuplicatesError` (order lines already stored: ask, then import again with
``allow_duplicates``) and :class:`ImportCancelled`. Anything else is a bug.

Every import is a batch (``imports``): the rows it writes carry its id, and what it changed is
recorded, so that ``services.imports.batches.undo`` can take it back; an undone file may be
imported again.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from winback_desktop.formats import iso_date_time
from winback_desktop.importers.errors import (
    AmbiguousDatesError,
    CsvImportError,
    ImportCancelled,
    ImportRejected,
    MappingError,
    NotCsvError,
    RowError,
    TooLargeError,
    UnreadableFileError,
)
from winback_desktop.importers.mapping import (
    CUSTOMERS,
    ORDERS,
    ColumnMap,
    FieldSpec,
    fields,
    missing_fields,
    resolve,
)
from winback_desktop.importers.reading import PreviewReading, read_preview
from winback_desktop.importers.shapes import wrong_kind_notes
from winback_desktop.importers.sniff import CsvFile, preview_csv, read_csv
from winback_desktop.importers.validate import CustomerRows, OrderRows, validate_customers, validate_orders
from winback_desktop.importers.values import DATE_ORDERS, DMY, MDY
from winback_desktop.services import settings
from winback_desktop.services.changes import Change, reports
from winback_desktop.services.context import AppContext
from winback_desktop.services.imports import duplicates
from winback_desktop.services.imports.duplicates import LikelyDuplicatesError
from winback_desktop.services.imports.write import FIELD_LIMITS, write_customers, write_orders
from winback_desktop.store.connection import write_transaction
from winback_desktop.store.models import ImportBatch, utcnow

__all__ = [
    "DATE_ORDERS",
    "DMY",
    "MDY",
    "AmbiguousDatesError",
    "CsvImportError",
    "FieldSpec",
    "ImportCancelled",
    "ImportPreview",
    "PreviewReading",
    "ImportRejected",
    "ImportResult",
    "LikelyDuplicatesError",
    "MappingError",
    "NotCsvError",
    "RowError",
    "TooLargeError",
    "UnreadableFileError",
    "import_customers",
    "import_file",
    "import_orders",
    "imported_on",
    "preview_import",
    "read_rows",
]

log = logging.getLogger(__name__)

NO_HEADER = (
    "the file has no header line: its first line is data, and each field's column is chosen by "
    "its position (column 1 is the first)"
)
Progress = Callable[[int, int], None]
ShouldCancel = Callable[[], bool]


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
    notes: tuple[str, ...] = ()  # rows of the preview over a limit ("line 3: a field of ...")
    sha256: str = ""  # the file's bytes, as imports are recorded (see imported_on)
    remarks: tuple[str, ...] = ()  # what the import will do that the file does not say: a footer
    # skipped, a known export's shape, a column not chosen and why, a file of the other kind
    has_header: bool = True  # False: the columns are known by position ("column 1", ...)
    reasons: dict[str, str] = field(default_factory=dict)  # field -> why its column was chosen
    footer: tuple[int, int] | None = None  # the lines of a report footer, skipped
    footer_rows: tuple[tuple[int, tuple[str, ...]], ...] = ()  # its filled lines, as in ``rows``
    layout_label: str = ""  # "comma-separated", "columns aligned with spaces", ...


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with ``already_imported`` set, that it did nothing)."""

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
    notes: tuple[str, ...] = ()  # a footer skipped, status values not known, ...: said, not hidden

    def summary(self) -> str:
        """One line for the status bar and the CLI."""
        if self.already_imported is not None:
            return (
                f"{self.file_name} was already imported on {iso_date_time(self.already_imported)} (UTC); "
                "nothing changed."
            )
        if self.kind == CUSTOMERS:
            return (
                f"{self.file_name}: {_count(self.rows, 'customer')}: {self.added:,} new, "
                f"{self.updated:,} updated, {self.unchanged:,} unchanged."
            )
        created = _count(self.customers_created, "new customer")
        created = f"; {created}" if self.customers_created else ""
        return (
            f"{self.file_name}: {_count(self.rows, 'order line')}: {self.added:,} added, "
            f"{self.updated:,} updated, {self.unchanged:,} unchanged{created}; purchase figures of "
            f"{_count(self.customers_recomputed, 'customer')} recomputed."
        )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def preview_import(
    ctx: AppContext,
    path: str | Path,
    kind: str,
    *,
    mapping: Mapping[str, str | None] | None = None,
    should_stop: ShouldCancel | None = None,
) -> ImportPreview:
    """Read the start of ``path`` (a bounded amount: see importers.sniff.preview_csv) and propose
    a mapping; raises NotCsvError / TooLargeError / UnreadableFileError / MappingError (the latter
    only for an unknown field or column in ``mapping``), ImportCancelled when ``should_stop()``."""
    specs = fields(kind)
    csv = preview_csv(path, should_stop)
    remembered = settings.column_mapping(ctx, kind, csv.header)
    cmap = resolve(
        kind,
        csv.header,
        explicit=mapping,
        remembered=remembered,
        file_name=csv.name,
        require=False,
        by_position=not csv.has_header,
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
        already_imported=(_imported_before(ctx, kind, csv.sha256) or (None,))[0],
        notes=csv.notes,
        remarks=(
            *(() if csv.has_header else (NO_HEADER,)),
            *csv.footer_notes,
            *wrong_kind_notes(kind, csv.header, cmap.indexes.get("external_id"), csv.preview),
            *cmap.notes,
        ),
        sha256=csv.sha256,
        has_header=csv.has_header,
        reasons=dict(cmap.reasons),
        footer=None if csv.footer is None else (csv.footer.first, csv.footer.last),
        footer_rows=() if csv.footer is None else csv.footer.rows,
        layout_label=csv.layout_label,
    )


def imported_on(ctx: AppContext, kind: str, sha256: str) -> dt.datetime | None:
    """When the file with these bytes was imported as ``kind`` (and still counts), else None:
    after an import was stopped, whether it had already committed."""
    return (_imported_before(ctx, kind, sha256) or (None,))[0]


def read_rows(
    preview: ImportPreview, mapping: Mapping[str, str | None], *, date_order: str | None = None
) -> PreviewReading:
    """How the preview's rows will be read with ``mapping`` (field -> column, as the dialog has
    it): each used cell's value and each row's fate. Pure and quick (the preview's rows only)."""
    cmap = resolve(
        preview.kind,
        preview.header,
        explicit={f: c for f, c in mapping.items() if f in {s.name for s in preview.fields}},
        require=False,
        by_position=not preview.has_header,
    )
    return read_preview(cmap, preview.rows, date_order=date_order)


@reports(Change.CUSTOMERS)
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


@reports(Change.CUSTOMERS)
def import_orders(
    ctx: AppContext,
    path: str | Path,
    *,
    mapping: Mapping[str, str | None] | None = None,
    date_order: str | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    allow_duplicates: bool = False,
) -> ImportResult:
    """Import an order history file: one row per order or order line (see the module docstring).

    Lines without an order id that match stored ones (customer, date, amount) stop the import
    with LikelyDuplicatesError unless ``allow_duplicates`` (services/imports/duplicates.py).
    """
    return import_file(
        ctx,
        path,
        ORDERS,
        mapping=mapping,
        date_order=date_order,
        progress=progress,
        should_cancel=should_cancel,
        allow_duplicates=allow_duplicates,
    )


@reports(Change.CUSTOMERS)
def import_file(
    ctx: AppContext,
    path: str | Path,
    kind: str,
    *,
    mapping: Mapping[str, str | None] | None = None,
    date_order: str | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    allow_duplicates: bool = False,
) -> ImportResult:
    """:func:`import_customers` or :func:`import_orders` by ``kind``."""
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, not {date_order!r}")
    with _gc_paused():
        return _import(ctx, path, kind, mapping, date_order, progress, should_cancel, allow_duplicates)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector paused for the import's duration.

    A big import holds millions of strings in lists and builds millions of row tuples, none in
    a cycle; each full collection would walk all of them again (measured: half the CPU time of
    validating a million lines). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(
    ctx: AppContext,
    path: str | Path,
    kind: str,
    mapping: Mapping[str, str | None] | None,
    date_order: str | None,
    progress: Progress | None,
    should_cancel: ShouldCancel | None,
    allow_duplicates: bool = False,
) -> ImportResult:
    started = time.perf_counter()
    fields(kind)  # checks the kind
    csv = read_csv(path)
    before = _imported_before(ctx, kind, csv.sha256)
    if before is not None:
        when, rows = before
        return ImportResult(kind, csv.name, rows, already_imported=when)
    cmap = resolve(
        kind,
        csv.header,
        explicit=mapping,
        remembered=settings.column_mapping(ctx, kind, csv.header),
        file_name=csv.name,
        by_position=not csv.has_header,
    )
    meter = _Meter(csv, progress, should_cancel)
    meter.check()
    customers, orders = _validated(csv, cmap, kind, date_order, meter)
    n = len(customers.rows) if kind == CUSTOMERS else len(orders)
    notes = (*csv.footer_notes, *cmap.notes, *(customers.notes if kind == CUSTOMERS else orders.notes))
    if n == 0:
        raise NotCsvError(f"{csv.name} has no data rows below its header (line {csv.header_line})")
    meter.start_writing(n)
    with write_transaction(ctx.engine) as conn:
        batch_id = _claim(conn, kind, csv, n)
        if batch_id is not None:
            if kind == CUSTOMERS:
                counts = write_customers(conn, customers, meter.wrote, batch_id)
                touched = counts["added"] + counts["updated"]
            else:
                if not allow_duplicates:
                    duplicates.check(conn, orders, csv.name)  # raises: nothing is written
                counts = write_orders(conn, orders, batch_id, meter.wrote)
                touched = counts["customers_recomputed"]
            conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(customers=touched))
            meter.check()
    if batch_id is None:  # the same file, imported by another process since we looked
        before = _imported_before(ctx, kind, csv.sha256)
        assert before is not None  # the key that refused ours is committed
        return ImportResult(kind, csv.name, before[1], already_imported=before[0])
    meter.done()
    settings.remember_column_mapping(ctx, cmap)
    result = ImportResult(
        kind,
        csv.name,
        n,
        encoding=csv.encoding,
        delimiter=csv.delimiter,
        mapping=cmap.as_names(),
        seconds=time.perf_counter() - started,
        notes=notes,
        **counts,
    )
    log.info("imported %s in %.1f s: %s", csv.path, result.seconds, result.summary())
    return result


# ------------------------------------------------------------------------------------ helpers


def _validated(
    csv: CsvFile, cmap: ColumnMap, kind: str, date_order: str | None, meter: _Meter
) -> tuple[CustomerRows, OrderRows]:
    """Every row checked (the rows of ``kind``; the other is empty); ImportRejected listing
    every bad one, with a word on the file as a whole (an orders export picked as customers)."""
    customers, orders = CustomerRows(), OrderRows()
    if kind == CUSTOMERS:
        customers, errors = validate_customers(
            csv, cmap, limits=FIELD_LIMITS, date_order=date_order, tick=meter.read
        )
    else:
        orders, errors = validate_orders(
            csv, cmap, limits=FIELD_LIMITS, date_order=date_order, tick=meter.read
        )
    try:
        errors.raise_if_any(csv.name)
    except ImportRejected as exc:
        exc.hints = tuple(wrong_kind_notes(kind, csv.header, cmap.indexes.get("external_id"), csv.preview))
        raise
    return customers, orders


def _claim(conn: Connection, kind: str, csv: CsvFile, rows: int) -> int | None:
    """The new batch's id, or None when this file is already applied as ``kind``.

    The unique key on (kind, applied_sha256) decides, inside the write transaction: on SQLite a
    second import waits for the write lock and then finds the first one's batch; on PostgreSQL
    its insert waits on the key until the first one commits. The insert runs in a savepoint, so
    the refusal is this insert's alone and the transaction ends cleanly with nothing written.
    """
    try:
        with conn.begin_nested():
            batch = conn.execute(
                insert(ImportBatch).values(
                    kind=kind,
                    file_name=csv.name[:500],
                    sha256=csv.sha256,
                    applied_sha256=csv.sha256,
                    rows=rows,
                    imported_at=utcnow(),
                )
            ).inserted_primary_key
    except IntegrityError:
        log.info("%s is already imported as %s (by another import, just now)", csv.path, kind)
        return None
    assert batch is not None
    return int(batch[0])


def _imported_before(ctx: AppContext, kind: str, sha256: str) -> tuple[dt.datetime, int] | None:
    """When this very file (by its bytes) was imported as ``kind`` and still counts as applied,
    and its rows then."""
    t = ImportBatch.__table__
    q = select(t.c.imported_at, t.c.rows).where(t.c.applied_sha256 == sha256, t.c.kind == kind)
    with ctx.engine.connect() as conn:
        row = conn.execute(q.limit(1)).first()
    return None if row is None else (row[0], row[1])


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
