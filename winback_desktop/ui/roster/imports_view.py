"""File ▸ Imports…: every import listed as a batch, newest first, and one taken back (undo).

Enter shows what an import brought and what undoing it would do; Delete (or "Undo import…")
asks with the service's own words (``UndoPlan.describe``) and runs the undo in a child process
(jobs/undo_import.py says why: seconds of Python for a big file), the window staying usable.
When it is done the screens read again through the change signal. An import that cannot be
undone says why in its row, and again when asked; in read-only mode nothing offers to undo.

The services (and SQLAlchemy) are imported when the dialog opens, not with this module: the
roster room is part of the first paint (README, "Start-up").
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QProcess, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.formats import short_date_time
from winback_desktop.services import clock
from winback_desktop.services.changes import Change
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.actions import Action, Keys, Menu, build
from winback_desktop.ui.kit.confirm import confirm
from winback_desktop.ui.kit.empty_state import EmptyState
from winback_desktop.ui.kit.jobs import ThreadJob, child_process
from winback_desktop.ui.kit.read_only import lock_editing, mark_editing, read_only_banner
from winback_desktop.ui.kit.signals import on_change
from winback_desktop.ui.kit.table_model import Column, TableModel
from winback_desktop.ui.kit.widgets import with_name, with_tip

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext
    from winback_desktop.services.imports.batches import BatchInfo, Refusal, UndoPlan

log = logging.getLogger(__name__)
UNDO_JOB = "winback_desktop.jobs.undo_import"
KINDS = {"customers": "Customers", "orders": "Order history"}
DONE_STYLE = f"color: {palette.DONE_TEXT};"
ERROR_STYLE = f"color: {palette.ERROR_TEXT};"


@dataclass(frozen=True)
class BatchRow:
    """One import as the list shows it: the batch, and why it cannot be undone (None: it can)."""

    info: BatchInfo
    refusal: Refusal | None

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def undone(self) -> bool:
        return self.info.undone_at is not None


def imported_at(b: BatchInfo) -> str:
    return short_date_time(clock.to_local(b.imported_at))


def state(r: BatchRow) -> str:
    if r.info.undone_at is not None:
        return f"undone {short_date_time(clock.to_local(r.info.undone_at))}"
    if r.refusal is not None:
        return f"cannot be undone: {r.refusal.short}"
    return "applied"


def _state_color(r: BatchRow) -> QColor | None:
    if r.undone:
        return QColor(palette.MUTED)
    return QColor(palette.WARN) if r.refusal is not None else None


def _customers(b: BatchInfo) -> str:
    return "—" if b.customers is None else f"{b.customers:,}"


COLUMNS: tuple[Column[BatchRow], ...] = (
    Column("#", lambda r: str(r.id), right=True),
    Column("Kind", lambda r: KINDS.get(r.info.kind, r.info.kind)),
    Column("File", lambda r: r.info.file_name, tip=lambda r: r.info.file_name),
    Column("Imported", lambda r: imported_at(r.info)),
    Column("Rows", lambda r: f"{r.info.rows:,}", right=True),
    Column(
        "Customers",
        lambda r: _customers(r.info),
        right=True,
        tip=lambda r: (
            "Not known: imported before imports were kept as batches"
            if r.info.customers is None
            else "Customers this import created or changed"
        ),
    ),
    Column("State", state, tip=lambda r: r.refusal.reason if r.refusal else None, color=_state_color),
)


class BatchModel(TableModel[BatchRow]):
    """The imports, in the service's order: the newest first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(COLUMNS, parent)


# The dialog's own keys (its buttons name them in their tooltips).
IMPORTS_ACTIONS = Menu(
    "",
    (
        Action(
            "undo",
            "Undo import…",
            lambda d: d.undo_selected(),
            (QKeySequence.StandardKey.Delete,),
            help="Undo the selected import",
            edits=True,
        ),
    ),
)
IMPORTS_KEYS = (Keys("Enter", "What the selected import brought, and what undoing it would do"),)


def details_text(row: BatchRow, plan: UndoPlan | None) -> str:
    """The words of the details box: the batch, its state, and what an undo would do."""
    b = row.info
    lines = [
        f"Import #{b.id}: {KINDS.get(b.kind, b.kind).lower()} from {b.file_name}",
        f"Imported {imported_at(b)}: {b.rows:,} rows, {_customers(b)} customers created or changed.",
    ]
    refused = (plan.refused if plan is not None else "") or (row.refusal.reason if row.refusal else "")
    if row.info.undone_at is not None:
        when = short_date_time(clock.to_local(row.info.undone_at))
        lines.append(f"Undone {when}; the file can be imported again.")
    elif refused:
        lines.append(refused)
    elif plan is not None:
        lines.append("Undoing it:\n" + "\n".join(f"• {p}" for p in plan.effects()))
    return "\n\n".join(lines)


