"""Re-ranking (F5, the lapse rule) runs in the refresh job, off the GUI: control comes back at
once, a busy bar shows, and the roster follows when the job is done."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QInputDialog
from sqlalchemy import update

from winback_desktop.services import settings
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Customer
from winback_desktop.ui.main_window import MainWindow
from winback_desktop.ui.roster.ranking import Ranking

JOB_TIMEOUT_MS = 60_000  # a fresh Python importing SQLAlchemy, on a busy 2-core machine


@pytest.fixture
def window(qtbot, demo_ctx):
    with transaction(demo_ctx.sessions) as s:  # stale priorities, as a new day leaves them
        s.execute(update(Customer).values(priority=0.0, priority_reason=""))
    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return w


def top_priority(window: MainWindow) -> float:
    return window.model.row_at(0).priority


def test_f5_returns_at_once_and_the_roster_follows_when_the_job_ends(qtbot, window):
    window.table.setFocus()
    assert top_priority(window) == 0
    started = time.monotonic()
    qtbot.keyClick(window.table, Qt.Key.Key_F5)
    assert time.monotonic() - started < 1.0 and window.ranking.running  # not waited for
    assert window.statusBar().currentMessage() == Ranking.BUSY and not window.ranking._busy.isHidden()
    loop_ran = []
    QTimer.singleShot(0, lambda: loop_ran.append(window.ranking.running))
    qtbot.waitUntil(lambda: bool(loop_ran), timeout=2000)
    assert loop_ran == [True]  # the event loop runs (typing is handled) while the job works
    qtbot.keyClicks(window.search, "zzz")
    assert window.search.text() == "zzz" and top_priority(window) == 0  # not refreshed yet
    window.search.clear()
    qtbot.waitUntil(lambda: not window.ranking.running, timeout=JOB_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and top_priority(window) > 0)
    assert window.statusBar().currentMessage().endswith("priorities updated.")
    assert window.ranking._busy.isHidden()
    assert window.roster.details.row.priority_reason  # the details show the new reasons too


def test_a_new_lapse_rule_reranks_in_the_background_once_more_if_asked_meanwhile(qtbot, window, monkeypatch):
    window.commands["recompute"].trigger()
    first = window.ranking.process
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (3, True))
    window.commands["lapse_rule"].trigger()  # while F5's job runs: once more after it, not two at once
    assert settings.lapse_months(window.ctx) == 3 and window.ranking.process is first
    qtbot.waitUntil(lambda: window.ranking.process is not first, timeout=JOB_TIMEOUT_MS)
    assert window.ranking.running and top_priority(window) > 0  # the first one's result is shown
    qtbot.waitUntil(lambda: not window.ranking.running, timeout=JOB_TIMEOUT_MS)
    assert window.statusBar().currentMessage() == "Lapse rule: no purchase for 3 months."  # the last word
