"""A window made ready in one call: its fields named, Tab in the order of the screen, and
within the screen at the size the user last left it at."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

from winback_desktop.ui.kit.access.focus import order_tabs
from winback_desktop.ui.kit.access.geometry import fit
from winback_desktop.ui.kit.access.names import name_fields


def ready(window: QWidget, key: str, size: QSize | None = None) -> None:
    """Call at the end of a window's constructor; ``key`` names it in the remembered sizes,
    ``size`` is the size it asks for (its size hint when not given)."""
    name_fields(window)
    order_tabs(window)
    fit(window, key, size if size is not None else window.sizeHint())
