"""Ask before doing something that is hard to undo: one Yes / No question, one answer."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm(parent: QWidget | None, title: str, text: str, *, default_yes: bool = False) -> bool:
    """True when the user answers Yes. The default button is No unless ``default_yes``: Enter
    on a question about losing something keeps it."""
    buttons = QMessageBox.StandardButton
    default = buttons.Yes if default_yes else buttons.No
    return QMessageBox.question(parent, title, text, buttons.Yes | buttons.No, default) == buttons.Yes
