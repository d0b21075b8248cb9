"""Read-only mode: on a read-only or full disk the data is shown, and nothing offers to change it.

An action or button that changes stored data is marked once where it is made
(``Action(..., edits=True)`` in a declared menu, :func:`mark_editing` for a plain button).
:func:`lock_editing` then disables every marked one under a widget and *keeps* it disabled:
the screens enable their buttons as the selection changes, and would otherwise bring them back.
The banner says why, in the words ``AppContext.read_only`` gives (the folder, the disk).

A disk that fills up while working is a state too (:class:`EditingState`, one per database):
a save that meets it turns editing off in every window (:func:`lock_editing`, and in a call
window :func:`freeze_inputs`), the :class:`FullDiskBanner` says so, and its *Check again* asks
the disk again and, when there is room, gives editing back (:func:`unlock_editing`).
"""

from __future__ import annotations

import html
import logging
import weakref
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.style import banner_style

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext

log = logging.getLogger(__name__)

EDITS = "winbackEdits"  # the property that marks an action or a widget as one that writes


def mark_editing(*items: QObject) -> None:
    """Mark actions or widgets (buttons) that change stored data."""
    for item in items:
        item.setProperty(EDITS, True)


def is_editing(item: QObject) -> bool:
    return bool(item.property(EDITS))


LOCKED, WANTED = "winbackLocked", "winbackWanted"  # locked now; enabled once unlocked?


class _KeepDisabled(QObject):
    """Puts a locked widget back to disabled whenever something enables it (and remembers that
    it was asked to be on, for when editing comes back)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.EnabledChange and isinstance(watched, QWidget):
            if watched.isEnabled() and watched.property(LOCKED):
                watched.setProperty(WANTED, True)
                watched.setEnabled(False)
        return False


def _action_enabled(action: QAction, on: bool) -> None:
    if on and action.property(LOCKED):
        action.setProperty(WANTED, True)
        action.setEnabled(False)


def lock_editing(root: QWidget) -> int:
    """Disable every marked action and widget under ``root`` (``root`` included) and keep them
    disabled until :func:`unlock_editing`; returns how many. Call it again for what is built
    later (a workspace shown for the first time)."""
    keeper = root.findChild(_KeepDisabled, "keepDisabled") or _KeepDisabled(root, objectName="keepDisabled")
    locked = 0
    for action in [*root.actions(), *root.findChildren(QAction)]:
        if is_editing(action) and not action.property(LOCKED):
            action.setProperty(WANTED, action.isEnabled())
            action.setProperty(LOCKED, True)
            action.setEnabled(False)
            if not action.property("winbackWatched"):
                action.setProperty("winbackWatched", True)
                action.enabledChanged.connect(lambda on, a=action: _action_enabled(a, on))
            locked += 1
    for widget in [root, *root.findChildren(QWidget)]:
        if is_editing(widget) and not widget.property(LOCKED):
            widget.setProperty(WANTED, widget.isEnabled())
            widget.setProperty(LOCKED, True)
            widget.setEnabled(False)
            widget.installEventFilter(keeper)
            locked += 1
    return locked


def unlock_editing(root: QWidget) -> int:
    """Undo :func:`lock_editing` under ``root``: each action and widget back to the state it had
    (or was since asked to take); returns how many. Never for data opened read-only at start."""
    unlocked = 0
    for item in [*root.actions(), *root.findChildren(QAction), root, *root.findChildren(QWidget)]:
        if is_editing(item) and item.property(LOCKED):
            item.setProperty(LOCKED, False)
            if isinstance(item, QWidget | QAction):
                item.setEnabled(bool(item.property(WANTED)))
            unlocked += 1
    return unlocked


_TYPED = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)
_CHOSEN = (QAbstractButton, QComboBox, QAbstractItemView)


def freeze_inputs(root: QWidget) -> None:
    """Every input under ``root`` stops taking changes: text stays selectable and copyable
    (read-only), choices are disabled. :func:`thaw_inputs` gives each its state back."""
    for widget in root.findChildren(QWidget):
        if widget.property("winbackFrozen") is not None:
            continue
        if isinstance(widget, _TYPED):
            widget.setProperty("winbackFrozen", widget.isReadOnly())
            widget.setReadOnly(True)
        elif isinstance(widget, _CHOSEN):
            widget.setProperty("winbackFrozen", widget.isEnabled())
            widget.setEnabled(False)


def thaw_inputs(root: QWidget) -> None:
    for widget in root.findChildren(QWidget):
        before = widget.property("winbackFrozen")
        if before is None:
            continue
        widget.setProperty("winbackFrozen", None)
        if isinstance(widget, _TYPED):
            widget.setReadOnly(bool(before))
        else:
            widget.setEnabled(bool(before))


class EditingState(QObject):
    """App-wide: may the user change anything now? Off from the moment a save meets a full disk
    (the notes writer, End call, any write) until *Check again* finds room. Every window that
    shows the banner and locks its editing listens to :attr:`changed`."""

    changed = Signal()

    def __init__(self, ctx: AppContext):
        super().__init__(QCoreApplication.instance())  # lives as long as the application
        self.ctx = ctx
        self.reason: str | None = None  # why editing is off (the full disk, named), or None

    @property
    def paused(self) -> bool:
        return self.reason is not None

    def disk_full(self, reason: str) -> None:
        """A save met a full disk: editing goes off everywhere, saying why (in the start-up's
        words when the disk confirms it: the folder and what is left)."""
        from winback_desktop.services.maintenance.health import room_to_write

        reason = room_to_write(self.ctx.paths) or reason
        if reason != self.reason:
            log.warning("editing off: %s", reason)
            self.reason = reason
            self.changed.emit()

    def check_again(self) -> str | None:
        """Ask the disk again; when there is room, editing comes back and the notes still owed
        are written at once. Returns why not, when there is still none."""
        from winback_desktop.services.calls.writer import notes_writer
        from winback_desktop.services.maintenance.health import room_to_write

        why = room_to_write(self.ctx.paths)
        if why is not None:
            self.disk_full(why)
            return why
        log.info("editing on again: the disk has room")
        self.reason = None
        notes_writer(self.ctx).retry_now()
        self.changed.emit()
        return None


_states: dict[int, tuple[weakref.ref[AppContext], EditingState]] = {}


def editing_state(ctx: AppContext) -> EditingState:
    """The one :class:`EditingState` of ``ctx``'s database."""
    found = _states.get(id(ctx))
    if found is not None and found[0]() is ctx:
        return found[1]
    state = EditingState(ctx)
    key = id(ctx)
    _states[key] = (weakref.ref(ctx), state)

    def drop() -> None:
        if _states.get(key, (None, None))[1] is state:
            del _states[key]
        state.setParent(None)
        state.deleteLater()

    ctx.on_close(drop)
    return state


