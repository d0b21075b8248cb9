"""The tag-team partner's own logistics notes, kept apart from the caller's notes."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QGroupBox, QPlainTextEdit, QVBoxLayout

# Stored like a stage answer of a stage of its own, so the caller's stages never mix with it.
PARTNER_STAGE = "partner"
PARTNER_FIELD = "partner_notes"


class PartnerNotes(QGroupBox):
    def __init__(self, text: str = ""):
        super().__init__("Partner's logistics notes (Ctrl+L)")
        self.editor = QPlainTextEdit()
        self.editor.setTabChangesFocus(True)
        self.editor.setAccessibleName("Partner's logistics notes")
        self.editor.setPlaceholderText(
            "Follow-up logistics: who to send what, when; details to check after the call."
        )
        self.editor.setPlainText(text)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)  # a resumed call goes on where it ended
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.editor)
