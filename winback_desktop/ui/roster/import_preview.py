"""The import dialog's preview table: the file's first rows as the import will read them.

The first column says what becomes of each row (imported, a line item of the order above, a
voided order not counted, a report footer skipped); then come the columns the import uses, in
the file's order, each marked in its header ("Total → Amount") and tinted, their cells showing
how they are read ("19970101 → 01 Jan 1997", "00586 · text"); a cell the import would refuse is
tinted as an error, with the reason in its tooltip. The columns not used follow (a shop's export
has seventy), as written, in a quieter colour.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from winback_desktop.services.imports import importer as imports
from winback_desktop.ui.kit import palette

SHOWN_CELL_CHARS = 200  # of a cell in the preview table (a field may hold a million)
SHOWN_NAME_CHARS = 60  # of a column name in the table header and the mapping lists
ROW_COLUMN = "What becomes of the row"
IMPORTED = {"customers": "a customer", "orders": "an order"}
FOOTER = "report footer: skipped"


def shown(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def cell_text(raw: str, reading: str, kind: str) -> str:
    """What a used cell shows: as written, and how it is read when that differs."""
    raw = raw.strip()
    if not raw or not reading:
        return shown(raw, SHOWN_CELL_CHARS)
    if kind == "id":
        return (
            f"{shown(raw, SHOWN_CELL_CHARS)} · text" if reading.endswith("(text)") else f"{raw} → {reading}"
        )
    if reading == raw:
        return shown(raw, SHOWN_CELL_CHARS)
    return f"{shown(raw, SHOWN_CELL_CHARS)} → {reading}"


def fill(
    table: QTableWidget,
    preview: imports.ImportPreview,
    mapping: dict[str, str | None],
    reading: imports.PreviewReading,
) -> None:
    """``table`` showing ``preview``'s rows (and its footer) as ``mapping`` reads them."""
    specs = {s.name: s for s in preview.fields}
    used: dict[int, str] = {}  # column index -> field
    for name, column in mapping.items():
        if column is not None and column in preview.header:
            used[preview.header.index(column)] = name
    width = len(preview.header)
    order = sorted(range(width), key=lambda j: j not in used)  # used columns first, in file order
    place = {j: k + 1 for k, j in enumerate(order)}
    table.clear()
    table.setColumnCount(width + 1)
    labels = [ROW_COLUMN] + [
        shown(preview.header[j], SHOWN_NAME_CHARS) + (f"\n→ {specs[used[j]].label}" if j in used else "")
        for j in order
    ]
    table.setHorizontalHeaderLabels(labels)
    face, bad, quiet = (
        QBrush(QColor(palette.ACCENT_FACE)),
        QBrush(QColor(palette.ERROR_FACE)),
        QColor(palette.MUTED),
    )
    for j in range(width):
        item = table.horizontalHeaderItem(place[j])
        if item is None:
            continue
        if j not in used:
            item.setForeground(quiet)
            item.setToolTip("not imported")
        else:
            item.setToolTip(
                f"read as {specs[used[j]].label} ({preview.reasons.get(used[j], 'as you chose')})"
            )
    ready = all(mapping.get(s.name) for s in preview.fields if s.required and s.name != "external_id") and (
        preview.kind != "customers" or bool(mapping.get("external_id"))
    )
    rows = list(preview.rows) + list(preview.footer_rows)
    table.setRowCount(len(rows))
    for i, (line, cells) in enumerate(rows):
        in_footer = i >= len(preview.rows)
        fate = (
            FOOTER
            if in_footer
            else (reading.rows[i] or (f"imported: {IMPORTED[preview.kind]}" if ready else "—"))
        )
        skipped = in_footer or bool(reading.rows[i]) and "counts as" not in reading.rows[i]
        table.setVerticalHeaderItem(i, QTableWidgetItem(str(line)))
        first = QTableWidgetItem(fate)
        first.setToolTip(fate)
        if skipped:
            first.setForeground(quiet)
        table.setItem(i, 0, first)
        for j, cell in enumerate(cells[:width]):
            read = "" if in_footer or j not in used else reading.cells[i][j]
            text = cell_text(cell, read, specs[used[j]].kind) if read else shown(cell, SHOWN_CELL_CHARS)
            item = QTableWidgetItem(text)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if read and j in reading.bad[i]:
                item.setBackground(bad)
                item.setToolTip(f"cannot be imported: {read}")
            elif j in used and not in_footer:
                item.setBackground(face)
                item.setToolTip(f"{specs[used[j]].label}: {read or 'empty'}")
            if skipped or j not in used:
                item.setForeground(quiet)
            table.setItem(i, place[j], item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
