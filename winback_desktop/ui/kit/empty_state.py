"""The page shown where there is nothing yet: a title, a few words, and the button that fills it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

CENTER = Qt.AlignmentFlag.AlignCenter


class EmptyState(QWidget):
    """``message`` under an optional ``title`` (then in the quieter hint style), and ``button``;
    a ``width`` wraps the message in a column of that width. Rich text is recognised."""

    def __init__(
        self,
        message: str,
        button: str,
        *,
        title: str = "",
        width: int | None = None,
        tip: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        if title:
            layout.addWidget(QLabel(title, objectName="emptyTitle", alignment=CENTER))
        self.message = QLabel(message, alignment=CENTER, objectName="hint" if title else "")
        if width is None:
            layout.addWidget(self.message)
        else:
            self.message.setWordWrap(True)
            self.message.setFixedWidth(width)
            self.message.setMinimumHeight(self.message.heightForWidth(width))
            layout.addWidget(self.message, 0, Qt.AlignmentFlag.AlignHCenter)
        self.button = QPushButton(button, toolTip=tip) if tip else QPushButton(button)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
