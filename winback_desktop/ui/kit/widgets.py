"""Typed ways to give a new widget the properties it inherits: an object name, a tooltip, a buddy.

PySide6 sets any Qt property passed to a constructor by keyword (``QLabel(objectName="hint")``),
but its stubs list only the class's own properties, not those it inherits (``objectName`` from
QObject, ``toolTip`` from QWidget) nor setters such as ``buddy``; mypy rejects those calls.
These set the same thing right after construction, which is all PySide6 does with the keyword.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QLabel, QWidget

W = TypeVar("W", bound=QWidget)


def with_name(widget: W, name: str) -> W:
    """``widget`` under the object name its style rule knows it by (ui/kit/style.py)."""
    widget.setObjectName(name)
    return widget


def with_tip(widget: W, tip: str) -> W:
    """``widget`` with that tooltip."""
    widget.setToolTip(tip)
    return widget


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose mnemonic (the ``&`` letter in ``text``) focuses ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label
