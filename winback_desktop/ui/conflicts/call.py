"""A call window's parked saves (someone at another desk changed what they would overwrite):
a button in the window's header says so, and opens the conflict dialog for each in turn.

The window hands in how to name a field (``label_of``) and how to show the text that stands once
the caller chose (``show``); the writer (``services/calls/writer.py``) does the saving. The
dialog never opens by itself while the caller types (a modal box would take their keystrokes):
the header's button and Ctrl+Shift+K (the window's action) open it, and End call / closing the
window ask first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QPushButton, QWidget

from winback_desktop.services.calls.writer import NotesWriter
from winback_desktop.services.conflicts import Choice, Conflict
from winback_desktop.ui.conflicts.dialog import ConflictDialog
from winback_desktop.ui.kit.widgets import with_name

Show = Callable[[str, Conflict, Choice], None]  # slot, the conflict, the choice made


class CallConflicts(QObject):
    def __init__(
        self, window: QWidget, writer: NotesWriter, call_id: int, label_of: Callable[[str], str], show: Show
    ):
        super().__init__(window)
        self.window, self.writer, self.call_id = window, writer, call_id
        self.label_of, self.show = label_of, show
        self.button = with_name(QPushButton("⚠ Changed at another desk — choose…"), "conflictButton")
        self.button.setToolTip(
            "Someone at another desk changed a note you were typing in: compare and choose (Ctrl+Shift+K)"
        )
        self.button.setAccessibleName("Changed at another desk: compare and choose")
        self.button.clicked.connect(self.choose)
        self.button.hide()
        self.asking = False

    def waiting(self) -> dict[str, Conflict]:
        return self.writer.conflicts(self.call_id)

    def refresh(self, count: int | None = None) -> None:
        n = len(self.waiting()) if count is None else count
        self.button.setVisible(n > 0)
        self.button.setText(
            "⚠ Changed at another desk — choose…" if n <= 1 else f"⚠ {n} changed at another desk — choose…"
        )

    def choose(self) -> bool:
        """Ask about each waiting save in turn; True when none is left waiting."""
        if self.asking:
            return False
        self.asking = True
        try:
            for slot, conflict in self.waiting().items():
                shown = dataclasses.replace(conflict, label=self.label_of(slot))
                choice = ConflictDialog.ask(self.window, shown)
                if choice is None:  # decide later: it stays parked, the button stays
                    break
                if self.writer.resolve(slot, choice) is not None:
                    self.show(slot, conflict, choice)
        finally:
            self.asking = False
        self.refresh()
        return not self.waiting()
