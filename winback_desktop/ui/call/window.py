"""The guided call: stepper, the current stage, the customer card, a timer and autosave."""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.script import CallScript, ScriptError, StageRole, load_script_text
from winback_desktop.services import clock, settings
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.briefing import first_name
from winback_desktop.services.calls.writer import notes_writer
from winback_desktop.services.conflicts import Choice, Conflict, both, resolved_text
from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import CallDetail
from winback_desktop.services.vocab import CallStatus
from winback_desktop.ui.call import finished, recovery
from winback_desktop.ui.call.actions import CALL_KEYS, call_menus
from winback_desktop.ui.call.autosave import FLUSH_WAIT_S, Autosaver
from winback_desktop.ui.call.customer_card import CustomerCardView
from winback_desktop.ui.call.editors import ActionsEditor
from winback_desktop.ui.call.partner_notes import PARTNER_FIELD, PARTNER_STAGE, PartnerNotes
from winback_desktop.ui.call.progress import prefill_text, saved_stage_done, steps_read_back
from winback_desktop.ui.call.recovery import CallGuard
from winback_desktop.ui.call.session import CallSession
from winback_desktop.ui.call.stage_page import Editor, StagePage
from winback_desktop.ui.call.starter import CallInputs, load_call
from winback_desktop.ui.call.stepper import Stepper
from winback_desktop.ui.call.zoom import ScriptZoom, percent
from winback_desktop.ui.conflicts.call import CallConflicts
from winback_desktop.ui.kit.access.focus import order_tabs
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.actions import ShortcutsDialog, build
from winback_desktop.ui.kit.jobs import Refused, WriteJob
from winback_desktop.ui.kit.pdf_preview import PdfPreview
from winback_desktop.ui.kit.read_only import lock_editing
from winback_desktop.ui.kit.style import style_named_widgets
from winback_desktop.ui.kit.widgets import with_name
from winback_desktop.ui.team.presence_banner import PresenceBanner

log = logging.getLogger(__name__)
CLOSE_WAIT_S = 1.0  # closing waits this long for the database before asking what to do


def placeholder_values(company: str, detail: CallDetail) -> dict[str, str]:
    from winback_desktop.ui.kit.format import money, short_date

    c = detail.customer
    months = c.months_since_purchase()
    return {
        "customer": c.company,
        "contact": c.contact_name,
        "contact_first": first_name(c.contact_name),  # "Dr Mark Holloway" is greeted as Mark
        "caller": detail.caller.name if detail.caller else "",
        "caller_title": detail.caller.title if detail.caller else "",
        "company": company,
        "months": str(months) if months is not None else "",
        "last_purchase": short_date(c.last_purchase) if c.last_purchase else "",
        "value": money(c.value_lost),
        "next_steps": steps_read_back((a.what, a.owner_name, a.due_date) for a in detail.actions),
    }


@functools.lru_cache(maxsize=8)
def _snapshot_script(text: str) -> CallScript:
    # Most calls carry the same snapshot: parse it once (~5 ms). CallScript is frozen.
    return load_script_text(text, "call script snapshot", legacy_roles=True)


def script_for(ctx: AppContext, detail: CallDetail) -> CallScript:
    """The script the call started with (its snapshot), so a resumed call reads the same."""
    if detail.script_snapshot:
        try:
            return _snapshot_script(detail.script_snapshot)
        except ScriptError:
            log.exception("snapshot of call %s unreadable; using the current script", detail.id)
    return ctx.script


def _backup_after_call(ctx: AppContext, call_id: int) -> None:
    """A copy after each ended call (on the End call job's thread: a large database takes time)."""
    from winback_desktop.services.maintenance import backups as maintenance

    if ctx.paths.on_server:  # a team database: the server's backups apply
        return
    try:
        maintenance.backup_now(ctx.paths, "after-call")
    except Exception:  # noqa: BLE001 - the call is saved; a failed extra copy is only logged
        log.exception("backup after call %s failed", call_id)


class StagePages(dict[str, StagePage]):
    """The stage pages by key, each built the first time it is asked for (going to the stage,
    or reading its editors): building all four cost a call window ~30 ms as it opened."""

    def __init__(self, build: Callable[[str], StagePage]):
        super().__init__()
        self._build = build

    def __missing__(self, key: str) -> StagePage:
        page = self[key] = self._build(key)
        return page


