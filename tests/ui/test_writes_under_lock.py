"""The writes made from the screens while another process holds the database's write lock past
the busy timeout (as a CLI import does): End call, logging an attempt, booking a call and a
follow-up's status change each run on a worker thread (ui/kit/jobs.py: WriteJob), so the GUI
thread never stalls (a 10 ms timer keeps ticking), each says who holds the lock and that
nothing was changed, and nothing is changed. Once the lock is gone the same action goes
through."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.helpers.dialogs import answer
from tests.helpers.faults import write_lock_held
from tests.ui.call.test_busy_database import Beat
from tests.ui.call.test_unsaved import app_ctx, busy_ms, main_window, open_call
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.followups import board as followups
from winback_desktop.services.people import team
from winback_desktop.ui.kit.confirm import NoteDialog
from winback_desktop.ui.today.attempt_dialog import AttemptDialog
from winback_desktop.ui.today.schedule_dialog import ScheduleDialog

__all__ = ["app_ctx", "busy_ms", "main_window"]  # the fixtures, shared with test_unsaved.py
pytestmark = [
    pytest.mark.parametrize("busy_ms", [2000], indirect=True),  # each refused write waits 2 s
    pytest.mark.sqlite_only,  # the SQLite file's write lock (a server has none to hold)
]


def rows(ctx, table: str) -> int:
    with sqlite3.connect(ctx.paths.database) as conn:  # another reader
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def refused_under_lock(qtbot, ctx, start) -> str:
    """Run ``start()`` while another process holds the write lock; the message it shows (its
    OK pressed), after checking that the GUI thread never stalled meanwhile."""
    seen: list[str] = []
    with write_lock_held(ctx.paths.database):
        beat = Beat()
        answer("OK", seen, attempts=1000)
        assert start() is not None
        qtbot.waitUntil(lambda: bool(seen), timeout=15000)
        beat.timer.stop()
    assert beat.worst < 0.5, f"the GUI thread stalled for {beat.worst:.2f} s"
    (said,) = seen
    assert "the database is busy: another program (" in said and "process" in said, said
    assert "is writing to it" in said and "Try" in said and "again" in said
    return said


def test_end_call(qtbot, main_window, app_ctx, monkeypatch):
    call = open_call(qtbot, main_window, app_ctx)
    qtbot.keyClicks(call.editor("what_happened"), "Nobody called back")
    assert call.autosave.flush()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    said = refused_under_lock(qtbot, app_ctx, call.end_call)
    assert said.startswith("The call was not ended: the database is busy")
    qtbot.waitUntil(lambda: call.ending is None)
    assert call.isVisible() and calls.detail(app_ctx, call.call_id).status == "in_progress"
    assert call.end_call() is not None  # the lock gone: ended, and the window closes
    qtbot.waitUntil(lambda: call.call_id not in main_window.call_windows, timeout=10000)
    assert calls.detail(app_ctx, call.call_id).status == "completed"


def test_log_an_attempt(qtbot, main_window, app_ctx):
    before = rows(app_ctx, "call_attempts")
    dialog = AttemptDialog(app_ctx, 1, "Meridian Hotels Group", parent=main_window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.note.setText("Rang twice")
    said = refused_under_lock(qtbot, app_ctx, dialog.save)
    assert said.startswith("The attempt was not logged: the database is busy")
    assert "Nothing was changed" in said
    qtbot.waitUntil(lambda: dialog.job is None)
    assert dialog.isVisible() and dialog.result_value is None and dialog.buttons.isEnabled()
    assert rows(app_ctx, "call_attempts") == before
    dialog.save()  # the lock gone: logged, and the dialog closes
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10000)
    assert not dialog.isVisible() and rows(app_ctx, "call_attempts") == before + 1


def test_book_a_call(qtbot, main_window, app_ctx):
    before = rows(app_ctx, "calls")
    leader = next(p for p in team.list_people(app_ctx) if p.role == "executive")
    dialog = ScheduleDialog(app_ctx, 1, "Meridian Hotels Group", parent=main_window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.leader.setCurrentIndex(dialog.leader.findData(leader.id))
    said = refused_under_lock(qtbot, app_ctx, dialog.save)
    assert said.startswith("The call was not booked: the database is busy")
    assert "Nothing was changed" in said
    qtbot.waitUntil(lambda: dialog.job is None)
    assert dialog.isVisible() and dialog.result_value is None and rows(app_ctx, "calls") == before
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10000)
    assert rows(app_ctx, "calls") == before + 1


def test_mark_a_follow_up_done(qtbot, main_window, app_ctx, monkeypatch):
    board = main_window.followups
    main_window.show_tab(main_window.tabs.indexOf(board))
    qtbot.waitUntil(lambda: board.model.rowCount() > 0)
    board.table.selectRow(0)
    item = board.selected()
    assert item is not None and item.status == "open"
    monkeypatch.setattr(NoteDialog, "ask", staticmethod(lambda *a, **k: ("Sent", True)))
    said = refused_under_lock(qtbot, app_ctx, lambda: board.mark_done() or None)
    assert said.startswith("Mark done: nothing was saved: the database is busy")
    qtbot.waitUntil(lambda: board.job is None)
    assert followups.get(app_ctx, item.id).status == "open"
    assert board.mark_done()
    qtbot.waitUntil(lambda: board.job is None, timeout=10000)
    assert followups.get(app_ctx, item.id).status == "done"
    assert followups.get(app_ctx, item.id).done_at is not None
