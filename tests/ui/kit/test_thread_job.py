"""ThreadJob: work on a worker thread, its outcome delivered on the GUI thread, stoppable."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from winback_desktop.ui.kit.jobs import ThreadJob


def test_the_result_arrives_on_the_gui_thread(qtbot):
    parent = QObject()
    seen: list[tuple[str, bool]] = []

    def work(should_stop):
        seen.append(("worker", threading.current_thread() is threading.main_thread()))
        return 42

    job = ThreadJob(parent, work)
    job.done.connect(
        lambda value: seen.append((f"done {value}", threading.current_thread() is threading.main_thread()))
    )
    with qtbot.waitSignal(job.done, timeout=5000):
        pass
    assert seen == [("worker", False), ("done 42", True)]
    assert not job.running


def test_an_exception_is_handed_over_not_lost(qtbot):
    parent = QObject()
    job = ThreadJob(parent, lambda should_stop: 1 / 0)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        pass
    assert isinstance(blocker.args[0], ZeroDivisionError)


def test_stop_asks_the_work_to_stop_and_drops_its_outcome(qtbot):
    started, asked = threading.Event(), threading.Event()

    def work(should_stop):
        started.set()
        while not should_stop():
            asked.wait(0.01)
        asked.set()
        return "too late"

    parent = QObject()
    job = ThreadJob(parent, work)
    delivered: list[object] = []
    job.done.connect(delivered.append)
    assert started.wait(5)
    job.stop()
    assert asked.wait(5)  # the work saw should_stop() turn True
    assert not job.running  # the poll has stopped: nothing arrives after stop()
    QApplication.processEvents()
    assert delivered == []
