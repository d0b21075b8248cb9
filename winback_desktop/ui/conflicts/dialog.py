"""The conflict dialog: what is stored (theirs) beside what was typed here (mine), and the
choice — Keep mine / Take theirs / Keep both (theirs, then a line, then mine).

Nothing is decided by default that loses words: Enter keeps both, Escape decides later (what was
typed stays on screen and in the journal, and the question comes back). Alt+M, Alt+T and Alt+B
choose from the keyboard; the two texts are read-only, each reachable with Tab and named for a
screen reader.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.services.conflicts import Choice, Conflict
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.widgets import with_name


def _text_box(text: str) -> QPlainTextEdit:
    """A read-only text (named for a screen reader by its label: ``ready()``)."""
    box = QPlainTextEdit(text)
    box.setReadOnly(True)
    box.setTabChangesFocus(True)
    box.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
    )
    return box


class ConflictDialog(QDialog):
    """Ask what to do with a save that met someone else's change; :attr:`choice` says (None:
    decide later)."""

    def __init__(self, parent: QWidget | None, conflict: Conflict, *, allow_both: bool = True):
        super().__init__(parent)
        self.conflict = conflict
        self.choice: Choice | None = None
        self.setWindowTitle("Changed at another desk")
        self.setObjectName("conflictDialog")
        heading = with_name(QLabel(conflict.sentence(), wordWrap=True), "conflictHeading")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        bold = heading.font()
        bold.setBold(True)
        heading.setFont(bold)
        kept = QLabel("Nothing is lost yet: your text is kept here until you choose.", wordWrap=True)
        self.theirs = _text_box(conflict.theirs)
        self.mine = _text_box(conflict.mine)
        grid = QGridLayout()
        for col, (title, box) in enumerate(
            ((f"Theirs — saved by {conflict.who}", self.theirs), ("Yours — typed here", self.mine))
        ):
            label = QLabel(f"<b>{title}</b>")
            label.setBuddy(box)
            grid.addWidget(label, 0, col)
            grid.addWidget(box, 1, col)
        buttons = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole
        self.keep_mine = self._button(buttons, "Keep &mine", Choice.MINE, "Save your text over theirs")
        self.take_theirs = self._button(buttons, "Take &theirs", Choice.THEIRS, "Drop your text; keep theirs")
        self.keep_both = self._button(
            buttons, "Keep &both", Choice.BOTH, "Theirs, then a line, then yours (Enter)"
        )
        later = buttons.addButton("Decide &later", role.RejectRole)
        later.setToolTip("Keep your text on screen and ask again (Esc)")
        buttons.rejected.connect(self.reject)
        self.keep_both.setVisible(allow_both)
        (self.keep_both if allow_both else self.keep_mine).setDefault(True)
        both_hint = "Keep both saves theirs, then a line, then yours — nothing is dropped."
        hint = with_name(QLabel(both_hint if allow_both else "", wordWrap=True), "hint")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(kept)
        layout.addLayout(grid, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        ready(self, "conflict", QSize(780, 420))
        (self.keep_both if allow_both else self.keep_mine).setFocus()

    def _button(self, box: QDialogButtonBox, text: str, choice: Choice, tip: str) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
        button.setToolTip(tip)
        button.setAccessibleName(text.replace("&", ""))
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, conflict: Conflict, *, allow_both: bool = True) -> Choice | None:
        """The caller's choice, or None to decide later."""
        dialog = cls(parent, conflict, allow_both=allow_both)
        dialog.exec()
        return dialog.choice
