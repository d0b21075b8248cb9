"""Every row checked before anything is written: the validated rows, or every problem found.

Pure functions over a :class:`CsvFile` and a :class:`ColumnMap`; no database. One pass reads the
rows and checks the text cells; dates and amounts are then read per column over their distinct
values (see values.py), so a column's day/month order and decimal mark are decided once.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from winback_desktop.importers.errors import AmbiguousDatesError, ErrorList
from winback_desktop.importers.mapping import ColumnMap, fields, normalize
from winback_desktop.importers.sniff import CsvFile
from winback_desktop.importers.values import clean_text, excel_number_problem, parse_amounts, parse_dates

# (rows read so far) -> None; may raise ImportCancelled
Tick = Callable[[int], None]
TICK_ROWS = 5000

STATUSES = {
    "lapsed": "lapsed",
    "inactive": "lapsed",
    "lost": "lost",
    "churned": "lost",
    "departed": "lost",
    "former": "lost",
    "wonback": "won_back",
    "winback": "won_back",
    "returned": "won_back",
    "active": "active",
    "current": "active",
}
STATUS_WORDS = "lapsed, lost, won back or active"

# The customer fields stored as columns, in the order of CustomerRows.rows tuples.
CUSTOMER_COLUMNS = (
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


@dataclass
class CustomerRows:
    """Validated customers: one tuple per row in CUSTOMER_COLUMNS order.

    A value of None means the cell was empty or the field is not mapped: keep what is stored.
    ``value_lost`` is in cents.
    """

    lines: list[int] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    mapped: tuple[str, ...] = ()  # the CUSTOMER_COLUMNS the file fills


@dataclass
class OrderRows:
    """Validated order lines, column by column (a million lines stay small this way)."""

    lines: array = field(default_factory=lambda: array("q"))
    customers: list[str] = field(default_factory=list)  # external ids
    dates: list[dt.date] = field(default_factory=list)
    cents: array = field(default_factory=lambda: array("q"))
    refs: list[str | None] = field(default_factory=list)
    companies: dict[str, str] = field(default_factory=dict)  # external id -> first company named

    def __len__(self) -> int:
        return len(self.customers)


class _Row:
    """Reads mapped cells of one row; records text problems."""

    __slots__ = ("cells", "line", "errors")

    def __init__(self, errors: ErrorList) -> None:
        self.errors = errors
        self.cells: list[str] = []
        self.line = 0

    def text(self, index: int | None, field: str, max_length: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        value = clean_text(self.cells[index])
        if max_length is not None and len(value) > max_length:
            self.errors.add(
                self.line, field, value, f"too long ({len(value):,} characters; at most {max_length})"
            )
        return value


def _check_width(cells: list[str], width: int, line: int, header_line: int, errors: ErrorList) -> None:
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        errors.add(
            line,
            "row",
            "",
            f"{len(cells)} cells, but the header (line {header_line}) has {width} columns "
            "(an unquoted delimiter inside a cell?)",
        )


def _add_problems(
    errors: ErrorList,
    lines: Sequence[int],
    values: Sequence[str | None],
    field: str,
    problems: dict[str, str],
) -> None:
    """A row error for each row whose value of ``field`` is one of the problem values."""
    if problems:
        for line, value in zip(lines, values, strict=True):
            if value is not None and value in problems:
                errors.add(line, field, value, problems[value])


def _id_problem(value: str, what: str) -> str | None:
    if not value:
        return f"is empty (every {what} needs a customer id)"
    return excel_number_problem(value)


def validate_customers(
    csv: CsvFile, cmap: ColumnMap, *, date_order: str | None = None, tick: Tick | None = None
) -> tuple[CustomerRows, ErrorList]:
    """The customers of ``csv``; the ErrorList is non-empty when any row is bad."""
    specs = {s.name: s for s in fields(cmap.kind)}
    idx = cmap.indexes
    width = len(cmap.header)
    errors = ErrorList()
    out = CustomerRows()
    seen: dict[str, int] = {}
    date_lines: dict[str, int] = {}
    amounts: set[str] = set()
    row = _Row(errors)
    i_ext, i_value, i_date, i_status = (
        idx.get("external_id"),
        idx.get("value_lost"),
        idx.get("last_purchase"),
        idx.get("status"),
    )
    texts = [(f, idx.get(f), specs[f].max_length) for f in ("company", "contact_title", "phone", "email")]
    texts += [(f, idx.get(f), specs[f].max_length) for f in ("segment", "owner")]
    i_contact, i_first, i_last = idx.get("contact_name"), idx.get("first_name"), idx.get("last_name")
    contact_max = specs["contact_name"].max_length
    for n, (line, cells) in enumerate(csv.rows(errors), 1):
        if tick is not None and n % TICK_ROWS == 0:
            tick(line)
        row.cells, row.line = cells, line
        _check_width(cells, width, line, csv.header_line, errors)
        ext = row.text(i_ext, "external_id", specs["external_id"].max_length)
        if problem := _id_problem(ext, "customer"):
            errors.add(line, "external_id", ext, problem)
        if ext:
            first = seen.setdefault(ext, line)
            if first != line:
                errors.add(
                    line, "external_id", ext, f"the same id as line {first} (each customer once per file)"
                )
        values = {f: row.text(i, f, m) for f, i, m in texts}
        if i_contact is not None:
            contact = row.text(i_contact, "contact_name", contact_max)
        else:
            names = (row.text(i_first, "first_name", None), row.text(i_last, "last_name", None))
            contact = " ".join(p for p in names if p)
            if contact_max is not None and len(contact) > contact_max:
                errors.add(
                    line,
                    "contact_name",
                    contact,
                    f"too long ({len(contact):,} characters; at most {contact_max})",
                )
        if not values["company"] and not contact:
            errors.add(line, "company", "", "is empty, and so is the contact name")
        value_raw = row.text(i_value, "value_lost", None)
        if value_raw:
            amounts.add(value_raw)
        date_raw = row.text(i_date, "last_purchase", None)
        if date_raw and date_raw not in date_lines:
            date_lines[date_raw] = line
        status = None
        if i_status is not None:
            status_raw = row.text(i_status, "status", None)
            if status_raw:
                status = STATUSES.get(normalize(status_raw))
                if status is None:
                    errors.add(
                        line, "status", status_raw, f"not a status (use {STATUS_WORDS}, or leave it empty)"
                    )
        out.lines.append(line)
        out.rows.append(
            (
                ext,
                values["company"] or None,
                contact or None,
                values["contact_title"] or None,
                values["phone"] or None,
                values["email"] or None,
                value_raw or None,
                date_raw or None,
                values["segment"] or None,
                values["owner"] or None,
                status,
            )
        )
    # Dates and amounts, per column.
    cents, amount_problems = parse_amounts(amounts, allow_negative=False)
    dates: dict[str, dt.date] = {}
    date_problems: dict[str, str] = {}
    if date_lines:
        try:
            dates, date_problems = parse_dates(
                date_lines,
                date_order=date_order,
                field="last_purchase",
                column=cmap.column("last_purchase") or "",
            )
        except AmbiguousDatesError as exc:
            if errors or exc.problems or amount_problems:  # fix the file first; the question comes after
                _add_problems(errors, out.lines, [r[6] for r in out.rows], "value_lost", amount_problems)
                _add_problems(errors, out.lines, [r[7] for r in out.rows], "last_purchase", exc.problems)
                return out, errors
            raise
    _add_problems(errors, out.lines, [r[6] for r in out.rows], "value_lost", amount_problems)
    _add_problems(errors, out.lines, [r[7] for r in out.rows], "last_purchase", date_problems)
    if not errors:
        out.rows = [
            (*r[:6], None if r[6] is None else cents[r[6]], None if r[7] is None else dates[r[7]], *r[8:])
            for r in out.rows
        ]
    mapped = {f for f, i in idx.items() if i is not None}
    if "first_name" in mapped or "last_name" in mapped:
        mapped.add("contact_name")
    out.mapped = tuple(c for c in CUSTOMER_COLUMNS if c in mapped)
    return out, errors


def validate_orders(
    csv: CsvFile, cmap: ColumnMap, *, date_order: str | None = None, tick: Tick | None = None
) -> tuple[OrderRows, ErrorList]:
    """The order lines of ``csv``; the ErrorList is non-empty when any row is bad."""
    specs = {s.name: s for s in fields(cmap.kind)}
    idx = cmap.indexes
    width = len(cmap.header)
    errors = ErrorList()
    out = OrderRows()
    i_ext, i_date, i_amount = idx["customer_external_id"], idx["order_date"], idx["amount"]
    i_ref, i_company = idx.get("order_ref"), idx.get("company")
    ext_max, ref_max, company_max = (
        specs["customer_external_id"].max_length,
        specs["order_ref"].max_length,
        specs["company"].max_length,
    )
    ids: dict[str, str] = {}  # one string object per distinct id
    bad_ids: dict[str, str] = {}
    date_lines: dict[str, int] = {}
    raw_dates: list[str] = []
    raw_amounts: list[str] = []
    lines, customers, refs, companies = out.lines, out.customers, out.refs, out.companies
    row = _Row(errors)
    for n, (line, cells) in enumerate(csv.rows(errors), 1):
        if tick is not None and n % TICK_ROWS == 0:
            tick(line)
        row.cells, row.line = cells, line
        if len(cells) > width:
            _check_width(cells, width, line, csv.header_line, errors)
        ext = row.text(i_ext, "customer_external_id", ext_max)
        known = ids.get(ext)
        if known is None:
            ids[ext] = ext
            if problem := _id_problem(ext, "order"):
                bad_ids[ext] = problem
        else:
            ext = known
        if ext in bad_ids:
            errors.add(line, "customer_external_id", ext, bad_ids[ext])
        date_raw = row.text(i_date, "order_date", None)
        if not date_raw:
            errors.add(line, "order_date", "", "is empty")
        elif date_raw not in date_lines:
            date_lines[date_raw] = line
        amount_raw = row.text(i_amount, "amount", None)
        if not amount_raw:
            errors.add(line, "amount", "", "is empty")
        ref = row.text(i_ref, "order_ref", ref_max)
        if i_company is not None and ext not in companies:
            company = row.text(i_company, "company", company_max)
            if company:
                companies[ext] = company
        lines.append(line)
        customers.append(ext)
        raw_dates.append(date_raw)
        raw_amounts.append(amount_raw)
        refs.append(ref or None)
    cents, amount_problems = parse_amounts({a for a in raw_amounts if a}, allow_negative=True)
    try:
        dates, date_problems = parse_dates(
            date_lines, date_order=date_order, field="order_date", column=cmap.column("order_date") or ""
        )
    except AmbiguousDatesError as exc:
        if errors or exc.problems or amount_problems:  # fix the file first; the question comes after
            _add_problems(errors, lines, raw_dates, "order_date", exc.problems)
            _add_problems(errors, lines, raw_amounts, "amount", amount_problems)
            return out, errors
        raise
    _add_problems(errors, lines, raw_dates, "order_date", date_problems)
    _add_problems(errors, lines, raw_amounts, "amount", amount_problems)
    if errors:
        return out, errors
    out.dates = [dates[d] for d in raw_dates]
    out.cents = array("q", [cents[a] for a in raw_amounts])
    return out, errors
