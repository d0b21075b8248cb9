"""The Tab chain of a window as Qt walks it, and where it leaves the order of the screen.

``tab_stops(window)`` follows ``nextInFocusChain`` from the window round to itself and keeps
what Tab stops at (QWidget::focusNextPrevChild's rule: visible, enabled, Tab in the focus policy,
no focus proxy). ``interactive(window)`` is every control a user can work with;
``out_of_order(stops)`` names each step that goes back up within a column or left within a row.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QTabBar,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QAbstractSpinBox,
    QComboBox,
    QPlainTextEdit,
    QTextEdit,
    QAbstractItemView,
    QTabBar,
)


def stops_at(widget: QWidget, window: QWidget) -> bool:
    policy = widget.focusPolicy()
    return (
        widget.window() is window
        and widget.isVisible()
        and widget.isEnabled()
        and (policy & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus
        and widget.focusProxy() is None
    )


def tab_stops(window: QWidget) -> list[QWidget]:
    stops: list[QWidget] = []
    seen: set[QWidget] = set()  # the wrappers themselves: an id() is reused once one is freed
    widget = window.nextInFocusChain()
    while widget is not window and widget not in seen:
        seen.add(widget)
        if stops_at(widget, window):
            stops.append(widget)
        widget = widget.nextInFocusChain()
    return stops


def _inner_part(widget: QWidget) -> bool:
    """A piece of a compound control (a spin box's or combo box's own line edit, a line edit's
    action button, a view's header): reached through its owner."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QLineEdit, QAbstractItemView, QTabBar)):
            return True
        parent = parent.parentWidget()
    return False


def interactive(window: QWidget) -> list[QWidget]:
    """Every visible, enabled control of ``window`` (a radio group counts by its checked button:
    Tab reaches the group, arrows move in it)."""
    found = []
    for w in window.findChildren(QWidget):
        if not isinstance(w, INTERACTIVE) or w.window() is not window:
            continue
        if not (w.isVisible() and w.isEnabled()) or _inner_part(w):
            continue
        if isinstance(w, QRadioButton) and w.autoExclusive() and w is not _first_radio(w):
            continue  # Qt stops Tab at one button of a radio group; arrows move within it
        target = w.focusProxy() or w
        found.append(target)
    return found


def _first_radio(button: QRadioButton) -> QRadioButton:
    """The radio of ``button``'s group (its siblings, or its QButtonGroup) Tab stops at."""
    group = button.group()
    parent = button.parentWidget()
    members = group.buttons() if group is not None else (parent.findChildren(QRadioButton) if parent else [])
    stops = [b for b in members if isinstance(b, QRadioButton) and b.focusPolicy() & Qt.FocusPolicy.TabFocus]
    return stops[0] if stops else button


def _scrolled_in(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def rect_of(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def out_of_order(stops: list[QWidget]) -> list[str]:
    """Each step a -> b that goes back up (in the same column, or to one on the left), or left
    along the same row. Up to the top of a column on the right is a reading order, and so is
    down to the start of the next line."""
    bad = []
    for a, b in zip(stops, stops[1:], strict=False):
        ra, rb = rect_of(a), rect_of(b)
        sa, sb = _scrolled_in(a), _scrolled_in(b)
        if sa is not sb:  # Tab scrolls a field into view: where its scroll area is is what counts
            ra, rb = rect_of(sa or a), rect_of(sb or b)
        same_column = ra.left() < rb.right() and rb.left() < ra.right()
        same_row = abs(ra.center().y() - rb.center().y()) < max(ra.height(), rb.height()) // 2
        if same_row and rb.right() <= ra.left():
            bad.append(f"{describe(a)} -> {describe(b)}: back to the left")
        elif not same_row and rb.bottom() <= ra.top() and (same_column or rb.left() < ra.left()):
            bad.append(f"{describe(a)} -> {describe(b)}: back up")  # up is only to a column on the right
    return bad


def describe(widget: QWidget) -> str:
    words = ""
    if isinstance(widget, QAbstractButton):
        words = widget.text()
    elif isinstance(widget, (QLineEdit,)):
        words = widget.placeholderText() or widget.text()
    words = words or widget.accessibleName() or widget.toolTip() or widget.objectName()
    r = rect_of(widget)
    return f"{type(widget).__name__}({words.replace('&', '')[:40]!r} at {r.x()},{r.y()})"
