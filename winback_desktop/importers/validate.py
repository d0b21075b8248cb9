"""Every row checked before anything is written: the validated rows, or every problem found.

Pure functions over a :class:`CsvFile` and a :class:`ColumnMap`; no database. One pass reads the
rows in batches and checks them column by column; dates and amounts are then read per column over
their distinct values (see values.py), so a column's day/month order and decimal mark are decided
once, and a problem value is reported on every line that has it.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from winback_desktop.importers.errors import AmbiguousDatesError, ErrorList
from winback_desktop.importers.mapping import ColumnMap, normalize
from winback_desktop.importers.shapes import OrderRowFilter
from winback_desktop.importers.sniff import CsvFile
from winback_desktop.importers.values import (
    NEEDS_CLEANING,
    clean_id,
    clean_text,
    excel_number_problem,
    parse_amounts,
    parse_dates,
)

# (rows read so far) -> None; may raise ImportCancelled
Tick = Callable[[int], None]
# field name -> the most characters the store keeps for it (the caller knows the store)
Limits = Mapping[str, int]
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
    # HubSpot's lifecycle stages: a customer (or an evangelist, a customer who recommends you)
    # is one; subscribers, leads and opportunities never bought, and are named, not guessed.
    "customer": "active",
    "evangelist": "active",
    "formercustomer": "lost",
    "churnedcustomer": "lost",
    "lostcustomer": "lost",
}
STATUS_WORDS = "lapsed, lost, won back or active"
SHOWN_STATUSES = 5  # unknown status values named in the note

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
    notes: list[str] = field(default_factory=list)  # what was read other than it is written


@dataclass
class OrderRows:
    """Validated order lines, column by column (a million lines stay small this way)."""

    lines: array[int] = field(default_factory=lambda: array("q"))
    customers: list[str] = field(default_factory=list)  # external ids
    dates: list[dt.date] = field(default_factory=list)
    cents: array[int] = field(default_factory=lambda: array("q"))
    refs: list[str | None] = field(default_factory=list)
    companies: dict[str, str] = field(default_factory=dict)  # external id -> first company named
    notes: list[str] = field(default_factory=list)  # what was read other than it is written

    def __len__(self) -> int:
        return len(self.customers)


def _too_long(value: str, max_length: int) -> str:
    return f"too long ({len(value):,} characters; at most {max_length})"


def _length_problem(value: str, max_length: int | None) -> str | None:
    return _too_long(value, max_length) if max_length is not None and len(value) > max_length else None


def _clean(stripped: str) -> str:
    """clean_text for a cell already stripped: the common case costs one regex search."""
    return clean_text(stripped) if NEEDS_CLEANING.search(stripped) else stripped


def _check_width(cells: list[str], width: int, line: int, header_line: int, errors: ErrorList) -> None:
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        than = f"the header (line {header_line}) has" if header_line > 0 else "the first rows have"
        errors.add(
            line,
            "row",
            "",
            f"{len(cells)} cells, but {than} {width} columns (an unquoted delimiter inside a cell?)",
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
    csv: CsvFile, cmap: ColumnMap, *, limits: Limits, date_order: str | None = None, tick: Tick | None = None
) -> tuple[CustomerRows, ErrorList]:
    """The customers of ``csv``; the ErrorList is non-empty when any row is bad.

    Rows are read in batches and handled column by column, as in :func:`validate_orders`.
    A text longer than ``limits`` allows for its field is a problem on its line.
    """
    idx = cmap.indexes
    width = len(cmap.header)
    errors = ErrorList(cmap.columns_by_field())
    out = CustomerRows()
    seen: dict[str, int] = {}  # external id -> first line
    date_lines: dict[str, int] = {}
    amounts: set[str] = set()
    statuses: dict[str, str | None] = {}
    unknown_statuses: dict[str, int] = {}
    texts = ("company", "contact_name", "contact_title", "phone", "email", "segment", "owner")
    names = idx.get("first_name"), idx.get("last_name")
    for batch_lines, batch_cells in csv.batches(errors, TICK_ROWS):
        if tick is not None:
            tick(batch_lines[-1])
        batch_cells = _fitted(
            batch_cells, batch_lines, width, csv.header_line if csv.has_header else 0, errors
        )
        columns = list(zip(*batch_cells, strict=True))
        blank = [""] * len(batch_lines)

        def column(
            field: str, columns: list[tuple[str, ...]] = columns, blank: list[str] = blank
        ) -> list[str]:
            i = idx.get(field)
            if i is None:
                return blank
            cells = list(map(str.strip, columns[i]))
            return _clean_ids(cells) if field == "external_id" else _clean_all(cells)

        exts = column("external_id")
        _check_customer_ids(exts, batch_lines, seen, errors)
        values = {f: column(f) for f in texts}
        if idx.get("contact_name") is None and names != (None, None):
            firsts, lasts = column("first_name"), column("last_name")
            values["contact_name"] = [
                f"{a} {b}" if a and b else a or b for a, b in zip(firsts, lasts, strict=True)
            ]
        for name, cells in (("external_id", exts), *values.items()):
            if cells is not blank:
                _check_lengths(name, limits.get(name), cells, batch_lines, errors)
        value_texts, date_texts = column("value_lost"), column("last_purchase")
        amounts.update(value_texts)
        for text, line in zip(date_texts, batch_lines, strict=True):
            if text not in date_lines:
                date_lines[text] = line
        status_texts = column("status")
        if status_texts is not blank:
            _check_statuses(status_texts, statuses, unknown_statuses)
        out.lines.extend(batch_lines)
        out.rows.extend(
            zip(
                exts,
                *(
                    [v or None for v in values[f]]
                    for f in ("company", "contact_name", "contact_title", "phone")
                ),
                [v or None for v in values["email"]],
                [v or None for v in value_texts],
                [v or None for v in date_texts],
                *([v or None for v in values[f]] for f in ("segment", "owner")),
                [statuses.get(v) for v in status_texts],
                strict=True,
            )
        )
    _convert_customer_values(out, errors, cmap, amounts, date_lines, date_order)
    if unknown_statuses:
        out.notes.append(status_note(cmap.where("status"), unknown_statuses))
    mapped = {f for f, i in idx.items() if i is not None}
    if "first_name" in mapped or "last_name" in mapped:
        mapped.add("contact_name")
    out.mapped = tuple(c for c in CUSTOMER_COLUMNS if c in mapped)
    return out, errors


def _check_customer_ids(exts: list[str], lines: list[int], seen: dict[str, int], errors: ErrorList) -> None:
    for ext, line in zip(exts, lines, strict=True):
        first = seen.setdefault(ext, line)
        if first != line and ext:
            errors.add(line, "external_id", ext, f"the same id as line {first} (each customer once per file)")
        elif problem := _id_problem(ext, "customer"):
            errors.add(line, "external_id", ext, problem)


def _check_lengths(
    name: str, limit: int | None, cells: list[str], lines: list[int], errors: ErrorList
) -> None:
    # One max() per column and batch; the per-cell loop only runs when some cell is too long.
    if limit is not None and max(map(len, cells)) > limit:
        for line, value in zip(lines, cells, strict=True):
            if len(value) > limit:
                errors.add(line, name, value, _too_long(value, limit))


def _check_statuses(texts: list[str], statuses: dict[str, str | None], unknown: dict[str, int]) -> None:
    """Each status text read once; the texts that are no status of ours counted in ``unknown``
    (those rows keep the status stored: a CRM's "lead" is not a reason to reject the file)."""
    for text in texts:
        if text not in statuses:
            statuses[text] = read_status(text)
        if text and statuses[text] is None:
            unknown[text] = unknown.get(text, 0) + 1


def read_status(text: str) -> str | None:
    """The status a cell names (lapsed, lost, won_back, active), or None."""
    return STATUSES.get(normalize(text)) if text else None


def status_note(where: str, unknown: Mapping[str, int]) -> str:
    """What became of status values we do not know: named, with their rows."""
    ranked = sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"“{v}” ({n:,} {'row' if n == 1 else 'rows'})" for v, n in ranked[:SHOWN_STATUSES])
    more = f" and {len(ranked) - SHOWN_STATUSES} more" if len(ranked) > SHOWN_STATUSES else ""
    return (
        f"{where}: {shown}{more} {'is' if len(ranked) == 1 else 'are'} no status here "
        f"({STATUS_WORDS}): those customers keep the status they have (new ones start as lapsed)"
    )


