"""The page shown where there is nothing yet: a title, a few words, and the button that fills it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from winback_desktop.ui.kit.widgets import with_name, with_tip

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
            layout.addWidget(with_name(QLabel(title, alignment=CENTER), "emptyTitle"))
        self.message = with_name(QLabel(message, alignment=CENTER), "hint" if title else "")
        if width is None:
            layout.addWidget(self.message)
        else:
            self.message.setWordWrap(True)
            self.message.setFixedWidth(width)
            self.message.setMinimumHeight(self.message.heightForWidth(width))
            layout.addWidget(self.message, 0, Qt.AlignmentFlag.AlignHCenter)
        self.button = with_tip(QPushButton(button), tip) if tip else QPushButton(button)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
