"""Read-only mode: on a read-only or full disk the data is shown, and nothing offers to change it.

An action or button that changes stored data is marked once where it is made
(``Action(..., edits=True)`` in a declared menu, :func:`mark_editing` for a plain button).
:func:`lock_editing` then disables every marked one under a widget and *keeps* it disabled:
the screens enable their buttons as the selection changes, and would otherwise bring them back.
The banner says why, in the words ``AppContext.read_only`` gives (the folder, the disk).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QWidget

from winback_desktop.ui.kit.style import banner_style

EDITS = "winbackEdits"  # the property that marks an action or a widget as one that writes


def mark_editing(*items: QObject) -> None:
    """Mark actions or widgets (buttons) that change stored data."""
    for item in items:
        item.setProperty(EDITS, True)


def is_editing(item: QObject) -> bool:
    return bool(item.property(EDITS))


class _KeepDisabled(QObject):
    """Puts a marked widget back to disabled whenever something enables it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.EnabledChange and isinstance(watched, QWidget):
            if watched.isEnabled():
                watched.setEnabled(False)
        return False


def _keep_action_disabled(action: QAction) -> None:
    action.setEnabled(False)
    action.enabledChanged.connect(lambda on, a=action: on and a.setEnabled(False))


def lock_editing(root: QWidget) -> int:
    """Disable, for good, every marked action and widget under ``root`` (``root`` included);
    returns how many. Call it again for what is built later (a workspace shown for the first time)."""
    keeper = root.findChild(_KeepDisabled, "keepDisabled") or _KeepDisabled(root, objectName="keepDisabled")
    locked = 0
    for action in [*root.actions(), *root.findChildren(QAction)]:
        if is_editing(action) and not action.property("winbackLocked"):
            action.setProperty("winbackLocked", True)
            _keep_action_disabled(action)
            locked += 1
    for widget in [root, *root.findChildren(QWidget)]:
        if is_editing(widget) and not widget.property("winbackLocked"):
            widget.setProperty("winbackLocked", True)
            widget.setEnabled(False)
            widget.installEventFilter(keeper)
            locked += 1
    return locked


def read_only_banner(reason: str, parent: QWidget | None = None) -> QLabel:
    """The line at the top of a window opened read-only: what is wrong and where, and what to do."""
    text = html.escape(reason[:1].upper() + reason[1:])
    banner = QLabel(
        f"<b>Read-only.</b> {text}. You can look everything up and export it, but nothing can be "
        "changed and no call can be made until that is solved and Win-Back Desk is started again.",
        parent,
    )
    banner.setObjectName("readOnlyBanner")
    banner.setTextFormat(Qt.TextFormat.RichText)
    banner.setWordWrap(True)
    banner.setStyleSheet(banner_style("readOnlyBanner", "CAUTION_FACE", "CAUTION_LINE", "CAUTION_TEXT"))
    return banner
