"""Small questions: Yes / No before doing something hard to undo; a few lines of note."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.ui.kit.access.window import ready


def confirm(parent: QWidget | None, title: str, text: str, *, default_yes: bool = False) -> bool:
    """True when the user answers Yes. The default button is No unless ``default_yes``: Enter
    on a question about losing something keeps it."""
    buttons = QMessageBox.StandardButton
    default = buttons.Yes if default_yes else buttons.No
    return QMessageBox.question(parent, title, text, buttons.Yes | buttons.No, default) == buttons.Yes


class NoteDialog(QDialog):
    """A question answered in a few lines (QInputDialog.getMultiLineText without its traps: there
    Tab types a tab and only the mouse reaches OK). Tab moves to the buttons; Ctrl+Return saves."""

    def __init__(self, parent: QWidget | None, title: str, question: str, text: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        label = QLabel(question, wordWrap=True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self.editor = QPlainTextEdit(text)
        self.editor.setTabChangesFocus(True)
        self.editor.setAccessibleName(question.splitlines()[-1] if question.strip() else title)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        label.setBuddy(self.editor)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setToolTip("Save (Ctrl+Return)")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):  # from the buttons too
            QShortcut(QKeySequence(key), self, self.accept)
        self.editor.installEventFilter(self)
        hint = QLabel("Ctrl+Return saves · Tab moves to the buttons")
        hint.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.editor, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        ready(self, "note", QSize(460, 260))

    def text(self) -> str:
        return self.editor.toPlainText()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Ctrl+Return in the note saves, whether or not the window has been activated yet."""
        if watched is self.editor and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept()
                return True
        return super().eventFilter(watched, event)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, question: str, text: str = "") -> tuple[str, bool]:
        """(the text, True) when saved; ("", False) when cancelled."""
        dialog = cls(parent, title, question, text)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return "", False
        return dialog.text(), True
