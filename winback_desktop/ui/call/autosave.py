"""Save-as-you-type: every change is on disk within about half a second, typing never waits.

The timer is started by the first unsaved change and is *not* restarted by later ones, so a
caller who types without pause still has their words on disk within ``DELAY_MS``. Then the
changes go to the notes writer (``services/calls/writer.py``): appended to the recovery journal
on the spot (a fraction of a millisecond), and written to the database by the writer's thread.
A database that is busy (another program holds the write lock) or a full disk never blocks this
thread; the writer retries, and nothing typed is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal

from winback_desktop.services.calls.journal import Save
from winback_desktop.services.calls.writer import NotesWriter

log = logging.getLogger(__name__)
DELAY_MS = 400
FLUSH_WAIT_S = 2.0  # how long an explicit flush (End call, the action sheet) waits for the database


class WriterBridge(QObject):
    """The writer's news, brought to the GUI thread: ``changed`` when a save reached the
    database or failed; what was written is reported to the screens from here."""

    changed = Signal()
    _poked = Signal()

    def __init__(self, writer: NotesWriter):
        super().__init__(QCoreApplication.instance())  # lives as long as the application
        self.writer = writer
        self._poked.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        writer.listen(self._poked.emit)  # called on the writer's thread: queued to this one

    def _deliver(self) -> None:
        kinds = self.writer.take_changes()
        if kinds:
            self.writer.hub.report(*kinds)
        self.changed.emit()


_bridges: dict[int, WriterBridge] = {}


def bridge_for(writer: NotesWriter) -> WriterBridge:
    for key, old in list(_bridges.items()):  # those of closed databases (a restore, a test)
        if old.writer.closed:
            del _bridges[key]
            old.setParent(None)
            old.deleteLater()
    bridge = _bridges.get(id(writer))
    if bridge is None or bridge.writer is not writer:
        bridge = _bridges[id(writer)] = WriterBridge(writer)
    return bridge


class Autosaver(QObject):
    saved = Signal(str)  # the time of the last save that reached the database, as HH:MM:SS
    failed = Signal(str)  # a plain message for the status line
    conflicted = Signal(int)  # how many saves wait for the caller's choice (someone else's change)
    dirty = Signal()
    handed = Signal(object)  # after each hand-over: why the journal could not keep it, or None

    def __init__(
        self, writer: NotesWriter, call_id: int, parent: QObject | None = None, delay_ms: int = DELAY_MS
    ):
        super().__init__(parent)
        self.writer, self.call_id = writer, call_id
        self._pending: dict[str, Callable[[], Save]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.hand_over)
        bridge_for(writer).changed.connect(self._refresh)

    def schedule(self, key: str, save: Callable[[], Save]) -> None:
        """Queue ``save`` under ``key``; a later change to the same key replaces it.

        ``save`` reads the widget's value when it runs and returns what to write, so the latest
        text is written.
        """
        self._pending[key] = save
        if self.writer.state(self.call_id).problem is None:  # else the status line keeps saying why
            self.dirty.emit()
        if not self._timer.isActive():
            self._timer.start()

    @property
    def has_pending(self) -> bool:
        """Anything typed that is not in the database yet (here, or on its way)."""
        return bool(self._pending) or self.writer.state(self.call_id).pending > 0

    def hand_over(self) -> str | None:
        """Give every pending change to the writer now (on disk in the journal when this
        returns); returns why the journal could not keep them, or None."""
        self._timer.stop()
        saves, self._pending = [make() for make in self._pending.values()], {}
        problem = self.writer.submit(saves) if saves else None
        if problem is not None:
            log.warning("call %s: %s", self.call_id, problem)
        if saves:
            self.handed.emit(problem)
        return problem

    def flush(self, timeout: float = FLUSH_WAIT_S) -> bool:
        """Hand everything over and wait (at most ``timeout``) until it reached the database;
        True when it did."""
        self.hand_over()
        done = self.writer.wait(self.call_id, timeout)
        self._refresh()
        return done

    def problem(self) -> str | None:
        """Why this call's saves do not reach the database, while they do not."""
        return self.writer.state(self.call_id).problem

    def _refresh(self) -> None:
        state = self.writer.state(self.call_id)
        self.conflicted.emit(state.conflicts)
        if state.conflicts:
            self.failed.emit("Not saved yet: your text is kept")
        elif state.problem is not None and state.pending:
            self.failed.emit(f"Not saved yet ({state.problem}) — retrying…")
        elif not state.pending and not self._pending and state.saved_at is not None:
            self.saved.emit(state.saved_at.strftime("%H:%M:%S"))
