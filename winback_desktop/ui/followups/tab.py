"""The partner's follow-up board: every promise made on a call, by owner and due date.

Filters above the table (owner, status, overdue only, customer search), the selected promise in
full at the right, and the actions below: mark done with a note (Ctrl+D or Enter), reopen,
reassign, change the due date, cancel, and export what is shown as CSV. Every change goes
through ``services.followups`` and the board reloads, keeping the selection where it makes sense.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.formats import count
from winback_desktop.services.changes import Change
from winback_desktop.services.conflicts import Choice, Conflict, Stale, both
from winback_desktop.services.context import AppContext
from winback_desktop.services.followups import board as followups
from winback_desktop.services.followups.board import NO_OWNER, NO_OWNER_LABEL, FollowUp
from winback_desktop.services.people import team as people
from winback_desktop.services.vocab import ActionStatus
from winback_desktop.ui.conflicts.dialog import ConflictDialog
from winback_desktop.ui.followups.details import DueDateDialog, FollowUpDetails, short_line
from winback_desktop.ui.followups.model import COLUMNS, OWNER, WHAT, FollowUpsModel
from winback_desktop.ui.kit.actions import Action, Keys, Menu, build
from winback_desktop.ui.kit.confirm import NoteDialog
from winback_desktop.ui.kit.format import short_date
from winback_desktop.ui.kit.jobs import WriteJob, write_in_background
from winback_desktop.ui.kit.signals import on_change
from winback_desktop.ui.kit.widgets import buddy_label, with_name, with_tip

SEARCH_DELAY_MS = 150
ALL_OWNERS = None
STATUS_CHOICES = (*((s.label, s.value) for s in ActionStatus), ("All", "all"))
COLUMN_WIDTHS = (96, 140, 190, 0, 104)  # What stretches
SHOWN = {Change.FOLLOWUPS, Change.PEOPLE, Change.CUSTOMERS}  # promises, their owners and customers
# The board's commands: a button each, and a shortcut while the board is visible.
BOARD_ACTIONS = Menu(
    "",
    (
        Action(
            "done",
            "Mark done…",
            lambda t: t.mark_done(),
            ("Ctrl+D",),
            tip="Mark the selected item done, with a short note (Ctrl+D or Enter)",
            edits=True,
        ),
        Action(
            "reopen",
            "Reopen",
            lambda t: t.reopen(),
            ("Ctrl+Shift+O",),
            tip="Put a done or cancelled item back on the open board (Ctrl+Shift+O)",
            edits=True,
        ),
        Action(
            "reassign",
            "Reassign…",
            lambda t: t.reassign(),
            ("Ctrl+Shift+R",),
            tip="Give the selected item to someone else (Ctrl+Shift+R)",
            edits=True,
        ),
        Action(
            "due",
            "Due date…",
            lambda t: t.change_due(),
            ("Ctrl+Shift+T",),
            tip="Change or clear the due date (Ctrl+Shift+T)",
            edits=True,
        ),
        # Delete (on the table only, never while typing a search) cancels: see eventFilter.
        Action(
            "cancel",
            "Cancel item…",
            lambda t: t.cancel_item(),
            tip="The promise no longer applies: it leaves the open board, nothing is deleted (Del)",
            edits=True,
        ),
        Action(
            "open_call",
            "Open call",
            lambda t: t.open_selected_call(),
            ("Ctrl+O",),
            tip="The call this promise was made in: every note, read only when finished (Ctrl+O)",
        ),
        Action(
            "export",
            "Export CSV…",
            lambda t: t.export_csv(),
            ("Ctrl+Shift+E",),
            tip="Save the follow-ups shown, with these filters, as CSV (Ctrl+Shift+E)",
        ),
    ),
)
BOARD_KEYS = (
    Keys("Enter", "Mark the selected item done"),
    Keys("Del", "Cancel the selected item"),
    Keys("Alt+M", "Search customers; Enter or ↓ goes to the list"),
)


def counts_text(c: followups.BoardCounts) -> str:
    return (
        f"{c.open} open · {c.overdue} overdue · {c.due_this_week} due this week · "
        f"{c.done_last_30_days} done in the last 30 days"
    )


def owner_label(o: followups.OwnerOption) -> str:
    label = f"{o.name} — {o.open_items} open" + (f", {o.overdue} overdue" if o.overdue else "")
    return label + ("  (retired)" if not o.active else "")


# The change to make over what stands now, once the caller chose (someone else changed the item).
Redo = Callable[[Conflict, Choice], Callable[[], object]]


class FollowUpsTab(QWidget):
    """The follow-up board. ``changed`` fires after every change (other views may reload);
    ``message`` carries a one-line confirmation for a status bar."""

    changed = Signal()
    message = Signal(str)
    open_call = Signal(int)  # the call a follow-up was promised in

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, load: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.job: WriteJob | None = None  # a change on its way to the database
        self.today: dt.date | None = None  # None: the real today (tests may pin it)
        self._owner_chosen = False  # once the user picks an owner, refresh keeps it
        self._build_filters()
        self._build_table()
        self.details = FollowUpDetails()
        self._build_commands()
        self._build_layout()
        self._connect()
        # Read again on those changes, and each time shown (calls made elsewhere add promises).
        self.watcher = on_change(self, SHOWN, lambda _kinds: self.refresh(), on_show=True)
        if load:  # the main window loads it when the tab is first shown
            self.refresh()

    def _build_filters(self) -> None:
        """Owner, status, overdue only and the customer search; the counts above the table."""
        self.owner = with_tip(QComboBox(), "Whose follow-ups (with how many are open)")
        self.owner.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status = with_tip(QComboBox(), "Open, done, cancelled or all")
        for label, value in STATUS_CHOICES:
            self.status.addItem(label, value)
        self.overdue_only = with_tip(QCheckBox("Over&due only"), "Open items past their due date")
        self.search = QLineEdit(placeholderText="Company, contact, id or phone")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Search customers (Alt+M); Enter or ↓ goes to the list")
        self.counts_label = with_name(QLabel(), "hint")
        self.shown_label = with_name(QLabel(), "hint")

    def _build_table(self) -> None:
        self.model = FollowUpsModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Follow-ups")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setAccessibleName("Follow-ups")
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        for i, width in enumerate(COLUMN_WIDTHS):
            if i == WHAT:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(i, width)
        self.table.setSortingEnabled(True)

    def _build_commands(self) -> None:
        """The declared actions (shortcuts live while the board is visible), a button each."""
        self.commands = build(self, (BOARD_ACTIONS,))
        self.done_action, self.done_button = self._command("done")
        self.reopen_action, self.reopen_button = self._command("reopen")
        self.reassign_action, self.reassign_button = self._command("reassign")
        self.due_action, self.due_button = self._command("due")
        self.cancel_action, self.cancel_button = self._command("cancel")
        self.export_action, self.export_button = self._command("export")
        self.open_call_action, self.open_call_button = self._command("open_call")

    def _build_layout(self) -> None:
        """Filters, counts, the table beside the details, the buttons; and the tab order."""
        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(buddy_label("Own&er", self.owner))
        filters.addWidget(self.owner)
        filters.addSpacing(10)
        filters.addWidget(buddy_label("&Status", self.status))
        filters.addWidget(self.status)
        filters.addSpacing(10)
        filters.addWidget(self.overdue_only)
        filters.addSpacing(16)
        filters.addWidget(buddy_label("Custo&mer", self.search))
        filters.addWidget(self.search, 1)
        summary = QHBoxLayout()
        summary.addWidget(self.counts_label, 1)
        summary.addWidget(self.shown_label)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([820, 280])
        self.splitter = splitter
        buttons = QHBoxLayout()
        for b in (
            self.done_button,
            self.reopen_button,
            self.reassign_button,
            self.due_button,
            self.cancel_button,
            self.open_call_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(filters)
        layout.addLayout(summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)
        QWidget.setTabOrder(self.owner, self.status)
        QWidget.setTabOrder(self.status, self.overdue_only)
        QWidget.setTabOrder(self.overdue_only, self.search)
        QWidget.setTabOrder(self.search, self.table)
        QWidget.setTabOrder(self.table, self.done_button)

    def _connect(self) -> None:
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._filters_changed)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.owner.currentIndexChanged.connect(self._owner_picked)
        self.status.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.overdue_only.toggled.connect(self._overdue_toggled)
        # selectRow() moves the current index before it selects: follow the selection itself.
        self.table.selectionModel().selectionChanged.connect(lambda _new, _old: self._selection_changed())
        self.table.doubleClicked.connect(lambda _i: self.done_action.trigger())
        self.table.installEventFilter(self)
        self.search.installEventFilter(self)

    def _command(self, name: str) -> tuple[QAction, QPushButton]:
        """A declared action and its button (enabled together)."""
        action = self.commands[name]
        action.setToolTip(action.statusTip())
        button = with_tip(QPushButton(action.text(), autoDefault=False), action.statusTip())
        button.clicked.connect(action.trigger)
        action.enabledChanged.connect(button.setEnabled)
        return action, button

    # -- filters -------------------------------------------------------------------------------
    def filters(self) -> dict[str, Any]:
        """The board's current filters, as keyword arguments for ``followups.board``."""
        return {
            "owner_id": self.owner.currentData(),
            "status": self.status.currentData(),
            "overdue_only": self.overdue_only.isChecked(),
            "customer_text": self.search.text(),
            "today": self.today,
        }

    def _owner_picked(self, _index: int) -> None:
        # _reload_owners blocks signals, so this is the user (or a caller) choosing an owner.
        self._owner_chosen = True
        self._filters_changed()

    def _filters_changed(self) -> None:
        """A new view: keep the selected item if it is still there, else start at the top."""
        self.refresh(fallback_row=0)

    def _overdue_toggled(self, on: bool) -> None:
        if on and self.status.currentData() in ("done", "cancelled"):
            self.status.setCurrentIndex(self.status.findData("open"))  # refreshes
        else:
            self._filters_changed()

    def _reload_owners(self) -> None:
        """Owners with open items (and their counts); the chosen one stays, even at 0 open."""
        options = followups.owners_with_open_items(self.ctx, today=self.today)
        wanted = self.owner.currentData() if self.owner.count() else None
        if not self._owner_chosen:
            me = people.current_user(self.ctx)
            wanted = me.id if me is not None and any(o.id == me.id for o in options) else ALL_OWNERS
        self.owner.blockSignals(True)
        self.owner.clear()
        self.owner.addItem("All owners", ALL_OWNERS)
        for o in options:
            self.owner.addItem(owner_label(o), o.id)
            if not o.active:
                self.owner.setItemData(
                    self.owner.count() - 1, "Retired: reassign their open items", Qt.ItemDataRole.ToolTipRole
                )
        if wanted is not None and self.owner.findData(wanted) < 0:
            self.owner.addItem(self._nobody_open_label(wanted), wanted)
        self.owner.setCurrentIndex(max(self.owner.findData(wanted), 0))
        self.owner.blockSignals(False)

    def _nobody_open_label(self, owner_id: int) -> str:
        if owner_id == NO_OWNER:
            return f"{NO_OWNER_LABEL} — 0 open"
        try:
            name = people.get_person(self.ctx, owner_id).name
        except LookupError:
            name = f"person {owner_id}"
        return f"{name} — 0 open"

    # -- loading -------------------------------------------------------------------------------
    def refresh(self, keep_id: int | None = None, fallback_row: int | None = None) -> None:
        """Reload owners, counts and rows; keep the selected item (or the same row) selected."""
        self._search_timer.stop()
        current = self.selected()
        keep_id = keep_id if keep_id is not None else (current.id if current else None)
        if fallback_row is None:
            fallback_row = self.table.currentIndex().row()
        self._reload_owners()
        try:
            rows = followups.board(self.ctx, **self.filters())
        except LookupError:  # the chosen person is gone: show everyone
            self._owner_chosen = False
            self.owner.setCurrentIndex(0)
            return
        self.model.set_rows(rows, self.today)
        owner_id = self.owner.currentData()
        self.table.setColumnHidden(OWNER, owner_id is not None)  # one owner: the column says nothing
        prefix = f"{self._owner_name()}: " if owner_id is not None else ""
        self.counts_label.setText(
            prefix + counts_text(followups.counts(self.ctx, self.today, owner_id=owner_id))
        )
        self.shown_label.setText(f"{len(rows)} shown")
        row = self.model.row_of(keep_id) if keep_id is not None else -1
        if row < 0 and rows:
            row = min(max(fallback_row, 0), len(rows) - 1)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.table.clearSelection()
            self.table.setCurrentIndex(self.model.index(-1, -1))
        self._selection_changed()

    def _owner_name(self) -> str:
        """The chosen owner's name, without the counts of the filter's entry."""
        return self.owner.currentText().split(" — ")[0]

    def _empty_text(self) -> str:
        if self.search.text().strip() or self.overdue_only.isChecked():
            return "No follow-ups match these filters."
        status = self.status.currentData()
        owner_id = self.owner.currentData()
        whose = "" if owner_id is None else f" for {self._owner_name()}"
        if owner_id == NO_OWNER:
            whose = " without an owner"
        return {"open": f"Nothing open{whose}.", "all": f"No follow-ups{whose}."}.get(
            status, f"Nothing {status}{whose}."
        )

    def selected(self) -> FollowUp | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.row_at(index.row())

    def open_selected_call(self) -> None:
        f = self.selected()
        if f is not None:
            self.open_call.emit(f.call_id)

    def select_item(self, action_id: int) -> bool:
        row = self.model.row_of(action_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _selection_changed(self) -> None:
        f = self.selected()
        self.details.show_item(f, self._empty_text() if not self.model.rowCount() else "Select a follow-up")
        self.done_action.setEnabled(f is not None and f.status != "done")
        self.reopen_action.setEnabled(f is not None and f.status != "open")
        for action in (self.reassign_action, self.due_action):
            action.setEnabled(f is not None)
        self.cancel_action.setEnabled(f is not None and f.status == "open")
        self.open_call_action.setEnabled(f is not None)
        self.export_action.setEnabled(self.model.rowCount() > 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.NoModifier
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
                self.done_action.trigger()  # Enter on a row: mark it done
                return True
            if watched is self.table and key == Qt.Key.Key_Delete:
                self.cancel_action.trigger()
                return True
            if watched is self.search and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
                if self._search_timer.isActive():
                    self._filters_changed()
                self.table.setFocus()
                if self.model.rowCount() and self.selected() is None:
                    self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)

    # -- changes -------------------------------------------------------------------------------
    def _apply(
        self, what: str, change: Callable[[], object], said: str = "", redo: Redo | None = None
    ) -> bool:
        """Run one service change on a worker thread (a busy database never freezes the board);
        then ``said`` on the status line and the board reloads (its change watcher), or the
        known problem is said and the board is read again. False while another is on its way.

        The change names the version the board showed; when someone at another desk changed the
        item meanwhile, nothing was changed: the conflict dialog shows theirs and this change,
        and ``redo(conflict, choice)`` gives the change to make over what stands now."""
        if self.job is not None and self.job.running:
            self.message.emit("A change is being saved: one moment…")
            return False

        def attempt() -> object:
            try:
                return change()
            except Stale as stale:  # nothing changed: the caller chooses, on the GUI thread
                return stale

        def done(result: object) -> None:
            self.job = None
            if isinstance(result, Stale):
                self._conflicted(what, result.conflict, said, redo)
                return
            self.changed.emit()
            if said:
                self.message.emit(said)

        def refused(_why: str) -> None:
            self.job = None
            self.refresh()

        self.job = write_in_background(
            self,
            self.ctx,
            attempt,
            done,
            doing=f"{what}…",
            not_done=f"{what}: nothing was saved",
            title=what,
            on_refused=refused,
            expected=(LookupError, ValueError),
        )
        return True

    def _conflicted(self, what: str, conflict: Conflict, said: str, redo: Redo | None) -> None:
        choice = ConflictDialog.ask(self, conflict, allow_both=bool(conflict.stored.get("both")))
        self.refresh()  # what stands now
        if choice is None or choice is Choice.THEIRS or redo is None:
            self.message.emit(f"{what}: kept what was changed at another desk")
            return
        self._apply(what, redo(conflict, choice), said, redo)

    def mark_done(self) -> bool:
        f = self.selected()
        if f is None or f.status == "done":
            return False
        note, ok = NoteDialog.ask(
            self,
            "Mark done",
            f"{f.company}: “{short_line(f.what)}”\n\nWhat was done? (optional — kept with the item)",
            f.done_note,
        )
        if not ok:
            return False

        def again(c: Conflict, choice: Choice) -> Callable[[], object]:
            kept = both(str(c.stored["done_note"]), note) if choice is Choice.BOTH else note
            return lambda: followups.mark_done(self.ctx, f.id, kept, c.version)

        return self._apply(
            "Mark done",
            lambda: followups.mark_done(self.ctx, f.id, note, f.version),
            f"Done: {short_line(f.what, 50)} ({f.company})",
            again,
        )

    def reopen(self) -> bool:
        f = self.selected()
        if f is None or f.status == "open":
            return False
        return self._apply(
            "Reopen",
            lambda: followups.reopen(self.ctx, f.id, f.version),
            f"Reopened: {short_line(f.what, 50)} ({f.company})",
            lambda c, _choice: lambda: followups.reopen(self.ctx, f.id, c.version),
        )

    def reassign(self) -> bool:
        f = self.selected()
        if f is None:
            return False
        choices: dict[str, int | None] = {
            f"{p.name} ({p.role_label})": p.id for p in people.list_people(self.ctx)
        }
        choices[NO_OWNER_LABEL] = None
        labels = list(choices)
        current = next((i for i, pid in enumerate(choices.values()) if pid == f.owner_id), 0)
        label, ok = QInputDialog.getItem(
            self, "Reassign", f"Who takes over “{short_line(f.what)}”?", labels, current, False
        )
        if not ok or label not in choices:
            return False
        owner_id = choices[label]
        if owner_id == f.owner_id:
            return False
        return self._apply(
            "Reassign",
            lambda: followups.reassign(self.ctx, f.id, owner_id, f.version),
            f"{short_line(f.what, 50)} now with {label.split(' (')[0]}",
            lambda c, _choice: lambda: followups.reassign(self.ctx, f.id, owner_id, c.version),
        )

    def change_due(self) -> bool:
        f = self.selected()
        if f is None:
            return False
        due, ok = DueDateDialog.ask(self, f.due_date, f.what)
        if not ok or due == f.due_date:
            return False
        return self._apply(
            "Due date",
            lambda: followups.set_due(self.ctx, f.id, due, f.version),
            f"Due {short_date(due) if due else 'no date'}: {short_line(f.what, 50)}",
            lambda c, _choice: lambda: followups.set_due(self.ctx, f.id, due, c.version),
        )

    def cancel_item(self) -> bool:
        f = self.selected()
        if f is None or f.status != "open":
            return False
        note, ok = QInputDialog.getText(
            self,
            "Cancel item",
            f"“{short_line(f.what)}” no longer applies?\nIt leaves the open board; nothing is deleted. "
            "Why? (optional)",
        )
        if not ok:
            return False

        def again(c: Conflict, choice: Choice) -> Callable[[], object]:
            kept = both(str(c.stored["done_note"]), note) if choice is Choice.BOTH else note
            return lambda: followups.cancel(self.ctx, f.id, kept, c.version)

        return self._apply(
            "Cancel item",
            lambda: followups.cancel(self.ctx, f.id, note, f.version),
            f"Cancelled: {short_line(f.what, 50)} ({f.company})",
            again,
        )

    def export_csv(self) -> Path | None:
        exports = self.ctx.paths.exports
        exports.mkdir(parents=True, exist_ok=True)
        default = exports / f"followups-{dt.date.today():%Y-%m-%d}.csv"
        name, _ = QFileDialog.getSaveFileName(self, "Export follow-ups", str(default), "CSV (*.csv)")
        if not name:
            return None
        out = Path(name)
        if not out.suffix:
            out = out.with_suffix(".csv")
        try:
            n = followups.export_followups(self.ctx, out, **self.filters())
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {out}:\n{exc.strerror or exc}")
            return None
        self.message.emit(f"Exported {count(n, 'follow-up')} to {out}")
        return out

    def columns(self) -> list[str]:
        return [c.header for c in COLUMNS]
