"""The follow-up board as a thin Qt table model over ``followups.board`` rows.

Rows come in the service's order (owner, then due date); clicking a header sorts them in memory
(a board is a few hundred promises at most), and clearing the sort restores the service order.
Overdue rows say so in words ("OVERDUE 4d") as well as in red, so colour is never the only cue.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont

from winback_desktop.services.clock import local_date
from winback_desktop.services.followups.board import NO_OWNER_LABEL, FollowUp
from winback_desktop.services.vocab import ActionStatus
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.format import short_date
from winback_desktop.ui.kit.table_model import Column, TableModel

OVERDUE_COLOUR = QColor(palette.OVERDUE)  # the light scheme's; rows ask palette.colour() as painted
QUIET_COLOUR = QColor(palette.QUIET)
_FAR_FUTURE = dt.date.max
_STATUS_RANK = {s.value: rank for rank, s in enumerate(ActionStatus, start=1)}  # open, done, cancelled


def due_text(f: FollowUp) -> str:
    return short_date(f.due_date) if f.due_date else "no date"


def status_text(f: FollowUp, today: dt.date | None = None) -> str:
    """What the Status column says: OVERDUE 4d / due today / open / done 20 Nov / cancelled."""
    if f.overdue:
        return f"OVERDUE {f.days_overdue}d"
    if f.status == "open":
        return "due today" if f.due_date is not None and f.due_date == (today or dt.date.today()) else "open"
    if f.status == "done":
        day = local_date(f.done_at)
        return f"done {day:%d %b}" if day else "done"
    return f.status


def status_words(f: FollowUp, with_due: bool = True) -> str:
    """The status as a sentence, for tooltips and screen readers."""
    if f.overdue:
        days = f.days_overdue
        late = f"Overdue by {days} day{'s' if days != 1 else ''}"
        return f"{late} (due {short_date(f.due_date)})" if with_due else late
    if f.status == "done":
        day = local_date(f.done_at)
        return f"Done {short_date(day)}" if day else "Done"
    if f.status == "cancelled":
        return "Cancelled: no longer applies"
    if not with_due:
        return "Open"
    return f"Open, due {short_date(f.due_date)}" if f.due_date else "Open, no due date"


def call_words(f: FollowUp) -> str:
    when = f"the call on {short_date(f.call_date)}" if f.call_date else "a call"
    return f"From {when}" + (f" with {f.caller_name}" if f.caller_name else "")


def row_tooltip(f: FollowUp) -> str:
    """Rich text (so Qt wraps it): the whole promise, its status, the call it came from, the note."""
    e = html.escape
    parts = [
        f"<b>{e(f.company)}</b>" + (f" — {e(f.contact)}" if f.contact else ""),
        e(f.what).replace("\n", "<br>"),
        f"<i>{e(status_words(f))}</i>",
        e(call_words(f)),
    ]
    if f.done_note:
        parts.append("<b>Note:</b> " + e(f.done_note).replace("\n", "<br>"))
    return "<qt>" + "<br>".join(parts) + "</qt>"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _quiet(f: FollowUp) -> QColor | None:
    """Done and cancelled promises read quieter than open ones."""
    return QColor(palette.colour("QUIET")) if f.status != "open" else None


def _late(f: FollowUp) -> QColor | None:
    return QColor(palette.colour("OVERDUE")) if f.overdue else _quiet(f)


COLUMNS: tuple[Column[FollowUp], ...] = (
    Column("Due", due_text, sort=lambda f: (f.due_date or _FAR_FUTURE, f.id), color=_late),
    Column(
        "Owner",
        lambda f: f.owner_name or NO_OWNER_LABEL,
        sort=lambda f: (f.owner_id is None, f.owner_name.casefold(), f.due_date or _FAR_FUTURE, f.id),
        color=lambda f: QColor(palette.colour("QUIET")) if f.owner_id is None else _quiet(f),
    ),
    Column(
        "Customer",
        lambda f: f.company,
        sort=lambda f: (f.company.casefold(), f.due_date or _FAR_FUTURE, f.id),
        color=_quiet,
    ),
    Column("What", lambda f: _first_line(f.what), sort=lambda f: (f.what.casefold(), f.id), color=_quiet),
    Column(
        "Status",
        status_text,
        # Most overdue first, then open by due date, then done, then cancelled.
        sort=lambda f: (
            0 if f.overdue else _STATUS_RANK.get(f.status, 9),
            -f.days_overdue,
            f.due_date or _FAR_FUTURE,
            f.id,
        ),
        color=_late,
    ),
)
DUE, OWNER, CUSTOMER, WHAT, STATUS = range(len(COLUMNS))


class FollowUpsModel(TableModel[FollowUp]):
    """Plain ``FollowUp`` rows; ``set_rows`` replaces them (keeping the current sort)."""

    header_tip = "Click to sort; click again to reverse, a third time for owner and due date"

    def __init__(self, parent: QObject | None = None):
        super().__init__(COLUMNS, parent)
        self._service_order: list[FollowUp] = []
        self.sort_column, self.sort_order = -1, Qt.SortOrder.AscendingOrder
        self.today: dt.date | None = None

    # -- data ------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[FollowUp], today: dt.date | None = None) -> None:
        self.beginResetModel()
        self.today = today
        self._service_order = list(rows)
        self._rows = self._sorted(self._service_order)
        self.endResetModel()

    @property
    def rows(self) -> list[FollowUp]:
        return list(self._rows)

    def _sorted(self, rows: list[FollowUp]) -> list[FollowUp]:
        key = COLUMNS[self.sort_column].sort if 0 <= self.sort_column < len(COLUMNS) else None
        if key is None:
            return list(rows)
        return sorted(rows, key=key, reverse=self.sort_order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; -1 restores the service's order (owner, then due date)."""
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old_ids = [f.id for f in self._rows]
        self._rows = self._sorted(self._service_order)
        new_row = {f.id: i for i, f in enumerate(self._rows)}
        before = self.persistentIndexList()
        after = [self.index(new_row[old_ids[p.row()]], p.column()) for p in before]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    # -- cells -----------------------------------------------------------------------------
    def cell(self, f: FollowUp, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and column == STATUS:
            return status_text(f, self.today)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row_tooltip(f)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            col = COLUMNS[column]
            return f"{col.header}: {status_words(f) if column == STATUS else col.text(f)}"
        if role == Qt.ItemDataRole.FontRole and f.overdue and column == STATUS:
            font = QFont()
            font.setBold(True)
            return font
        return super().cell(f, column, role)
