"""Save-as-you-type: every change reaches the database within about half a second.

The timer is started by the first unsaved change and is *not* restarted by later ones, so a
caller who types without pause still has their words on disk within ``DELAY_MS``. A failed save
keeps the change pending and retries; nothing typed is dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)
DELAY_MS = 400
RETRY_MS = 500  # well within the one second a crash may lose


class Autosaver(QObject):
    saved = Signal(str)  # the time of the last successful save, as HH:MM:SS
    failed = Signal(str)  # a plain message for the status line
    dirty = Signal()

    def __init__(self, parent: QObject | None = None, delay_ms: int = DELAY_MS):
        super().__init__(parent)
        self._pending: dict[str, Callable[[], None]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)

    def schedule(self, key: str, save: Callable[[], None]) -> None:
        """Queue ``save`` under ``key``; a later change to the same key replaces it.

        ``save`` should read the widget's value when it runs, so the latest text is written.
        """
        self._pending[key] = save
        self.dirty.emit()
        if not self._timer.isActive():
            self._timer.start()

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def flush(self) -> bool:
        """Run every pending save now; returns True when all of them reached the database."""
        self._timer.stop()
        for key in list(self._pending):
            save = self._pending.get(key)
            if save is None:
                continue
            try:
                save()
            except Exception as exc:  # noqa: BLE001 - reported, kept pending and retried
                log.exception("autosave of %s failed", key)
                self.failed.emit(f"Not saved yet ({_reason(exc)}) — retrying…")
                self._timer.start(RETRY_MS)
                return False
            # A newer change to the same key may have arrived during save(); keep that one.
            if self._pending.get(key) is save:
                del self._pending[key]
        self.saved.emit(dt.datetime.now().strftime("%H:%M:%S"))
        return True


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0][:120] if text else type(exc).__name__