class CallWindow(QMainWindow):
    """A call being made, or (``read_only``) a finished one found again: every note shown,
    nothing editable, the sheet printable."""

    finished = Signal(int)  # call id, when the call is ended
    closed = Signal(int)
    open_call_requested = Signal(int)  # an earlier call on the customer card's timeline

    def __init__(
        self,
        ctx: AppContext,
        call_id: int,
        parent: QWidget | None = None,
        *,
        inputs: CallInputs | None = None,
    ):
        super().__init__(parent)
        self.ctx, self.call_id = ctx, call_id
        self.notes = notes_writer(ctx)
        inputs = inputs or load_call(ctx, call_id)  # read on a worker thread when it was started
        detail = self.notes.overlay(inputs.detail)  # with what is on its way to it
        self.detail = detail
        self.read_only = detail.status in (CallStatus.COMPLETED, CallStatus.ABANDONED)
        self.script = script_for(ctx, detail)
        done = " (finished, read only)" if self.read_only else ""
        self.setWindowTitle(f"Call — {detail.customer.company}{done}")
        self.setObjectName("callWindow")
        self.zoom = ScriptZoom()  # the lines' size, as this user left it
        self.autosave = Autosaver(self.notes, call_id, self)
        steps = {a.id: a.version for a in detail.actions}
        self.session = CallSession(ctx, call_id, self.autosave, detail.answer_versions, steps)
        self.conflicts = CallConflicts(self, self.notes, call_id, self._slot_label, self._show_resolved)
        lookups = {"reasons": inputs.reasons, "options": inputs.options, "people": inputs.people}
        values = placeholder_values(inputs.company, detail)

        self.stepper = Stepper(self.script.stages)
        self.stepper.stage_clicked.connect(self.go_to)
        self.stack = QStackedWidget()
        self._page_inputs = (values, lookups)
        self.pages = StagePages(self._build_page)  # built when first needed: opens with one
        self.card = CustomerCardView(detail.customer)
        self.card.open_call.connect(self.open_call_requested)

        header = self._build_header(detail)
        footer = self._build_footer()
        splitter = self._build_body(detail)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(header)
        self.presence = PresenceBanner(ctx, call_id)  # "Priya is in this call" (ui/team)
        layout.addWidget(self.presence)
        layout.addWidget(splitter, 1)
        layout.addLayout(footer)
        self.setCentralWidget(central)

        self._build_actions()
        self.guard = CallGuard(self, central)  # read-only while the disk is full
        self.ending: WriteJob | None = None  # End call, on its way to the database
        self._start(detail)
        if self.read_only:
            finished.open_read_only(self)
            lock_editing(self)  # Add next step, End call
        else:
            self.presence.enter(detail.caller)  # this desk's lease on the call, off the GUI thread
        ready(self, "call", QSize(1120, 760))
        style_named_widgets(self)
        self.zoom.apply(self.line_labels())

    def _build_header(self, detail: CallDetail) -> QHBoxLayout:
        """Who is called and by whom; whether everything is saved; the call time."""
        self.timer_label = with_name(QLabel(), "timer")
        self.saved_label = with_name(QLabel("All changes saved"), "saved")
        self.saved_label.setMinimumWidth(
            self.saved_label.fontMetrics().horizontalAdvance("Not saved yet — retrying… ")
        )
        who = " · ".join(
            x
            for x in (
                f"Caller: {detail.caller.name}" if detail.caller else "",
                f"Partner: {detail.partner.name}" if detail.partner else "",
            )
            if x
        )
        header = QHBoxLayout()
        title = QLabel(f"<b>{html.escape(detail.customer.company)}</b>&nbsp;&nbsp;&nbsp;{html.escape(who)}")
        title.setTextFormat(Qt.TextFormat.RichText)
        header.addWidget(title, 1)
        header.addWidget(self.conflicts.button)
        header.addWidget(self.saved_label)
        header.addSpacing(16)
        header.addWidget(self.timer_label)
        return header

    def _build_footer(self) -> QHBoxLayout:
        """Previous and Next; the action sheet and End call (their actions: _build_actions)."""
        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.sheet_button = QPushButton("Action sheet…")
        self.end_button = QPushButton("End call")
        footer = QHBoxLayout()
        footer.addWidget(self.prev_button)
        footer.addWidget(self.next_button)
        footer.addStretch(1)
        footer.addWidget(self.sheet_button)
        footer.addWidget(self.end_button)
        return footer

    def _build_body(self, detail: CallDetail) -> QSplitter:
        """The stepper over the stage pages; beside them the customer card and the partner's notes."""
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.stepper)
        left_layout.addWidget(self.stack, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        card_area = QScrollArea()  # a long history scrolls; it never pushes the buttons off screen
        card_area.setWidgetResizable(True)
        card_area.setFrameShape(QFrame.Shape.NoFrame)
        card_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its links and text keep their own keys
        card_area.setWidget(self.card)
        side_layout.addWidget(card_area, 3)
        self.partner_notes = PartnerNotes(detail.answers.get(PARTNER_FIELD, ""))
        self.partner_notes.editor.textChanged.connect(
            lambda: self.session.note(PARTNER_STAGE, PARTNER_FIELD, self.partner_notes.editor.toPlainText)
        )
        side_layout.addWidget(self.partner_notes, 2)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([760, 300])
        return splitter

    def _start(self, detail: CallDetail) -> None:
        """The saved-state label follows the autosaver, the clock runs, and the call opens on
        the stage it was left at; the stepper ticks the stages something was done in."""
        self.autosave.dirty.connect(lambda: self.saved_label.setText("Saving…"))
        self.autosave.saved.connect(lambda t: self.saved_label.setText(f"Saved {t}"))
        self.autosave.saved.connect(lambda _t: self.saved_label.setToolTip(""))
        self.autosave.failed.connect(self.saved_label.setText)
        self.autosave.conflicted.connect(self.conflicts.refresh)
        self.conflicts.refresh()  # saves parked before this window opened (it was closed)
        self.autosave.failed.connect(lambda _m: self.saved_label.setToolTip(recovery.kept_where(self.notes)))
        self.current = ""
        self._stepper_timer = QTimer(self, singleShot=True, interval=250)  # after typing settles
        self._stepper_timer.timeout.connect(self.update_stepper)
        self.autosave.dirty.connect(self._stepper_timer.start)
        self._started = detail.started_at or clock.utcnow()
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._tick)
        if not self.read_only:
            self._clock.start()
        self._tick()
        stage_keys = [s.key for s in self.script.stages]
        start = detail.current_stage if detail.current_stage in stage_keys else stage_keys[0]
        self.go_to(start, save=False)

    def _build_page(self, key: str) -> StagePage:
        stage = self.script.stage(key)
        listen = self.script.stage_for(StageRole.LISTEN)
        page = StagePage(stage, listen, self.detail, self.session, *self._page_inputs)
        page.go_to_stage.connect(self.go_to)
        for editor in page.editors.values():
            if isinstance(editor, ActionsEditor):
                editor.steps_changed.connect(self._steps_changed)
        if self.read_only:
            finished.lock(page)
        self.stack.addWidget(page)
        style_named_widgets(page)
        self.zoom.apply(page.line_labels)
        order_tabs(self)  # its fields come after the stepper, before the card and the buttons
        if hasattr(self, "guard"):
            self.guard.page_built(page)
        return page

    # -- actions and shortcuts (declared in ui/call/actions.py) ------------------------------
    def _build_actions(self) -> None:
        self.commands = build(self, call_menus(self.script.stages), context=Qt.ShortcutContext.WindowShortcut)
        self.prev_action, self.next_action = self.commands["prev"], self.commands["next"]
        self.dial_action, self.add_step_action = self.commands["dial"], self.commands["add_step"]
        self.sheet_action, self.save_sheet_action = self.commands["sheet"], self.commands["save_sheet"]
        self.end_action = self.commands["end"]
        for button, action in (
            (self.prev_button, self.prev_action),
            (self.next_button, self.next_action),
            (self.sheet_button, self.sheet_action),
            (self.end_button, self.end_action),
        ):
            button.clicked.connect(action.trigger)
            button.setToolTip(f"{action.text().replace('&', '')} ({action.shortcut().toString()})")

    def line_labels(self) -> list[QLabel]:
        return [label for page in self.pages.values() for label in page.line_labels]

    def zoom_script(self, by: int) -> None:
        """The lines to say one step larger (+1), smaller (-1) or normal (0), in every stage."""
        if self.zoom.change(by):
            self.zoom.apply(self.line_labels())
        self.statusBar().showMessage(f"Lines to say at {percent(self.zoom.step)}", 3000)

    def shortcuts_dialog(self) -> ShortcutsDialog:
        sections = [("During a call", call_menus(self.script.stages), CALL_KEYS)]
        return ShortcutsDialog(sections, "Notes save themselves as you type.", self)

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog().exec()

    # -- navigation -------------------------------------------------------------------------
    def stage_keys(self) -> list[str]:
        return [s.key for s in self.script.stages]

    def go_to(self, key: str, save: bool = True) -> None:
        self.current = key
        page = self.pages[key]
        if any(f.prefill_from for f in page.stage.fields) and not self.read_only:
            self._prefill_heard_back()
        if page.stage.role == StageRole.HELP and not self.read_only:
            # Offering help before anything is heard: say so. The listen stage counts as heard
            # with a note of the caller's own or a tick, not with the pre-filled repeat-back.
            listen = self.pages[self.script.stage_for(StageRole.LISTEN).key]
            page.guard.setVisible(not listen.done(self.prefills()))
        self.stack.setCurrentWidget(page)
        self.update_stepper()
        keys = self.stage_keys()
        self.prev_action.setEnabled(keys.index(key) > 0)
        self.next_action.setEnabled(keys.index(key) < len(keys) - 1)
        self.prev_button.setEnabled(self.prev_action.isEnabled())
        self.next_button.setEnabled(self.next_action.isEnabled())
        if save and not self.read_only:
            self.session.stage(key)
        first = page.first_editor()
        if first is not None and self.isVisible():
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def next_stage(self) -> None:
        keys = self.stage_keys()
        i = keys.index(self.current)
        if i < len(keys) - 1:
            self.go_to(keys[i + 1])

    def previous_stage(self) -> None:
        keys = self.stage_keys()
        i = keys.index(self.current)
        if i > 0:
            self.go_to(keys[i - 1])

    def stages_done(self) -> set[str]:
        """The stages something was done in: built pages as on screen, the others as saved."""
        prefills = self.prefills()
        return {
            stage.key
            for stage in self.script.stages
            if (
                page.done(prefills)
                if (page := self.pages.get(stage.key)) is not None
                else saved_stage_done(stage, self.detail, prefills)
            )
        }

    def update_stepper(self) -> None:
        self.stepper.set_current(self.current, self.stages_done())

    def prefills(self) -> dict[str, str]:
        """Each pre-filled field's key -> the text its pre-fill would put in it now."""
        found = {}
        for stage in self.script.stages:
            for f in stage.fields:
                if f.prefill_from:
                    found[f.key] = prefill_text(self._field_text(src) for src in f.prefill_from)
        return found

    def _field_text(self, key: str) -> str:
        stage, _f = self.script.field(key)
        page = self.pages.get(stage.key)
        return page.text_editor(key).value() if page is not None else self.detail.saved_text(key)

    def _steps_changed(self) -> None:
        """The Close stage reads back the next steps as they are now."""
        found = self.script.field_of_kind("actions")
        if found is None:
            return
        editor = self.pages[found[0].key].editors[found[1].key]
        assert isinstance(editor, ActionsEditor)
        text = steps_read_back(editor.steps())
        for page in self.pages.values():
            page.fill_lines(next_steps=text)
        self._stepper_timer.start()

    def _prefill_heard_back(self) -> None:
        """Offer the caller's own record of their words as the repeat-back, to confirm or correct."""
        for stage in self.script.stages:
            for f in stage.fields:
                if not f.prefill_from:
                    continue
                editor = self.pages[stage.key].text_editor(f.key)
                if editor.value().strip():
                    continue
                parts = []
                for src in f.prefill_from:
                    src_stage, _ = self.script.field(src)
                    text = self.pages[src_stage.key].text_editor(src).value().strip()
                    if text:
                        parts.append(text)
                if parts:
                    editor.set_value("\n\n".join(parts))
                    self.session.note(stage.key, f.key, editor.value)

    # -- a save that met someone else's change (ui/conflicts/call.py) -------------------------
    def _slot_label(self, slot: str) -> str:
        """How the screen names what a parked save is of: the field's label, "Next step"."""
        key = slot.partition("/")[2]
        if key.startswith("action:"):
            return "Next step"
        field = key.removeprefix("field:").partition(".")[2]
        if field == PARTNER_FIELD:
            return "Partner's logistics notes"
        try:
            return self.script.field(field)[1].label
        except KeyError:
            return field

    def _show_resolved(self, slot: str, conflict: Conflict, choice: Choice) -> None:
        """Show what stands once the caller chose (Keep mine: it is on screen already); set
        without a signal, so it is not saved again as a change of this desk's."""
        key = slot.partition("/")[2]
        if choice is Choice.MINE:
            return
        if key.startswith("action:"):
            steps = self._steps_editor()
            row = next((r for r in steps.rows if f"action:{r.action_id}" == key), None) if steps else None
            if row is not None:
                stored = conflict.stored
                if choice is Choice.THEIRS:
                    row.set_values(str(stored["what"]), stored["owner_id"], stored["due_date"])
                else:
                    what = both(str(stored["what"]), row.what.text())
                    row.set_values(what, row.owner.currentData(), row.due.date_value())
            return
        stage, _, field = key.removeprefix("field:").partition(".")
        text = resolved_text(conflict, choice)
        if field == PARTNER_FIELD:
            self.partner_notes.editor.blockSignals(True)
            self.partner_notes.editor.setPlainText(text)
            self.partner_notes.editor.blockSignals(False)
            return
        page = self.pages.get(stage)
        editor = page.editors.get(field) if page is not None else None
        if editor is not None and hasattr(editor, "set_value"):
            editor.set_value(text)

    # -- the rest ----------------------------------------------------------------------------
    def editor(self, key: str) -> Editor:
        stage, _f = self.script.field(key)
        return self.pages[stage.key].editors[key]

    def _steps_editor(self) -> ActionsEditor | None:
        """The next steps' editor, when its page is built (else nothing is waiting in it)."""
        found = self.script.field_of_kind("actions")
        page = self.pages.get(found[0].key) if found else None
        editor = page.editors.get(found[1].key) if page is not None and found else None
        return editor if isinstance(editor, ActionsEditor) else None

    def add_next_step(self) -> None:
        found = self.script.field_of_kind("actions")
        if found is None:  # a script without next steps
            return
        stage, steps = found
        if self.current != stage.key:
            self.go_to(stage.key)
        editor = self.editor(steps.key)
        assert isinstance(editor, ActionsEditor)  # the "actions" kind's editor
        editor.add_step()

    def preview_sheet(self) -> PdfPreview | None:
        """The action sheet on screen, with Print… and Save as… (nothing is written until then)."""
        from winback_desktop.reports.action_sheet import build_action_sheet

        self.autosave.flush()
        try:
            data = build_action_sheet(
                self.current_detail(), company_name=settings.configured_company_name(self.ctx)
            )
        except OSError as exc:  # a missing bundled font
            QMessageBox.warning(self, "Action sheet", f"The action sheet could not be made:\n{exc}")
            return None
        preview = PdfPreview(data, "Action sheet", f"action-sheet-call-{self.call_id}.pdf", self)
        preview.show()
        return preview

    def save_sheet(self) -> Path | None:
        self.autosave.flush()
        default = self.ctx.paths.exports / f"action-sheet-call-{self.call_id}.pdf"
        default.parent.mkdir(parents=True, exist_ok=True)
        name, _ = QFileDialog.getSaveFileName(self, "Save action sheet", str(default), "PDF (*.pdf)")
        if not name:
            return None
        return self.write_sheet(Path(name))

    def write_sheet(self, target: Path) -> Path | None:
        from winback_desktop.reports.action_sheet import write_action_sheet

        self.autosave.flush()
        try:
            out = write_action_sheet(
                self.current_detail(),
                target,
                company_name=settings.configured_company_name(self.ctx),
            )
        except OSError as exc:  # disk full, read-only folder, a missing bundled font...
            log.warning("action sheet for call %s not written: %s", self.call_id, exc)
            QMessageBox.warning(
                self,
                "Action sheet not saved",
                f"The action sheet could not be written to\n{target}\n\n{exc}\n\nYour notes are safe.",
            )
            return None
        self.statusBar().showMessage(f"Action sheet saved to {out}", 8000)
        return out

    def current_detail(self) -> CallDetail:
        """The call as the database has it, with what is still on its way there."""
        return self.notes.overlay(calls.detail(self.ctx, self.call_id))

    def end_call(self) -> WriteJob | None:
        """Ask about a missing outcome, then, on a worker thread, wait for the notes to reach the
        database and end the call: a busy database never freezes the window. The job, or None."""
        if self.ending is not None:
            self.statusBar().showMessage("The call is being ended: one moment…", 5000)
            return None
        if not self.conflicts.choose():  # a note changed at another desk: the caller chooses first
            return None
        found = self.script.outcome_field()
        if found is not None and not self.pages[found[0].key].text_editor(found[1].key).value():
            answer = QMessageBox.question(
                self,
                "End call",
                "No outcome is chosen yet. End the call anyway?\n(You can still open it later.)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.go_to(found[0].key)
                return None
        self.autosave.hand_over()
        ctx, notes, call_id = self.ctx, self.notes, self.call_id

        def work() -> None:
            if not notes.wait(call_id, FLUSH_WAIT_S):
                raise Refused(notes.state(call_id).problem or "the database has not answered yet")
            calls.finish_call(ctx, call_id)
            _backup_after_call(ctx, call_id)

        self.ending = WriteJob(
            self, ctx, work, doing="Ending the call…", not_done="The call was not ended", warn=False
        )
        self.ending.done.connect(self._ended)
        self.ending.refused.connect(self._not_ended)
        return self.ending

    def _ended(self, _result: object) -> None:
        self.ending = None
        self.autosave.flush(0)  # the label follows
        self.finished.emit(self.call_id)
        self.close()

    def _not_ended(self, why: str) -> None:
        """A full disk, a database busy for too long: say so; the call stays open, nothing is lost."""
        self.ending = None
        log.warning("call %s not ended: %s", self.call_id, why)
        QMessageBox.warning(
            self,
            "Call not ended",
            f"The call was not ended: {why}.\n\n{recovery.kept_where(self.notes)}\n\n"
            "Try End call again in a moment.",
        )

    def _tick(self) -> None:
        end = self.detail.ended_at if self.read_only and self.detail.ended_at else clock.utcnow()
        elapsed = end - self._started
        seconds = max(int(elapsed.total_seconds()), 0)
        h, rest = divmod(seconds, 3600)
        m, s = divmod(rest, 60)
        what = "Call took" if self.read_only else "Call time"
        self.timer_label.setText(f"{what} {h}:{m:02d}:{s:02d}" if h else f"{what} {m:02d}:{s:02d}")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        first = self.pages[self.current].first_editor()
        if first is not None:
            QTimer.singleShot(0, lambda: first.setFocus(Qt.FocusReason.OtherFocusReason))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.may_close():
            event.ignore()
            return
        self._clock.stop()
        self.presence.leave()
        self.closed.emit(self.call_id)
        super().closeEvent(event)

    def may_close(self) -> bool:
        """True when closing loses nothing the user did not choose to leave in the journal:
        everything reached the database, or the user answered "save to a file" / "close anyway"."""
        if not self.notes.closed and not self.conflicts.choose():  # decide later: stay open
            return False
        steps = self._steps_editor()
        waiting = steps is not None and steps.adding  # a next step the database has not made yet
        if (self.autosave.flush(CLOSE_WAIT_S) or self.notes.closed) and not waiting:
            return True
        while True:
            problem = self.autosave.problem() or (steps.problem if steps and waiting else None)
            problem = problem or "the database has not answered yet"
            answer = recovery.ask_before_closing(self, "The latest notes of this call", problem, self.notes)
            log.info("call %s closing with unsaved notes (%s): %s", self.call_id, problem, answer.value)
            if answer is recovery.CloseAnswer.KEEP_TRYING:
                return False
            if answer is recovery.CloseAnswer.CLOSE_ANYWAY:
                return True
            default = recovery.default_notes_file(self.ctx, f"call-{self.call_id}-notes")
            if recovery.save_notes_file(self, default, self.notes_text()) is not None:
                return True

    def notes_text(self) -> str:
        """Everything noted in this call as on screen, as plain text (a file the user keeps)."""
        from winback_desktop.ui.call.editors import ActionsEditor, OffersEditor, ReasonsEditor

        lines = [f"Call with {self.detail.customer.company}", ""]
        for stage in self.script.stages:
            page = self.pages.get(stage.key)  # pages not built yet show what the database has
            lines += [f"== {stage.title} ==", ""]
            for f in stage.fields:
                editor = page.editors.get(f.key) if page is not None else None
                if isinstance(editor, ReasonsEditor):
                    main = editor.primary.currentText() if editor.primary.currentData() is not None else ""
                    text = "; ".join(x for x in (main, *editor.others.checked_labels()) if x)
                elif isinstance(editor, OffersEditor):
                    text = "; ".join([*editor.catalogue.checked_labels(), editor.other.text()])
                elif isinstance(editor, ActionsEditor):
                    text = "\n".join(
                        f"- {r.what.text()} ({r.owner.currentText()}, due {r.due.value() or 'not set'})"
                        for r in editor.rows
                    )
                elif editor is not None and hasattr(editor, "value"):
                    text = str(editor.value())
                else:
                    text = (
                        self.detail.saved_text(f.key) if f.kind in ("text", "line", "choice", "date") else ""
                    )
                lines += [f"{f.label}:", text.strip() or "—", ""]
        lines += ["Partner's logistics notes:", self.partner_notes.editor.toPlainText().strip() or "—"]
        return "\n".join(lines) + "\n"
