"""Re-ranking off the GUI: statuses and priorities brought up to date by the refresh job.

At 100,000 customers a re-rank takes about 2.7 s, so it runs in a child process, the same job
start-up runs each new day (ui/kit/jobs.py). The window stays usable meanwhile: a busy bar in
the status bar says it is working, and every screen reads the roster again when it is done
(a ``Change.CUSTOMERS`` report). A re-rank asked for while one runs (F5 twice, the lapse rule
changed during the start-up one) runs once more after it, so the last word wins.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QProcess
from PySide6.QtWidgets import QProgressBar

from winback_desktop.services.changes import Change
from winback_desktop.ui.kit.jobs import REFRESH_JOB, run_in_background

if TYPE_CHECKING:
    from winback_desktop.ui.kit.context import ContextWindow

log = logging.getLogger(__name__)
FAILED = "Recomputing priorities failed: see the log."
Message = Callable[[dict[str, Any]], str]  # the job's figures -> the status bar's words


def figures_message(figures: dict[str, Any]) -> str:
    return f"{figures['statuses']} statuses changed; {figures['priorities']} priorities updated."


class Ranking(QObject):
    """The window's re-ranking job: its context says which data folder, ``window.statusBar()``
    shows that it runs (unless quiet) and what it did."""

    BUSY = "Recomputing priorities…"

    def __init__(self, window: ContextWindow):
        super().__init__(window)
        self.window = window
        self.process: QProcess | None = None
        self._message: Message | None = None  # the words when done; None: say nothing
        self._again = False  # asked for while running: run once more after
        self._figures: dict[str, Any] = {}
        self._busy: QProgressBar | None = None

    @property
    def running(self) -> bool:
        return self.process is not None

    def start(self, message: Message = figures_message, *, quiet: bool = False, daily: bool = False) -> None:
        """Re-rank now, or once more as soon as the running one ends. ``message`` makes the
        status bar's words from the job's figures; ``quiet`` says nothing (the start-up one);
        ``daily``: the start of the day's, which a team database has once a day, whichever desk
        starts first (services/roster/daily.py)."""
        if not quiet:
            self._message = message
            self._show_busy(True)
        if self.process is not None:
            self._again = True
            return
        self._figures = {}
        data_dir = self.window.attached_ctx.paths.data_dir
        args = [str(data_dir), "--daily"] if daily else [str(data_dir)]
        self.process = run_in_background(self.window, REFRESH_JOB, args, self._done, self._read)

    def stop(self) -> None:
        """End a running job (closing, restoring): SQLite rolls back what it had begun."""
        process, self.process = self.process, None
        self._again, self._message = False, None
        if process is not None:
            try:
                process.finished.disconnect()
                process.kill()
                process.waitForFinished(3000)
            except RuntimeError:  # already finished and deleted
                pass
        self._show_busy(False)

    def _read(self, output: str) -> None:
        lines = [line for line in output.splitlines() if line.strip().startswith("{")]
        try:
            self._figures = json.loads(lines[-1]) if lines else {}
        except ValueError:
            log.warning("the refresh job printed %r", output[-200:])

    def _done(self, ok: bool) -> None:
        self.process = None
        if not self.window.isVisible():  # closing: nothing left to show
            return
        if ok:
            self.window.attached_ctx.changed(Change.CUSTOMERS)  # screens read again
        if self._again:
            self._again = False
            self.start(self._message or figures_message, quiet=self._message is None)
            return
        message, self._message = self._message, None
        self._show_busy(False)
        if message is not None:
            text = message(self._figures) if ok and self._figures else FAILED
            self.window.statusBar().showMessage(text, 8000)

    def _show_busy(self, on: bool) -> None:
        if self._busy is None:
            if not on:
                return
            self._busy = QProgressBar(textVisible=False)
            self._busy.setMaximumWidth(120)
            self._busy.setToolTip(self.BUSY)
            self._busy.setRange(0, 0)  # busy: the job reports no steps
            self.window.statusBar().addPermanentWidget(self._busy)
        bar = self.window.statusBar()
        if on:
            bar.showMessage(self.BUSY)
        elif not self._busy.isHidden() and bar.currentMessage() == self.BUSY:
            bar.clearMessage()
        self._busy.setVisible(on)
