"""The roster as a Qt model that fetches pages from SQL as rows are shown (100,000 is fine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from winback_desktop.services.dto import RosterRow
from winback_desktop.services.vocab import Decision
from winback_desktop.ui.kit.format import money, short_date

PAGE = 200
Index = QModelIndex | QPersistentModelIndex
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
DECISION_LABELS = {d.value: d.label.lower() for d in Decision}  # in a column: "let go"


def row_value(r: RosterRow):
    return r.yearly_revenue if r.yearly_revenue else r.value_lost


@dataclass(frozen=True)
class Column:
    header: str
    sort: str
    text: Callable[[RosterRow], str]
    right: bool = False


COLUMNS = (
    Column("Priority", "priority", lambda r: f"{r.priority:.0f}", right=True),
    Column("Company", "company", lambda r: r.company),
    Column("Contact", "contact", lambda r: r.contact_name),
    Column("Customer ID", "external_id", lambda r: r.external_id),
    Column("Yearly value", "value", lambda r: money(row_value(r)), right=True),
    Column("Last purchase", "last_purchase", lambda r: short_date(r.last_purchase)),
    Column("Orders", "orders", lambda r: str(r.orders_count), right=True),
    Column("Status", "status", lambda r: r.status.replace("_", " ")),
    Column(
        "Decision",
        "decision",
        lambda r: (
            DECISION_LABELS.get(r.decision, r.decision) + ("  · verify contact" if r.verify_contact else "")
        ),
    ),
    Column("Segment", "segment", lambda r: r.segment),
    Column("Owner", "owner", lambda r: r.owner),
)


class RosterModel(QAbstractTableModel):
    """``first(sort, descending)`` gives (first page, total, capped) in one query, as a
    keystroke needs it; ``fetch(offset, limit, sort, descending)`` the pages after it."""

    def __init__(self, first: Callable[..., tuple], fetch: Callable[..., list[RosterRow]], parent=None):
        super().__init__(parent)
        self._first, self._fetch = first, fetch
        self._rows: list[RosterRow] = []
        self._total = 0
        self.capped = False  # more match than were counted: the UI shows "10,000+"
        self.sort_key, self.descending = "priority", True
        self._loaded = False
        self._paused = False  # showing a first page read at start-up: no pages to fetch yet

    # -- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        self.beginResetModel()
        self._rows, self._total, self.capped = self._first(self.sort_key, self.descending)
        self._loaded, self._paused = True, False
        self.endResetModel()

    def show_first_page(self, rows: list[RosterRow], total: int) -> None:
        """The default view's first page, read before the services are loaded (app start-up);
        more pages come after the next :meth:`reload`."""
        self.beginResetModel()
        self._rows, self._total, self.capped = list(rows), total, False
        self._loaded, self._paused = True, True
        self.endResetModel()

    @property
    def total(self) -> int:
        return self._total

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008 - Qt API
        if parent.isValid() or self._paused:
            return False
        return len(self._rows) < self._total or self.capped

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008 - Qt API
        if parent.isValid() or self._paused:
            return
        more = self._fetch(len(self._rows), PAGE, self.sort_key, self.descending)
        if not more:
            self._total, self.capped = len(self._rows), False
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key, descending = COLUMNS[column].sort, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending) and not self._loaded:
            return  # the view setting its initial indicator: the first reload() comes anyway
        self.sort_key, self.descending = key, descending
        self.reload()

    def row_at(self, row: int) -> RosterRow:
        return self._rows[row]

    def replace_row(self, row: int, updated: RosterRow) -> None:
        self._rows[row] = updated
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r, col = self._rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(r)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.right:
            return RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.priority_reason or None
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None
