"""A call window's watch on the disk: read-only while the disk is full, and a warning the moment
the recovery journal cannot keep what is typed.

When a save of this call (or any write of the app) meets a full disk, the app's
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

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from winback_desktop.ui.call import recovery
from winback_desktop.ui.call.autosave import bridge_for
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
        default = recovery.default_notes_file(window.ctx, f"call-{window.call_id}-notes")
        saved = recovery.save_notes_file(window, default, window.notes_text())
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
