"""The base of every table model: rows of plain service data under column specs.

A model says what its columns are (header, text, right-aligned, tooltip, colour, sort key) and
keeps its rows; the base answers Qt (row and column counts, headers, the common roles, the row's
id under ``ID_ROLE``). A subclass adds only what is its own: paging, sorting, a role or two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole  # the row's id, for the views
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_DISPLAY = Qt.ItemDataRole.DisplayRole


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    text: Callable[[R], str]
    sort: Callable[[R], Any] | None = None  # a sort key, for models that sort in memory
    right: bool = False  # numbers: right-aligned
    tip: Callable[[R], str | None] | None = None  # this cell's tooltip
    color: Callable[[R], QColor | None] | None = None  # this cell's text colour, if any


class TableModel(QAbstractTableModel, Generic[R]):
    """Rows under ``columns``. Override :meth:`cell` to add a role (falling back to it for the
    rest) and :meth:`row_id` when the rows' id is not ``row.id``."""

    header_tip: str | None = None  # a tooltip for every column header

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[R] = []

    # -- rows ------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def row_id(self, row: R) -> Any:
        return row.id  # type: ignore[attr-defined]  # service rows carry their id

    def row_of(self, row_id: Any) -> int:
        """The row showing that id, or -1."""
        return next((i for i, r in enumerate(self._rows) if self.row_id(r) == row_id), -1)

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tip
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def cell(self, row: R, column: int, role: int) -> Any:
        """What one cell holds for ``role``: the column's text, alignment, tooltip and colour,
        and the row's id."""
        col = self.columns[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if col.right else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tip(row) if col.tip else None
        if role == Qt.ItemDataRole.ForegroundRole:
            color = col.color(row) if col.color else None
            return QBrush(color) if color is not None else None
        if role == ID_ROLE:
            return self.row_id(row)
        return None
