"""Run a service module in a child process (``python -m MODULE ARGS``) without blocking the GUI."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment

import winback_desktop

log = logging.getLogger(__name__)
REFRESH_JOB = "winback_desktop.jobs.refresh"  # statuses and priorities
BACKUP_JOB = "winback_desktop.jobs.backup"
CHECK_JOB = "winback_desktop.jobs.check"  # the full integrity check


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
