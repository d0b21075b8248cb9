"""How the preview's rows will be read: each mapped cell as the import will take it.

The import dialog shows, under each column used, the value it becomes (a date, an amount in
cents, an id kept as text, a status) and, beside each row, what becomes of the row as a whole
(a line item of the order above it, a voided order not counted, a report footer skipped). The
same readers as the import run here, over the preview's rows only, so what the dialog shows is
what the import does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from winback_desktop.formats import money, short_date
from winback_desktop.importers.errors import AmbiguousDatesError
from winback_desktop.importers.mapping import CUSTOMERS, ColumnMap, fields
from winback_desktop.importers.shapes import OrderRowFilter
from winback_desktop.importers.validate import read_status
from winback_desktop.importers.values import (
    clean_id,
    clean_text,
    excel_number_problem,
    parse_amounts,
    parse_dates,
)

Rows = Sequence[tuple[int, Sequence[str]]]
ASKED = "day or month first? asked on Import"
STATUS_LABELS = {"lapsed": "lapsed", "lost": "lost", "won_back": "won back", "active": "active"}


@dataclass(frozen=True)
class PreviewReading:
    """``cells[r][c]``: how cell c of preview row r is read ("" for a column not used, or an
    empty cell); ``rows[r]``: what becomes of the row, when it is not imported as it stands;
    ``bad[r]``: the columns of row r that will be refused."""

    cells: tuple[tuple[str, ...], ...]
    rows: tuple[str, ...]
    bad: tuple[frozenset[int], ...]


def read_preview(cmap: ColumnMap, rows: Rows, *, date_order: str | None = None) -> PreviewReading:
    """How each mapped cell of ``rows`` (a preview's first rows) will be read, and each row."""
    width = len(cmap.header)
    cells = [[""] * width for _ in rows]
    bad: list[set[int]] = [set() for _ in rows]
    kinds = {s.name: s.kind for s in fields(cmap.kind)}
    for name, index in cmap.indexes.items():
        if index is None:
            continue
        texts = [(row[index] if index < len(row) else "").strip() for _line, row in rows]
        readings = _read_column(kinds[name], name, texts, cmap.kind, date_order)
        for r, (shown, ok) in enumerate(readings):
            cells[r][index] = shown
            if not ok:
                bad[r].add(index)
    if cmap.kind == CUSTOMERS and (index := cmap.indexes.get("external_id")) is not None:
        _repeated_ids(rows, index, cells, bad)
    fates = list(_row_fates(cmap, rows))
    _refunds(cmap, rows, fates)
    for r, columns in enumerate(bad):
        if columns and not fates[r]:
            fates[r] = "refused: " + "; ".join(cells[r][j] for j in sorted(columns))
    return PreviewReading(tuple(tuple(c) for c in cells), tuple(fates), tuple(frozenset(b) for b in bad))


def _repeated_ids(rows: Rows, index: int, cells: list[list[str]], bad: list[set[int]]) -> None:
    """A customer id seen on an earlier row: the import refuses it (each customer once per file)."""
    first: dict[str, int] = {}
    for r, (line, row) in enumerate(rows):
        value = clean_id(row[index]) if index < len(row) else ""
        if value and value in first:
            cells[r][index] = f"the same id as line {first[value]}"
            bad[r].add(index)
        first.setdefault(value, line)


def _refunds(cmap: ColumnMap, rows: Rows, fates: list[str]) -> None:
    """A refund beside its row: what the order counts for once it is taken off."""
    i_refund, i_amount = cmap.indexes.get("refunded"), cmap.indexes.get("amount")
    if i_refund is None or i_amount is None:
        return
    cell = [
        (row[i_amount].strip(), row[i_refund].strip()) if max(i_refund, i_amount) < len(row) else ("", "")
        for _l, row in rows
    ]
    cents, _problems = parse_amounts({t for pair in cell for t in pair} - {""}, allow_negative=True)
    for r, (amount, refund) in enumerate(cell):
        if not fates[r] and cents.get(refund, 0) and amount in cents:
            counted = money((cents[amount] - cents[refund]) / 100)
            fates[r] = f"{money(cents[refund] / 100)} refunded: counts as {counted}"


def _read_column(
    kind: str, name: str, texts: list[str], file_kind: str, date_order: str | None
) -> list[tuple[str, bool]]:
    if kind == "date":
        return _dates(texts, date_order)
    if kind == "amount":
        amounts, problems = parse_amounts(set(texts) - {""}, allow_negative=file_kind != CUSTOMERS)
        return [
            (
                "" if not t else f"{money(amounts[t] / 100)}" if t in amounts else problems[t],
                t in amounts or not t,
            )
            for t in texts
        ]
    if kind == "id":
        out = []
        for t in texts:
            value = clean_id(t)
            problem = excel_number_problem(value) if value else None
            out.append((problem or (f"“{value}” (text)" if value else "empty"), problem is None))
        return out
    if kind == "status" or name == "status":
        return [_status(t) for t in texts]
    return [(clean_text(t), True) for t in texts]


def _dates(texts: list[str], date_order: str | None) -> list[tuple[str, bool]]:
    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        if t:
            first.setdefault(t, i)
    try:
        dates, problems = parse_dates(first, date_order=date_order, field="", column="")
    except AmbiguousDatesError as exc:  # not a problem of the cells: a question for the user
        dates, problems = {}, exc.problems
        asked = {t: ASKED for t in first if t not in problems}
        return [("" if not t else asked.get(t) or problems[t], not t or t in asked) for t in texts]
    return [
        ("" if not t else short_date(dates[t]) if t in dates else problems.get(t, ""), t in dates or not t)
        for t in texts
    ]


def _status(text: str) -> tuple[str, bool]:
    if not text:
        return "", True
    status = read_status(text)
    return (STATUS_LABELS[status], True) if status else ("no status of ours: kept as stored", True)


def _row_fates(cmap: ColumnMap, rows: Rows) -> tuple[str, ...]:
    """What becomes of each row as a whole in an orders file: a line item, a voided order."""
    i_amount = cmap.indexes.get("amount")
    if cmap.kind == CUSTOMERS or i_amount is None:
        return tuple("" for _ in rows)
    purchases = OrderRowFilter(
        cmap.indexes.get("order_ref"),
        i_amount,
        cmap.indexes.get("order_status"),
        cmap.indexes.get("cancelled"),
    )
    width = len(cmap.header)
    fates = []
    for line, row in rows:
        cells = [*row[:width], *[""] * (width - len(row))]
        items, voided = purchases.line_items, len(purchases.voided)
        purchases.keep([line], [cells])
        if purchases.line_items > items:
            fates.append("line item of the order above")
        elif len(purchases.voided) > voided:
            fates.append("voided or cancelled: not counted")
        else:
            fates.append("")
    return tuple(fates)