def _convert_customer_values(
    out: CustomerRows,
    errors: ErrorList,
    cmap: ColumnMap,
    amounts: set[str],
    date_lines: dict[str, int],
    date_order: str | None,
) -> None:
    """Dates and amounts, parsed once per distinct text; the rows get the values when all is well."""
    date_lines.pop("", None)
    amounts.discard("")
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
            if not (errors or exc.problems or amount_problems):
                raise
            date_problems = exc.problems  # fix the file first; the question comes after
    _add_problems(errors, out.lines, [r[6] for r in out.rows], "value_lost", amount_problems)
    _add_problems(errors, out.lines, [r[7] for r in out.rows], "last_purchase", date_problems)
    if not errors:
        out.rows = [
            (*r[:6], None if r[6] is None else cents[r[6]], None if r[7] is None else dates[r[7]], *r[8:])
            for r in out.rows
        ]


def _fitted(
    cells: list[list[str]], lines: list[int], width: int, header_line: int, errors: ErrorList
) -> list[list[str]]:
    """A batch of rows, each exactly ``width`` cells long (see _fit)."""
    if set(map(len, cells)) == {width}:
        return cells
    return [
        c if len(c) == width else _fit(c, width, line, header_line, errors)
        for line, c in zip(lines, cells, strict=True)
    ]


