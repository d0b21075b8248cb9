"""Tab in the order of the screen: the focus chain rebuilt from the layouts.

Qt's Tab order is the order widgets were made in, so a widget added later (a next step's row,
the import dialog's column boxes) is reached after everything else, far from where it shows.
``order_tabs(window)`` walks the window's layouts as they lay widgets out (boxes in their
direction, forms row by row, grids row by row, splitters, stacks, tabs and scroll areas in
order) and chains the widgets Tab stops at in that order. Call it again when widgets are added.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLayout,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

# Controls whose insides are theirs (a spin box's line edit, a view's header): never entered.
LEAVES = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QTabBar,
)
_FORM_ROLES = (
    QFormLayout.ItemRole.LabelRole,
    QFormLayout.ItemRole.FieldRole,
    QFormLayout.ItemRole.SpanningRole,
)


def _in_layout(layout: QLayout) -> Iterator[QWidget]:
    """The widgets of ``layout`` in the order it shows them (nested layouts inline)."""
    if isinstance(layout, QFormLayout):
        items = [layout.itemAt(row, role) for row in range(layout.rowCount()) for role in _FORM_ROLES]
    elif isinstance(layout, QGridLayout):
        places: list[tuple[int, int, int]] = []
        for i in range(layout.count()):
            position = layout.getItemPosition(i)  # (row, column, rows, columns); stubs say object
            assert isinstance(position, tuple)
            places.append((int(position[0]), int(position[1]), i))
        items = [layout.itemAt(i) for _r, _c, i in sorted(places)]
    else:
        items = [layout.itemAt(i) for i in range(layout.count())]
        if isinstance(layout, QBoxLayout) and layout.direction() in (
            QBoxLayout.Direction.RightToLeft,
            QBoxLayout.Direction.BottomToTop,
        ):
            items.reverse()
    for item in items:
        if item is None:
            continue
        if (widget := item.widget()) is not None:
            yield widget
        elif (inner := item.layout()) is not None:
            yield from _in_layout(inner)


def _children(widget: QWidget) -> list[QWidget]:
    if isinstance(widget, QMainWindow):
        return [w for w in (widget.centralWidget(), widget.findChild(QStatusBar)) if w is not None]
    if isinstance(widget, QScrollArea):
        inner = widget.widget()
        return [inner] if inner is not None else []
    if isinstance(widget, (QSplitter, QStackedWidget)):
        return [w for i in range(widget.count()) if (w := widget.widget(i)) is not None]
    if isinstance(widget, QTabWidget):
        pages = [w for i in range(widget.count()) if (w := widget.widget(i)) is not None]
        return [widget.tabBar(), *pages]
    layout = widget.layout()
    return list(_in_layout(layout)) if layout is not None else []


def in_screen_order(widget: QWidget) -> Iterator[QWidget]:
    """``widget`` and everything laid out in it, in the order of the screen."""
    yield widget
    if isinstance(widget, LEAVES):
        return
    for child in _children(widget):
        yield from in_screen_order(child)


def takes_tab(widget: QWidget) -> bool:
    policy = widget.focusPolicy()
    return (policy & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus and widget.focusProxy() is None


def order_tabs(root: QWidget) -> list[QWidget]:
    """Chain the Tab stops laid out under ``root`` in the order of the screen; returns them."""
    stops = [w for w in in_screen_order(root) if w is not root and takes_tab(w)]
    for first, second in pairwise(stops):
        QWidget.setTabOrder(first, second)
    return stops
