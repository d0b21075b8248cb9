"""Work that must not block the GUI: a service module in a child process (``python -m MODULE
ARGS``), a bounded read on a worker thread (:class:`ThreadJob`), or one write to the database
on a worker thread (:class:`WriteJob`, :func:`write_in_background`)."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStatusBar, QWidget

import winback_desktop

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext

log = logging.getLogger(__name__)
REFRESH_JOB = "winback_desktop.jobs.refresh"  # statuses and priorities
BACKUP_JOB = "winback_desktop.jobs.backup"
CHECK_JOB = "winback_desktop.jobs.check"  # the full integrity check
POLL_MS = 20  # how often the GUI thread looks for a thread job's result
T = TypeVar("T")


def child_process(parent: QObject, module: str, args: list[str]) -> QProcess:
    """A QProcess set up to run ``module`` with this interpreter and this package."""
    process = QProcess(parent)
    process.setProgram(sys.executable)
    process.setArguments(["-m", module, *args])
    env = QProcessEnvironment.systemEnvironment()
    package_parent = str(Path(winback_desktop.__file__).resolve().parent.parent)
    env.insert("PYTHONPATH", os.pathsep.join(p for p in (package_parent, env.value("PYTHONPATH")) if p))
    process.setProcessEnvironment(env)
    return process


def run_in_background(
    parent: QObject,
    module: str,
    args: list[str],
    on_done: Callable[[bool], None],
    on_output: Callable[[str], None] | None = None,
) -> QProcess:
    """Start the job; ``on_done(ok)`` runs in the GUI thread when it ends (failures are logged),
    after ``on_output(what it printed)`` when it succeeded."""
    process = child_process(parent, module, args)

    def finished(code: int, status: QProcess.ExitStatus) -> None:
        ok = code == 0 and status == QProcess.ExitStatus.NormalExit
        try:
            if not ok:
                err = bytes(process.readAllStandardError().data()).decode("utf-8", "replace")
                log.error("%s failed (exit %s): %s", module, code, err[-4000:])
            out = bytes(process.readAllStandardOutput().data()).decode("utf-8", "replace")
            process.deleteLater()
        except RuntimeError:  # the window (its parent) is already gone: nothing left to update
            return
        if ok and on_output is not None:
            on_output(out)
        on_done(ok)

    process.finished.connect(finished)
    process.start()
    return process


class _Shared(Generic[T]):
    """What the worker thread and the GUI thread share: plain Python, never a Qt object (PySide's
    wrappers are not to be touched from another thread)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.outcome: list[tuple[bool, T | Exception]] = []  # list.append is atomic


def _run(work: Callable[[Callable[[], bool]], T], shared: _Shared[T]) -> None:
    try:
        outcome: tuple[bool, T | Exception] = (True, work(shared.stop.is_set))
    except Exception as exc:  # handed to the GUI thread, which knows what it means
        outcome = (False, exc)
    shared.outcome.append(outcome)


class ThreadJob(QObject):
    """``work(should_stop)`` on a worker thread; then :attr:`done` (its result) or :attr:`failed`
    (the exception it raised) on the GUI thread.

    For reading that waits on the disk more than it computes (a file preview: hashing and
    decoding release the GIL, what is parsed is bounded), where a child process would cost more
    than the work. ``work`` must not touch a Qt object (take what it needs from the widget
    before). No Qt object crosses threads: the GUI thread polls for the outcome every POLL_MS.
    :meth:`stop` asks ``work`` to stop (``should_stop()`` turns True) and drops its outcome; so
    does deleting the parent. Signals rather than callbacks: a callback held here would tie the
    widget and this job in a reference cycle, and the collector would then delete the widget at
    some arbitrary later moment (measured: a crash when that moment was another widget's grab).
    """

    done = Signal(object)
    failed = Signal(object)

    def __init__(
        self, parent: QObject, work: Callable[[Callable[[], bool]], object], name: str = "winback-thread-job"
    ):
        super().__init__(parent)
        self._shared: _Shared[object] = _Shared()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        threading.Thread(target=_run, args=(work, self._shared), name=name, daemon=True).start()
        self._timer.start()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        self._shared.stop.set()
        self._timer.stop()

    def _poll(self) -> None:
        if not self._shared.outcome:
            return
        self._timer.stop()
        ok, value = self._shared.outcome[0]
        (self.done if ok else self.failed).emit(value)