def _fit(cells: list[str], width: int, line: int, header_line: int, errors: ErrorList) -> list[str]:
    """``cells`` as exactly ``width`` cells: short rows padded (trailing empty cells are often
    left out), long ones cut after checking that what is cut is empty."""
    if len(cells) < width:
        return cells + [""] * (width - len(cells))
    _check_width(cells, width, line, header_line, errors)
    return cells[:width]


def _clean_all(values: list[str]) -> list[str]:
    """clean_text over stripped cells; the common case (nothing to clean) costs two scans."""
    if NEEDS_CLEANING.search("".join(values)):
        return [_clean(v) for v in values]
    return values


def _clean_ids(values: list[str]) -> list[str]:
    """clean_id over stripped cells; the common case (plain ASCII ids) costs two scans."""
    joined = "".join(values)
    if joined.isascii() and "'" not in joined and "\r" not in joined:
        return values
    return [clean_id(v) for v in values]


def _lines_where(
    errors: ErrorList,
    lines: Sequence[int],
    values: Sequence[str | None],
    field: str,
    problem: Callable[[str], str | None],
) -> None:
    for line, value in zip(lines, values, strict=True):
        if value is not None and (text := problem(value)):
            errors.add(line, field, value, text)


def validate_orders(
    csv: CsvFile, cmap: ColumnMap, *, limits: Limits, date_order: str | None = None, tick: Tick | None = None
) -> tuple[OrderRows, ErrorList]:
    """The order lines of ``csv``; the ErrorList is non-empty when any row is bad.

    A million lines must take seconds, so rows are read in batches and handled column by
    column with built-ins (strip, intern, distinct values); per-row Python runs only to name
    the lines of a problem found.
    """
    idx, width, errors, out = cmap.indexes, len(cmap.header), ErrorList(cmap.columns_by_field()), OrderRows()
    i_ext, i_date, i_amount = idx["customer_external_id"], idx["order_date"], idx["amount"]
    assert i_ext is not None and i_date is not None and i_amount is not None  # required by resolve()
    i_ref, i_company = idx.get("order_ref"), idx.get("company")
    ext_max, ref_max, company_max = (limits.get(f) for f in ("customer_external_id", "order_ref", "company"))
    # One string object per distinct id, date and amount, and per order id within a batch (an
    # order's lines are neighbours): a row costs a pointer per column, not a string per cell
    # (measured: 1.47M basket lines held 160 MB of amount and order-id strings before).
    ids: dict[str, str] = {}
    date_lines: dict[str, int] = {}  # distinct dates -> first line
    dates_seen: dict[str, str] = {}
    amounts: dict[str, str] = {}
    raw_dates: list[str] = []
    raw_amounts: list[str] = []
    lines, customers, refs, companies = out.lines, out.customers, out.refs, out.companies
    long_refs = False
    long_companies: list[tuple[int, str]] = []
    purchases = OrderRowFilter(i_ref, i_amount, idx.get("order_status"), idx.get("cancelled"))
    i_refund, raw_refunds = idx.get("refunded"), cast(list[str], [])
    header_line = csv.header_line if csv.has_header else 0  # (0: widths checked against the rows)
    for batch_lines, batch_cells in csv.batches(errors, TICK_ROWS):
        if tick is not None:
            tick(batch_lines[-1])
        batch_cells = _fitted(batch_cells, batch_lines, width, header_line, errors)
        batch_lines, batch_cells = purchases.keep(batch_lines, batch_cells)
        if not batch_lines:
            continue
        columns = list(zip(*batch_cells, strict=True))
        if i_refund is not None:
            raw_refunds.extend(map(str.strip, columns[i_refund]))
        exts = _clean_ids(list(map(str.strip, columns[i_ext])))
        customers.extend(map(ids.setdefault, exts, exts))
        day_texts = list(map(str.strip, columns[i_date]))
        if not date_lines.keys() >= set(day_texts):  # new dates: note the line each is first on
            _first_lines(date_lines, day_texts, batch_lines)
        raw_dates.extend(map(dates_seen.setdefault, day_texts, day_texts))
        amount_texts = list(map(str.strip, columns[i_amount]))
        raw_amounts.extend(map(amounts.setdefault, amount_texts, amount_texts))
        if i_ref is not None:
            batch_refs = _clean_ids(list(map(str.strip, columns[i_ref])))
            same: dict[str, str] = {}
            refs.extend([r or None for r in map(same.setdefault, batch_refs, batch_refs)])
            long_refs = long_refs or (ref_max is not None and max(map(len, batch_refs)) > ref_max)
        else:
            refs.extend([None] * len(batch_lines))
        if i_company is not None:
            _note_companies(companies, exts, columns[i_company], batch_lines, company_max, long_companies)
        lines.extend(batch_lines)
    # Problems, field by field, each found over distinct values first.
    bad_ids = {e: p for e in ids if (p := _id_problem(e, "order") or _length_problem(e, ext_max))}
    if bad_ids:
        _lines_where(errors, lines, customers, "customer_external_id", bad_ids.get)
    dates, cents = _order_dates_and_amounts(
        errors, lines, cmap, date_order, date_lines, set(amounts), raw_dates, raw_amounts
    )
    del amounts, ids, dates_seen
    if long_refs:
        _lines_where(errors, lines, refs, "order_ref", lambda r: _length_problem(r, ref_max))
    for line, company in long_companies:  # (rare)
        errors.add(line, "company", company, _too_long(company, company_max or 0))
    refunds = _refunds(errors, lines, raw_refunds)
    out.notes.extend(purchases.notes(cmap.where("order_status") or cmap.where("cancelled")))
    if errors:
        return out, errors
    out.dates = list(map(dates.__getitem__, raw_dates))
    out.cents = array("q", map(cents.__getitem__, raw_amounts))
    if refunds:  # what was refunded, taken off
        out.cents = array("q", [c - r for c, r in zip(out.cents, refunds, strict=True)])
    return out, errors


