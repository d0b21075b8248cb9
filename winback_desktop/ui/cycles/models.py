"""Rescue cycles tab: one thin table model, its column specs, and the table views it sits in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from winback_desktop.services.clock import to_local
from winback_desktop.services.cycles.progress import AssigneeProgress, AssignmentRow, CycleProgress
from winback_desktop.services.cycles.rescue import CycleInfo
from winback_desktop.services.vocab import AssignmentKind
from winback_desktop.ui.cycles.dialogs import date_range
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.table_model import Column, TableModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FILTER_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_LABELS = {k.value: k.label for k in AssignmentKind}
SHORT_KINDS = {k.value: k.short_label for k in AssignmentKind}


def next_call_text(when: dt.datetime | None) -> str:
    """A booked call in local time: "Tue 12 May 10:30"."""
    if when is None:
        return ""
    local = to_local(when)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


# --- one thin model for the three tables ----------------------------------------------------------


class RowsModel(TableModel[Any]):
    """Plain service rows under column specs; ``row_id`` gives the id (``ID_ROLE``), ``muted``
    greys a row, ``filter_key`` feeds ``FILTER_ROLE`` for a proxy filter; ``SORT_ROLE`` is the
    column's sort key (default: its text, case-folded)."""

    def __init__(
        self,
        columns: Sequence[Column[Any]],
        row_id: Callable[[Any], Any],
        muted: Callable[[Any], bool] | None = None,
        filter_key: Callable[[Any], str] | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(columns, parent)
        self._row_id, self._muted, self._filter_key = row_id, muted, filter_key

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_id(self, row: Any) -> Any:
        return self._row_id(row)

    def cell(self, row: Any, column: int, role: int) -> Any:
        if role == SORT_ROLE:
            col = self.columns[column]
            return col.sort(row) if col.sort else col.text(row).casefold()
        if role == Qt.ItemDataRole.ForegroundRole and self._muted and self._muted(row):
            return QBrush(QColor(palette.colour("MUTED")))
        if role == FILTER_ROLE:
            return self._filter_key(row) if self._filter_key else None
        return super().cell(row, column, role)


def make_table(model: QAbstractItemModel, *, sortable: bool = False) -> QTableView:
    table = QTableView()
    if sortable:
        proxy = QSortFilterProxyModel(table)
        proxy.setSourceModel(model)
        proxy.setSortRole(SORT_ROLE)
        proxy.setFilterRole(FILTER_ROLE)
        table.setModel(proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    else:
        table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    return table


def set_widths(table: QTableView, widths: tuple[int, ...]) -> None:
    for i, w in enumerate(widths):
        table.horizontalHeader().resizeSection(i, w)


# --- column specs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleRow:
    info: CycleInfo
    progress: CycleProgress


def _progress_summary(r: CycleRow) -> str:
    p = r.progress
    if not p.assigned:
        return "not filled yet" if r.info.status == "open" else "no customers"
    return f"{p.called} of {p.assigned} called"


CYCLE_COLUMNS: tuple[Column[CycleRow], ...] = (
    Column(
        "Cycle",
        lambda r: r.info.name,
        tip=lambda r: f"{r.info.name}: {date_range(r.info.starts_on, r.info.ends_on)}",
    ),
    Column(
        "Dates",
        lambda r: date_range(r.info.starts_on, r.info.ends_on),
        sort=lambda r: r.info.starts_on.toordinal(),
    ),
    Column(
        "Quota",
        lambda r: str(r.info.executive_quota),
        sort=lambda r: r.info.executive_quota,
        right=True,
        tip=lambda r: f"Each executive calls {r.info.executive_quota} customers",
    ),
    Column("Status", lambda r: r.info.status.capitalize()),
    Column(
        "Progress",
        _progress_summary,
        sort=lambda r: r.progress.called,
        tip=lambda r: (
            f"{r.progress.called} called, {r.progress.reached} reached, {r.progress.won_back} won back, "
            f"{r.progress.open_followups} open follow-ups"
        ),
    ),
)

ASSIGNEE_COLUMNS: tuple[Column[AssigneeProgress], ...] = (
    Column("Person", lambda p: p.name or "(nobody)"),
    Column("Role", lambda p: KIND_LABELS.get(p.kind, p.kind)),
    Column("Assigned", lambda p: str(p.assigned), sort=lambda p: p.assigned, right=True),
    Column(
        "Called",
        lambda p: f"{p.called}  ({percent(p.called, p.assigned)})",
        sort=lambda p: p.called,
        right=True,
    ),
    Column("Reached", lambda p: str(p.reached), sort=lambda p: p.reached, right=True),
    Column("Won back", lambda p: str(p.won_back), sort=lambda p: p.won_back, right=True),
    Column("Open follow-ups", lambda p: str(p.open_followups), sort=lambda p: p.open_followups, right=True),
)


def _customer_tip(a: AssignmentRow) -> str:
    parts = [a.company, a.contact_name, a.phone, f"Status: {a.customer_status.replace('_', ' ')}"]
    return "\n".join(p for p in parts if p)


ASSIGNMENT_COLUMNS: tuple[Column[AssignmentRow], ...] = (
    Column("Customer", lambda a: a.company, tip=_customer_tip),
    Column("Priority", lambda a: f"{a.priority:.0f}", sort=lambda a: a.priority, right=True),
    Column(
        "Kind",
        lambda a: SHORT_KINDS.get(a.kind, a.kind),
        sort=lambda a: a.kind != "executive",
        tip=lambda a: KIND_LABELS.get(a.kind, a.kind),
    ),
    Column("Assignee", lambda a: a.assignee_name),
    Column("Partner", lambda a: a.partner_name),
    Column(
        "Contact",
        lambda a: "⚠ verify" if a.verify_contact else "",
        sort=lambda a: not a.verify_contact,
        tip=lambda a: "Check the address or number before calling" if a.verify_contact else None,
        color=lambda a: QColor(palette.colour("WARN")) if a.verify_contact else None,
    ),
    Column(
        "Next booked call",
        lambda a: next_call_text(a.next_call_at),
        sort=lambda a: a.next_call_at.timestamp() if a.next_call_at else float("inf"),
    ),
)
