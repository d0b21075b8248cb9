"""The roster as a Qt model that fetches pages from SQL as rows are shown (100,000 is fine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt

from winback_desktop.services.dto import RosterRow
from winback_desktop.services.vocab import Decision
from winback_desktop.ui.kit.format import money, short_date
from winback_desktop.ui.kit.table_model import Column, Index, TableModel

PAGE = 200
DECISION_LABELS = {d.value: d.label.lower() for d in Decision}  # in a column: "let go"


def row_value(r: RosterRow) -> Decimal:
    return r.yearly_revenue if r.yearly_revenue else r.value_lost


@dataclass(frozen=True)
class RosterColumn(Column[RosterRow]):
    order_by: str = ""  # the service's sort key: sorting is done in SQL


COLUMNS = (
    RosterColumn("Priority", lambda r: f"{r.priority:.0f}", right=True, order_by="priority"),
    RosterColumn("Company", lambda r: r.company, order_by="company"),
    RosterColumn("Contact", lambda r: r.contact_name, order_by="contact"),
    RosterColumn("Customer ID", lambda r: r.external_id, order_by="external_id"),
    RosterColumn("Yearly value", lambda r: money(row_value(r)), right=True, order_by="value"),
    RosterColumn("Last purchase", lambda r: short_date(r.last_purchase), order_by="last_purchase"),
    RosterColumn("Orders", lambda r: str(r.orders_count), right=True, order_by="orders"),
    RosterColumn("Status", lambda r: r.status.replace("_", " "), order_by="status"),
    RosterColumn(
        "Decision",
        lambda r: (
            DECISION_LABELS.get(r.decision, r.decision) + ("  · verify contact" if r.verify_contact else "")
        ),
        order_by="decision",
    ),
    RosterColumn("Segment", lambda r: r.segment, order_by="segment"),
    RosterColumn("Owner", lambda r: r.owner, order_by="owner"),
)


FirstPage = Callable[[str, bool], tuple[list[RosterRow], int, bool]]  # (sort, descending)
NextPage = Callable[[int, int, str, bool], list[RosterRow]]  # (offset, limit, sort, descending)


class RosterModel(TableModel[RosterRow]):
    """``first(sort, descending)`` gives (first page, total, capped) in one query, as a
    keystroke needs it; ``fetch(offset, limit, sort, descending)`` the pages after it."""

    def __init__(self, first: FirstPage, fetch: NextPage, parent: QObject | None = None):
        super().__init__(COLUMNS, parent)
        self._first, self._fetch = first, fetch
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
        key, descending = COLUMNS[column].order_by, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending) and not self._loaded:
            return  # the view setting its initial indicator: the first reload() comes anyway
        self.sort_key, self.descending = key, descending
        self.reload()

    def cell(self, row: RosterRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:  # every cell: why this customer is here
            return row.priority_reason or None
        return super().cell(row, column, role)