class Refused(Exception):
    """A write that did not happen, for a reason already in the user's words (raised by a
    write job's work, e.g. notes still owed to a busy database before End call)."""


class WriteJob(QObject):
    """One write to the database on a worker thread, so that another program holding the write
    lock (an import: seconds; up to the 5 s busy timeout) never freezes the window.

    While it runs the cursor is busy (every key still works) and the window's status line says
    what is happening; then, on the GUI thread, :attr:`done` with the work's result, or — for a
    known problem (a busy database naming who holds the lock, a full or read-only disk) —
    :attr:`refused` with the reason in words, after the default warning ("… Nothing was changed.
    Try again in a moment.") unless ``warn=False``. A full disk also turns editing off everywhere
    (:class:`~winback_desktop.ui.kit.read_only.EditingState`). A bug is raised again, as it
    would have been on the GUI thread. The service's own transaction makes it all or nothing.
    """

    done = Signal(object)
    refused = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        ctx: AppContext,
        work: Callable[[], object],
        *,
        doing: str,
        not_done: str,
        title: str = "Not saved",
        warn: bool = True,
        expected: tuple[type[Exception], ...] = (),
    ):
        super().__init__(parent)
        self.ctx, self.not_done, self.title, self.warn = ctx, not_done, title, warn
        self.expected = expected  # raised by the service for the user (a rule, a stale item): said
        self._status = _status_bar(parent)
        self.job = ThreadJob(self, lambda _stop: work(), "winback-write")
        self.job.done.connect(self._done)
        self.job.failed.connect(self._failed)
        if self._status is not None:
            self._status.showMessage(doing)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self._cursor = True

    @property
    def running(self) -> bool:
        return self.job.running

    def _finish(self) -> None:
        if self._cursor:
            self._cursor = False
            QGuiApplication.restoreOverrideCursor()
        if self._status is not None:
            self._status.clearMessage()
        self.deleteLater()

    def _done(self, value: object) -> None:
        self._finish()
        self.done.emit(value)

    def _failed(self, exc: object) -> None:
        from winback_desktop.services.calls.writer import is_full_disk, why_not_saved
        from winback_desktop.ui.kit.read_only import editing_state

        self._finish()
        assert isinstance(exc, BaseException)
        if isinstance(exc, (Refused, *self.expected)):
            why, known = str(exc), True
        else:
            why, known = why_not_saved(exc, self.ctx)
        if not known:
            raise exc
        log.warning("%s: %s", self.not_done, why)
        if not isinstance(exc, Refused) and is_full_disk(exc, self.ctx):
            editing_state(self.ctx).disk_full(why)
        if self.warn:
            parent = self.parent()
            window = parent.window() if isinstance(parent, QWidget) else None
            QMessageBox.warning(
                window, self.title, f"{self.not_done}: {why}.\n\nNothing was changed. Try again in a moment."
            )
        self.refused.emit(why)


def _status_bar(widget: QWidget) -> QStatusBar | None:
    window = widget.window()
    if isinstance(window, QMainWindow):
        return window.statusBar()
    parent = window.parentWidget()
    return _status_bar(parent) if parent is not None else None


def write_in_background(
    parent: QWidget,
    ctx: AppContext,
    work: Callable[[], object],
    on_done: Callable[[object], None] | None = None,
    *,
    doing: str = "Saving…",
    not_done: str = "The change was not saved",
    title: str = "Not saved",
    on_refused: Callable[[str], None] | None = None,
    expected: tuple[type[Exception], ...] = (),
) -> WriteJob:
    """Run ``work`` (one service call that writes) as a :class:`WriteJob`; ``on_done(result)``
    and ``on_refused(why)`` on the GUI thread; ``expected`` exceptions are said in their words."""
    job = WriteJob(parent, ctx, work, doing=doing, not_done=not_done, title=title, expected=expected)
    if on_done is not None:
        job.done.connect(on_done)
    if on_refused is not None:
        job.refused.connect(on_refused)
    return job
