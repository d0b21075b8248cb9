"""One application-level signal: what changed in a database, for every screen that shows it.

Each :class:`AppContext`'s change listeners (services/changes.py) feed :func:`app_signals`; a
screen asks to hear of the kinds it shows with :func:`on_change` and reads them again, instead of
the main window wiring one screen's refresh to another's change (anki's
``operation_did_execute``, vorta's application signals).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from winback_desktop.services.changes import Change, Changes

_signals: AppSignals | None = None


class AppSignals(QObject):
    """``changed(hub, kinds)``: ``kinds`` (a frozenset of :class:`Change`) changed in the
    database whose listeners are ``hub`` (its context's ``changes``)."""

    changed = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self._hubs: weakref.WeakSet[Changes] = weakref.WeakSet()

    def attach(self, hub: Changes) -> None:
        """Relay that database's changes (once, however often asked)."""
        if hub not in self._hubs:
            self._hubs.add(hub)
            hub.subscribe(lambda kinds: self.changed.emit(hub, kinds))


def app_signals() -> AppSignals:
    global _signals
    if _signals is None:
        _signals = AppSignals()
    return _signals


class ChangeWatcher(QObject):
    """Calls ``read(kinds)`` when one of ``kinds`` changed in the database of ``owner.ctx``
    (looked up each time: a restore gives the owner a new one). A hidden owner reads when it
    is next shown, once, whatever changed meanwhile: a change made while typing in a call does
    not make every tab of the main window read the database. With ``on_show`` the owner also
    reads each time it is shown (``read(frozenset())``: read everything), which catches writes
    made elsewhere (the command line, another desk). A child of ``owner``: it ends with it."""

    def __init__(
        self,
        owner: QWidget,
        kinds: Iterable[Change],
        read: Callable[[frozenset[Change]], object],
        *,
        on_show: bool = False,
    ):
        super().__init__(owner)
        self._owner, self._kinds, self._read, self._on_show = owner, frozenset(kinds), read, on_show
        self._pending: set[Change] = set()
        self._held = 0  # inside read_after(): read at its end
        ctx = getattr(owner, "ctx", None)
        if ctx is not None:
            app_signals().attach(ctx.changes)
        app_signals().changed.connect(self._changed)
        owner.installEventFilter(self)

    def _changed(self, hub: Changes, kinds: frozenset[Change]) -> None:
        ctx = getattr(self._owner, "ctx", None)
        wanted = kinds & self._kinds
        if ctx is None or ctx.changes is not hub or not wanted:
            return
        if self._owner.isVisible() and not self._held:
            self._read(wanted)
        else:
            self._pending |= wanted

    @contextmanager
    def read_after(self) -> Iterator[None]:
        """For the owner's own change, whose result it needs at once (to select the cycle it
        just made): what is reported inside is read once at the end, shown or not."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._pending:
                pending, self._pending = frozenset(self._pending), set()
                self._read(pending)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._owner and event.type() == QEvent.Type.Show and not event.spontaneous():
            pending, self._pending = frozenset(self._pending), set()
            if pending or self._on_show:
                self._read(pending)
        return False


def on_change(
    owner: QWidget,
    kinds: Iterable[Change],
    read: Callable[[frozenset[Change]], object],
    *,
    on_show: bool = False,
) -> ChangeWatcher:
    """Have ``owner`` (a widget with a ``ctx``) read again when ``kinds`` change in its database;
    ``read`` gets the kinds among those that changed (none: read everything). See
    :class:`ChangeWatcher` for hidden owners and ``on_show``."""
    return ChangeWatcher(owner, kinds, read, on_show=on_show)
