"""When notes cannot reach the database: the question asked before closing, the notes kept as a
file, and the offer at start-up of what an earlier session left in the recovery journal.

Closing never throws typing away unasked. While saves fail (a full disk, the write lock held by
another program for longer than the busy timeout), closing a call window or the app asks: keep
trying (nothing closes), save the notes to a file (then close), or close anyway. Whatever the
answer, what the database did not take stays in the recovery journal beside it
(``services/calls/journal.py``) and is offered back at the next start.

The call window's watch on the disk (:class:`CallGuard`): read-only while the disk is full, and
a warning the moment the recovery journal cannot keep what is typed. When a save of this call
(or any write of the app) meets a full disk, the app's
:class:`~winback_desktop.ui.kit.read_only.EditingState` turns editing off: here everything typed
so far is handed to the notes writer at once (into the journal while its reserve lasts), the
inputs stop taking changes (the text stays selectable, to copy), the actions that write are off,
and the banner names the disk and the journal, with *Check again*. When that finds room the
inputs come back and the writer retries at once.

The journal keeps words only while its reserve (``services/calls/journal.py: RESERVE``) lasts
on a full disk; when an append fails the red line says so at once: what is typed now is *not*
kept anywhere but on screen, with a button that saves the notes to a file elsewhere.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from winback_desktop import APP_NAME
from winback_desktop.files import atomic_write_text
from winback_desktop.services.calls import unsaved
from winback_desktop.services.calls.writer import NotesWriter
from winback_desktop.services.context import AppContext
from winback_desktop.ui.call.autosave import bridge_for
from winback_desktop.ui.kit.format import short_date
from winback_desktop.ui.kit.read_only import (
    FullDiskBanner,
    editing_state,
    framed,
    freeze_inputs,
    lock_editing,
    mark_editing,
    thaw_inputs,
    unlock_editing,
)

if TYPE_CHECKING:
    from winback_desktop.ui.call.window import CallWindow

log = logging.getLogger(__name__)


class CloseAnswer(Enum):
    KEEP_TRYING = "keep trying"
    SAVE_TO_FILE = "save the notes to a file"
    CLOSE_ANYWAY = "close anyway"


class RecoveredAnswer(Enum):
    PUT_BACK = "put them back"
    SAVE_TO_FILE = "save them to a file"


def kept_where(writer: NotesWriter) -> str:
    """Where the unsaved notes are kept, in a sentence, or the warning that they are not."""
    if writer.journal_problem is None:
        return (
            f"They are kept in the recovery journal\n{writer.journal.path}\nand written to the "
            f"database as soon as it takes them, or offered back when {APP_NAME} next starts."
        )
    return (
        f"They could not be kept on disk either: {writer.journal_problem}.\n"
        "If you close anyway they are lost: save them to a file on another disk first."
    )


def unsaved_box(parent: QWidget | None, what: str, problem: str, writer: NotesWriter) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.Warning, "Notes not saved yet", "", QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("unsavedNotes")
    box.setText(f"{what} have not reached the database yet, because {problem}.")
    box.setInformativeText(kept_where(writer))
    keep = box.addButton("Keep trying", QMessageBox.ButtonRole.RejectRole)
    box.addButton("Save the notes to a file…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Close anyway", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)  # Enter, or Esc, on a question about losing words keeps them
    box.setEscapeButton(keep)
    return box


def ask_before_closing(parent: QWidget | None, what: str, problem: str, writer: NotesWriter) -> CloseAnswer:
    box = unsaved_box(parent, what, problem, writer)
    box.exec()
    clicked = box.clickedButton()
    text = clicked.text() if clicked is not None else ""
    if text.startswith("Save"):
        return CloseAnswer.SAVE_TO_FILE
    if text.startswith("Close"):
        return CloseAnswer.CLOSE_ANYWAY
    return CloseAnswer.KEEP_TRYING


def save_notes_file(parent: QWidget | None, default: Path, text: str) -> Path | None:
    """Ask where, then write ``text`` there (whole or not at all); None when not written."""
    name, _ = QFileDialog.getSaveFileName(parent, "Save the notes to a file", str(default), "Text (*.txt)")
    if not name:
        return None
    target = Path(name)
    try:
        atomic_write_text(target, text)
    except OSError as exc:  # that disk is full too, a read-only folder...
        QMessageBox.warning(
            parent,
            "Notes not written",
            f"The notes could not be written to\n{target}\n\n{exc.strerror or exc}\n\n"
            "Choose another place (another disk or a USB stick).",
        )
        return None
    log.info("unsaved notes written to %s", target)
    return target


def default_notes_file(ctx: AppContext, what: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M")
    return ctx.paths.exports / f"{what}-{stamp}.txt"


# -- at start-up: what an earlier session left -------------------------------------------------
def recovered_box(parent: QWidget | None, notes: list[unsaved.UnsavedNote], text: str) -> QMessageBox:
    calls: dict[int, list[unsaved.UnsavedNote]] = {}
    for note in notes:
        calls.setdefault(note.call_id, []).append(note)
    lines = []
    for group in calls.values():
        times = [n.typed_at for n in group if n.typed_at]
        when = f" (typed {short_date(times[-1].date())} {times[-1]:%H:%M})" if times else ""
        labels = ", ".join(dict.fromkeys(n.label for n in group))
        lines.append(f"• {group[0].company}: {labels}{when}")
    box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, "", QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("recoveredNotes")
    box.setText(
        f"Notes typed when {APP_NAME} last ran did not reach the database before it closed. "
        "They were kept in the recovery journal:"
    )
    box.setInformativeText("\n".join(lines) + "\n\nPut them back into their calls now?")
    box.setDetailedText(text)
    put_back = box.addButton("Put them back", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Save them to a file instead…", QMessageBox.ButtonRole.ActionRole)
    box.setDefaultButton(put_back)
    box.setEscapeButton(put_back)
    return box


def ask_put_back(parent: QWidget | None, notes: list[unsaved.UnsavedNote], text: str) -> RecoveredAnswer:
    box = recovered_box(parent, notes, text)
    box.exec()
    clicked = box.clickedButton()
    if clicked is not None and clicked.text().startswith("Save"):
        return RecoveredAnswer.SAVE_TO_FILE
    return RecoveredAnswer.PUT_BACK


def offer_recovered(parent: QWidget | None, ctx: AppContext, writer: NotesWriter) -> str | None:
    """Offer back what the journal kept from an earlier session; returns what was done, for the
    status line (None when there was nothing)."""
    entries = writer.recovered()
    if not entries:
        return None
    notes = unsaved.describe(ctx, [e.save for e in entries])
    text = unsaved.as_text(notes, f"Notes kept by {APP_NAME} in {writer.journal.path}")
    while True:
        if ask_put_back(parent, notes, text) is RecoveredAnswer.PUT_BACK:
            writer.put_back(entries)
            if writer.wait(None, 2.0):
                return "The notes kept from last time are back in their calls."
            return (
                "The notes kept from last time go back into their calls as soon as the database takes them."
            )
        saved = save_notes_file(parent, default_notes_file(ctx, "kept-notes"), text)
        if saved is not None:
            writer.discard(entries)
            return f"The notes kept from last time were saved to {saved}."


# -- the call window's watch on the disk ---------------------------------------------------


class JournalWarning(QFrame):
    """The red line: the journal cannot take more, so new words are not kept."""

    def __init__(self, window: CallWindow):
        super().__init__()
        self.window_ = window
        self.setObjectName("journalWarning")
        self.setStyleSheet(framed("journalWarning", "ERROR"))
        self.label = QLabel()
        self.label.setObjectName("journalWarningText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.save_button = QPushButton("Save the notes to a &file…")
        self.save_button.setToolTip("Keep a copy of everything noted in this call on another disk")
        self.save_button.clicked.connect(self.save_notes)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setVisible(False)

    def follow(self, problem: str | None) -> None:
        if problem is None:
            self.setVisible(False)
            return
        self.label.setText(
            f"<b>Your latest words are NOT being kept.</b> {html.escape(problem[:1].upper() + problem[1:])}. "
            "What you type now is only on screen: copy it elsewhere (save the notes to a file on "
            "another disk) or free space on that disk."
        )
        self.setVisible(True)

    def save_notes(self) -> None:
        window = self.window_
        default = default_notes_file(window.ctx, f"call-{window.call_id}-notes")
        saved = save_notes_file(window, default, window.notes_text())
        if saved is not None:
            window.statusBar().showMessage(f"The notes of this call were saved to {saved}", 10000)


class CallGuard(QObject):
    """Puts the banner and the warning on top of ``window`` and follows the app's editing state."""

    def __init__(self, window: CallWindow, top: QWidget):
        super().__init__(window)
        self.window = window
        self.state = editing_state(window.ctx)
        self.banner = FullDiskBanner(self.state)
        self.warning = JournalWarning(window)
        layout = top.layout()
        assert layout is not None
        layout.insertWidget(0, self.warning)  # type: ignore[attr-defined]
        layout.insertWidget(0, self.banner)  # type: ignore[attr-defined]
        self.frozen = False
        mark_editing(window.end_button)
        self.state.changed.connect(self.follow)
        bridge_for(window.notes).changed.connect(self._writer_news)
        window.autosave.handed.connect(self.warning.follow)
        self.follow()

    def _writer_news(self) -> None:
        full = self.window.notes.disk_full
        if full is not None and not self.state.paused:
            self.state.disk_full(full)
        self.warning.follow(self.window.notes.journal_problem)

    def follow(self) -> None:
        """Editing off (everything typed handed over first) or on again, as the state says."""
        window = self.window
        if self.state.paused and not self.frozen:
            self.frozen = True
            window.autosave.hand_over()  # pending words to the journal now, not in 0.4 s
            for part in self.parts():
                freeze_inputs(part)
            lock_editing(window)
        elif not self.state.paused and self.frozen:
            self.frozen = False
            for part in self.parts():
                thaw_inputs(part)
            unlock_editing(window)
            window.autosave.hand_over()
            window.notes.retry_now()

    def parts(self) -> list[QWidget]:
        """What takes the call's words: the stage pages and the partner's notes."""
        return [self.window.stack, self.window.partner_notes]

    def page_built(self, page: QWidget) -> None:
        """A stage page built while editing is off starts off too."""
        if self.frozen:
            freeze_inputs(page)