class ImportsDialog(QDialog):
    """The list of imports and their undo; ``import_wanted(kind)`` when the empty state's button
    asks for a first import."""

    import_wanted = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Imports")
        self._plan_job: ThreadJob | None = None
        self._process: QProcess | None = None
        self._output = b""
        self._undoing: BatchInfo | None = None
        self._close_when_done = False
        self.last_result: dict[str, Any] | None = None
        self._build()
        self.commands = build(self, (IMPORTS_ACTIONS,))
        if ctx.read_only is not None:
            self._layout.insertWidget(0, read_only_banner(ctx.read_only, self))
            lock_editing(self)
        on_change(self, {Change.CUSTOMERS}, lambda _kinds: self.refresh())
        ready(self, "imports", QSize(1080, 460))
        self.refresh()

    # -- building --------------------------------------------------------------------------------
    def _build(self) -> None:
        intro = with_name(
            QLabel(
                "Every file imported is kept as one import. Undoing one takes back what it brought "
                "(its order lines, the customers it created, the fields it changed) and recomputes "
                "the figures; the file can then be imported again, read the right way.",
                wordWrap=True,
            ),
            "hint",
        )
        self._build_table()
        self.details_button = with_tip(
            QPushButton("&Details…"), "What it brought, what undoing it does (Enter)"
        )
        self.undo_button = with_tip(QPushButton("&Undo import…"), "Take the selected import back (Delete)")
        mark_editing(self.undo_button)
        for b in (self.details_button, self.undo_button):
            b.setAutoDefault(False)
        self.details_button.clicked.connect(self.show_details)
        self.undo_button.clicked.connect(self.undo_selected)
        side = QVBoxLayout()
        side.addWidget(self.details_button)
        side.addWidget(self.undo_button)
        side.addStretch(1)
        self.empty = EmptyState(
            "Nothing has been imported yet. Customers and order histories come in from the "
            "Customers menu; each import is then listed here and can be taken back.",
            "&Import customers…",
            title="No imports yet",
            width=460,
        )
        mark_editing(self.empty.button)
        self.empty.button.clicked.connect(lambda: self.import_wanted.emit("customers"))
        table_page = QWidget()
        middle = QHBoxLayout(table_page)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(self.table, 1)
        middle.addLayout(side)
        self.pages = QStackedWidget()
        self.pages.addWidget(table_page)
        self.pages.addWidget(self.empty)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no steps to count: one transaction
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(12)
        self.busy.hide()
        self.message = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        # No default button: Enter on a row shows its details (and must not close the dialog).
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        self._layout = layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _build_table(self) -> None:
        self.model = BatchModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setAccessibleName("Imports, newest first")
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((40, 110, 190, 130, 70, 84)):
            header.resizeSection(col, width)
        self.table.activated.connect(lambda _i: self.show_details())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

    # -- state -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the imports again, keeping the selected one selected."""
        from winback_desktop.services.imports import batches

        keep = self.selected_id()
        refusals = batches.refusals(self.ctx)
        rows = [BatchRow(b, refusals.get(b.id)) for b in batches.list_batches(self.ctx)]
        self.model.set_rows(rows)
        self.pages.setCurrentIndex(0 if rows else 1)
        if rows:
            at = self.model.row_of(keep) if keep is not None else -1
            self.table.selectRow(max(at, 0))
            self.table.setFocus()
        self._update_buttons()

    def selected(self) -> BatchRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def selected_id(self) -> int | None:
        row = self.selected()
        return row.id if row else None

    @property
    def undoing(self) -> bool:
        return self._process is not None

    def _update_buttons(self) -> None:
        row = self.selected()
        idle = self._process is None and self._plan_job is None
        self.details_button.setEnabled(row is not None)
        self.undo_button.setEnabled(row is not None and not row.undone and idle)
        self.commands["undo"].setEnabled(row is not None and idle)

    def say(self, text: str, style: str = "") -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style)
        self.message.setVisible(bool(text))

    # -- details -------------------------------------------------------------------------------
    def show_details(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.undone or row.refusal is not None:
            self._show_details(row, None)
        else:
            self._read_plan(row, lambda plan: self._show_details(row, plan))

    def _show_details(self, row: BatchRow, plan: UndoPlan | None) -> None:
        QMessageBox.information(self, f"Import #{row.id}", details_text(row, plan))

    # -- undo ----------------------------------------------------------------------------------
    def undo_selected(self) -> None:
        row = self.selected()
        if row is None or self._process is not None or self._plan_job is not None:
            return
        if self.ctx.read_only is not None:
            self.say(f"Read-only: {self.ctx.read_only}. Nothing can be undone.", ERROR_STYLE)
            return
        if row.undone or row.refusal is not None:
            reason = row.refusal.reason if row.refusal else f"Import #{row.id} was undone already."
            self._refused(row.id, reason)
            return
        self._read_plan(row, self._confirm_undo)

    def _refused(self, batch_id: int, reason: str) -> None:
        self.say(reason, ERROR_STYLE)
        QMessageBox.information(self, f"Import #{batch_id} cannot be undone", reason)

    def _read_plan(self, row: BatchRow, then: Any) -> None:
        """What undoing ``row`` would do, read off the GUI thread (a big batch's counts take a
        few tenths of a second), then ``then(plan)``."""
        from winback_desktop.services.imports import batches

        ctx, batch_id = self.ctx, row.id
        self.say(f"Reading what import #{batch_id} changed…")
        job = ThreadJob(self, lambda _stop: batches.undo_plan(ctx, batch_id), name="winback-undo-plan")
        self._plan_job = job
        self._update_buttons()

        def done(plan: object) -> None:
            self._plan_job = None
            job.deleteLater()
            self.say("")
            self._update_buttons()
            then(plan)

        def failed(exc: object) -> None:
            self._plan_job = None
            job.deleteLater()
            self._update_buttons()
            self._failed_to_read(batch_id, exc)

        job.done.connect(done)
        job.failed.connect(failed)

    def _failed_to_read(self, batch_id: int, exc: object) -> None:
        from winback_desktop.services.errors import known_fault

        if isinstance(exc, LookupError):
            self.say(f"Import #{batch_id} is no longer there.", ERROR_STYLE)
            self.refresh()
            return
        fault = known_fault(exc, self.ctx.paths.database) if isinstance(exc, BaseException) else None
        if fault is None:
            log.error("reading import #%s failed: %r", batch_id, exc)
            self.say("Could not read that import; the details are in the log.", ERROR_STYLE)
        else:
            self.say(fault, ERROR_STYLE)

    def _confirm_undo(self, plan: UndoPlan) -> None:
        if plan.refused:
            self._refused(plan.batch.id, plan.refused)
            self.refresh()
            return
        if not confirm(self, f"Undo import #{plan.batch.id}", plan.describe()):
            self.say("Not undone: nothing changed.")
            return
        self.start_undo(plan.batch)

    def start_undo(self, batch: BatchInfo) -> None:
        """Run the undo in a child process; the outcome comes back in :meth:`_finished`."""
        self._undoing, self._output = batch, b""
        self._process = child_process(self, UNDO_JOB, [str(self.ctx.paths.data_dir), str(batch.id)])
        self._process.readyReadStandardOutput.connect(self._read_output)
        self._process.finished.connect(self._finished)
        self.busy.show()
        self.say(f"Undoing import #{batch.id} ({batch.file_name})… Win-Back Desk stays usable meanwhile.")
        self._update_buttons()
        self._process.start()

    def _read_output(self) -> None:
        if self._process is not None:
            self._output += bytes(self._process.readAllStandardOutput().data())

    def _finished(self, _code: int = 0, _status: QProcess.ExitStatus | None = None) -> None:
        assert self._process is not None and self._undoing is not None
        self._read_output()
        stderr = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace")
        lines = [line for line in self._output.splitlines() if line.strip().startswith(b"{")]
        outcome: dict[str, Any] = json.loads(lines[-1]) if lines else {}
        batch = self._undoing
        self._process.deleteLater()
        self._process, self._undoing = None, None
        self.busy.hide()
        if "result" in outcome:
            self._undone(outcome["result"])
        elif "error" in outcome:
            self._not_undone(batch, outcome["error"])
        else:  # the child died without a word: a bug, logged with what it printed
            log.error("undo of import #%s failed: %s", batch.id, stderr[-4000:])
            self.say(
                f"The undo of import #{batch.id} stopped unexpectedly; nothing was changed. "
                "The details are in the log.",
                ERROR_STYLE,
            )
        self._update_buttons()
        if self._close_when_done:
            super().reject()

    def _undone(self, result: dict[str, Any]) -> None:
        self.last_result = result
        self.ctx.changed(Change.CUSTOMERS)  # every screen reads again (this list too)
        self.say(result["summary"], DONE_STYLE)
        parent = self.parent()
        if parent is not None and hasattr(parent, "statusBar"):
            parent.statusBar().showMessage(result["summary"], 15000)

    def _not_undone(self, batch: BatchInfo, error: dict[str, Any]) -> None:
        message = error.get("message") or f"Import #{batch.id} was not undone; nothing was changed."
        if error.get("type") in ("UndoRefused", "NotFound"):
            self.refresh()  # someone (the command line, another desk) got there first
            self._refused(batch.id, message)
            return
        self.say(message, ERROR_STYLE)
        QMessageBox.warning(self, f"Import #{batch.id} not undone", message)

    # -- closing -------------------------------------------------------------------------------
    def reject(self) -> None:
        if self._process is not None:  # one transaction, seconds long: let it end, then close
            self._close_when_done = True
            self.say("The undo is finishing; this window closes when it is done.")
            return
        if self._plan_job is not None:
            self._plan_job.stop()
            self._plan_job = None
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._process is not None:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)
