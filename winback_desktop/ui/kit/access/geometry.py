"""Windows open within the available screen and remember the size the user gave them.

A window asks for a comfortable size (``fit(window, "call", QSize(1120, 760))``); it gets that,
or what the user last left it at, shrunk to the screen it opens on (its parent's) less the
window frame, and centred over its parent or the screen. Only the size is remembered, per user,
in ``windows.ini`` beside the desk config (``paths.user_config_dir()``): a position from another
monitor layout would put the window off screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, QSize
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QWidget

from winback_desktop.paths import user_config_dir

FILE_NAME = "windows.ini"
# A title bar and borders, until the window manager has said what its frame is (~30 px high).
FRAME_GUESS = QSize(8, 36)


def store() -> QSettings:
    """This user's window sizes (an INI file, read again each time: tests point the config dir
    elsewhere per test)."""
    return QSettings(str(user_config_dir() / FILE_NAME), QSettings.Format.IniFormat)


def screen_of(window: QWidget) -> QScreen:
    parent = window.parentWidget()
    screen = (parent.window() if parent is not None else window).screen()
    return screen or QApplication.primaryScreen()


def frame_of(window: QWidget) -> QSize:
    """What the window manager adds around the window's inside (a guess until it is shown)."""
    frame = window.frameGeometry().size() - window.geometry().size()
    return frame if window.isVisible() and not frame.isEmpty() else FRAME_GUESS


def room(window: QWidget) -> QSize:
    """How big the window's inside may be: the available screen less the window frame."""
    return screen_of(window).availableGeometry().size() - frame_of(window)


def clamp(size: QSize, window: QWidget) -> QSize:
    """``size`` no bigger than the room on the window's screen (and no smaller than its
    minimum, unless that is bigger than the room: then the room, and the content scrolls)."""
    return size.expandedTo(window.minimumSize()).boundedTo(room(window))


def place(window: QWidget, size: QSize) -> None:
    """Resize to ``size`` (clamped) and centre over the parent, the frame inside the screen."""
    size = clamp(size, window)
    window.resize(size)
    available = screen_of(window).availableGeometry()
    outer = size + frame_of(window)
    parent = window.parentWidget()
    centre = parent.window().frameGeometry().center() if parent is not None else available.center()
    x = min(max(centre.x() - outer.width() // 2, available.left()), available.right() + 1 - outer.width())
    y = min(max(centre.y() - outer.height() // 2, available.top()), available.bottom() + 1 - outer.height())
    window.move(QPoint(x, y))  # a top-level window's pos() is its frame's corner


def remembered_size(key: str) -> QSize | None:
    value = store().value(f"{key}/size")
    if isinstance(value, QSize) and value.isValid() and not value.isEmpty():
        return value
    return None


def remember_size(key: str, size: QSize) -> None:
    settings = store()
    settings.setValue(f"{key}/size", size)
    settings.sync()


class _SizeKeeper(QObject):
    """Saves the window's size as it is hidden or closed (a dialog's accept hides it)."""

    def __init__(self, window: QWidget, key: str):
        super().__init__(window)
        self.key = key

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.Hide, QEvent.Type.Close) and isinstance(watched, QWidget):
            if watched.isWindow() and not watched.isMaximized() and not watched.isMinimized():
                remember_size(self.key, watched.size())
        return False


def fit(window: QWidget, key: str, wanted: QSize) -> None:
    """Give ``window`` the size the user last left it at (else ``wanted``), within the screen,
    centred; and remember its size under ``key`` when it is hidden or closed."""
    place(window, remembered_size(key) or wanted)
    window.installEventFilter(_SizeKeeper(window, key))