def _first_lines(first: dict[str, int], texts: list[str], lines: list[int]) -> None:
    for text, line in zip(texts, lines, strict=True):
        if text not in first:
            first[text] = line


def _note_companies(
    companies: dict[str, str],
    exts: list[str],
    cells: Sequence[str],
    lines: list[int],
    most: int | None,
    too_long: list[tuple[int, str]],
) -> None:
    """The first company named for each customer id (or the line where it is too long)."""
    for ext, cell, line in zip(exts, cells, lines, strict=True):
        if ext not in companies and (company := clean_text(cell)):
            if most is not None and len(company) > most:
                too_long.append((line, company))
            else:
                companies[ext] = company


def _refunds(errors: ErrorList, lines: Sequence[int], texts: list[str]) -> list[int]:
    """The refunded cents of each row (an empty cell is nothing refunded); problems named."""
    if not texts:
        return []
    cents, problems = parse_amounts(set(texts) - {""}, allow_negative=False)
    _add_problems(errors, lines, texts, "refunded", problems)
    return [cents.get(t, 0) for t in texts]


def _order_dates_and_amounts(
    errors: ErrorList,
    lines: Sequence[int],
    cmap: ColumnMap,
    date_order: str | None,
    date_lines: dict[str, int],
    amounts: set[str],
    raw_dates: list[str],
    raw_amounts: list[str],
) -> tuple[dict[str, dt.date], dict[str, int]]:
    """Each distinct date and amount parsed once; the problems named on every line they are on."""
    empty_dates = date_lines.pop("", None) is not None
    empty_amounts = "" in amounts
    amounts.discard("")
    cents, amount_problems = parse_amounts(amounts, allow_negative=True)
    try:
        dates, date_problems = parse_dates(
            date_lines, date_order=date_order, field="order_date", column=cmap.column("order_date") or ""
        )
    except AmbiguousDatesError as exc:
        if not (errors or exc.problems or amount_problems or empty_dates or empty_amounts):
            raise
        dates, date_problems = {}, exc.problems  # fix the file first; the question comes after
    if empty_dates:
        date_problems[""] = "is empty"
    _add_problems(errors, lines, raw_dates, "order_date", date_problems)
    if empty_amounts:
        amount_problems[""] = "is empty"
    _add_problems(errors, lines, raw_amounts, "amount", amount_problems)
    return dates, cents