def framed(name: str, tone: str) -> str:
    """A banner frame's style (``tone``: CAUTION or ERROR), its words in the scheme's colours
    (a style sheet's colour does not pass from a frame to the labels in it)."""
    text = palette.colour(f"{tone}_TEXT")
    return banner_style(name, f"{tone}_FACE", f"{tone}_LINE", f"{tone}_TEXT", "padding: 0px;") + (
        f" #{name} QLabel {{ color: {text}; background: transparent; border: none; }}"
    )


class FullDiskBanner(QFrame):
    """The note on top of a window while editing is off because the disk is full: what is wrong
    and where, what is kept and where, and *Check again*."""

    def __init__(self, state: EditingState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("fullDiskBanner")
        self.setStyleSheet(framed("fullDiskBanner", "CAUTION"))
        self.label = QLabel()
        self.label.setObjectName("fullDiskText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_button = QPushButton("Chec&k again")
        self.check_button.setToolTip("Look again for free space; editing comes back when there is room")
        self.check_button.clicked.connect(self.check_again)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setVisible(False)
        state.changed.connect(self.follow)
        self.follow()

    def follow(self) -> None:
        reason = self.state.reason
        if reason is None:
            self.setVisible(False)
            return
        journal = self.state.ctx.paths.journal
        self.label.setText(
            f"<b>Read-only: {html.escape(reason[:1].upper() + reason[1:])}.</b> Nothing can be changed "
            f"until there is room. What was typed is kept in the recovery journal "
            f"{html.escape(str(journal))} and reaches the database once there is room. "
            "Free some space on that disk, then press <b>Check again</b>."
        )
        self.setVisible(True)

    def check_again(self) -> None:
        why = self.state.check_again()
        window = self.window()
        if why is not None and isinstance(window, QMainWindow):
            window.statusBar().showMessage(f"Still read-only: {why}.", 8000)


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
