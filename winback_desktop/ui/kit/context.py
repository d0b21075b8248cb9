"""The database a screen works on, for the screens painted before there is one.

At start-up the main window, its roster panel and the customer details are shown before the
services (and SQLAlchemy) are loaded (app.py, services/first_paint.py): their ``ctx`` is None
until ``attach()``. What they do for the user reads it through :func:`attached`, which says
plainly what went wrong should that order ever break (app.py holds user input until then).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext


def attached(ctx: AppContext | None, owner: object) -> AppContext:
    """``ctx``, which ``owner`` needs now: a RuntimeError while it is still None."""
    if ctx is None:
        raise RuntimeError(f"{type(owner).__name__} was used before attach(): it has no database yet")
    return ctx


class ContextWindow(QMainWindow):
    """A main window over one database: ``ctx`` is None during the first paint, then the
    context it was attached to (a restore replaces it). Its helpers (the re-ranking job, the
    Customers menu) read it through :attr:`attached_ctx`."""

    ctx: AppContext | None = None

    @property
    def attached_ctx(self) -> AppContext:
        return attached(self.ctx, self)
