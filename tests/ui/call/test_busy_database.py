"""Start call and Add next step while another process holds the write lock past the busy
timeout: the window stays responsive (a timer keeps ticking), the message names who holds the
lock, no half-made call opens, and what was typed into a waiting next step is kept and saved."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from sqlalchemy import select

from tests.helpers.dialogs import answer
from tests.helpers.faults import write_lock_held
from tests.ui.call.test_unsaved import app_ctx, busy_ms, main_window, open_call
from winback_desktop.store.models import ActionItem, Call

# The SQLite file's write lock held by another process; a server that cannot be reached is
# tests/ui/call/test_lost_server.py.
pytestmark = pytest.mark.sqlite_only
__all__ = ["app_ctx", "busy_ms", "main_window"]  # the fixtures, shared with test_unsaved.py
WHAT = "Send the credit note by Friday"


class Beat:
    """A 10 ms timer: the longest gap between its ticks is how long the GUI thread stalled."""

    def __init__(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst, self.last = max(self.worst, now - self.last), now


def calls_in_progress(ctx) -> int:
    with ctx.sessions() as s:
        return len(s.scalars(select(Call).where(Call.status == "in_progress")).all())


@pytest.mark.parametrize("busy_ms", [2000], indirect=True)  # each refused write waits 2 s
def test_start_call_under_a_held_lock_keeps_the_window_responsive_and_says_who(qtbot, main_window, app_ctx):
    main_window.search.setText("Harbourline")  # booked for no one (a booking asks whose it is)
    main_window.roster.focus_list()
    before = calls_in_progress(app_ctx)
    seen: list[str] = []
    with write_lock_held(app_ctx.paths.database):
        beat = Beat()
        answer("OK", seen, attempts=1000)
        assert main_window.start_call() is not None
        assert main_window.statusBar().currentMessage() == "Starting the call…"
        qtbot.waitUntil(lambda: bool(seen), timeout=10000)
        beat.timer.stop()
        assert beat.worst < 0.5, f"the GUI thread stalled for {beat.worst:.2f} s"
        (said,) = seen
        assert said.startswith("The call was not started: the database is busy: another program (")
        assert "process" in said and "is writing to it" in said and "Try again" in said
        assert main_window.call_windows == {} and calls_in_progress(app_ctx) == before
        assert main_window.statusBar().currentMessage().startswith("The call was not started")
    assert main_window.start_call() is not None  # the lock gone: started
    qtbot.waitUntil(lambda: len(main_window.call_windows) == 1, timeout=5000)
    assert calls_in_progress(app_ctx) == before + 1


@pytest.mark.parametrize("busy_ms", [2000], indirect=True)
def test_a_next_step_added_under_a_held_lock_keeps_what_was_typed(qtbot, main_window, app_ctx):
    call = open_call(qtbot, main_window, app_ctx)
    call.activateWindow()
    qtbot.waitUntil(call.isActiveWindow)
    steps = call.editor("next_steps")
    seen: list[str] = []
    with write_lock_held(app_ctx.paths.database):
        beat = Beat()
        answer("OK", seen, attempts=1000)
        call.add_next_step()  # Ctrl+Shift+N: to the next steps' stage, a new row
        row = steps.rows[-1]
        qtbot.waitUntil(row.what.hasFocus)
        assert row.action_id == 0 and not steps.add_button.isEnabled()
        qtbot.keyClicks(row.what, WHAT)  # typed while the database waits for the lock
        qtbot.waitUntil(lambda: bool(seen), timeout=10000)
        beat.timer.stop()
        assert beat.worst < 0.5, f"the GUI thread stalled for {beat.worst:.2f} s"
        assert "not added to the database" in seen[0] and "another program (" in seen[0]
        assert row in steps.rows and row.what.text() == WHAT and row.action_id == 0
        assert steps.retry_button.isVisible() and "not in the database yet" in steps.waiting.text()
    qtbot.keyClicks(row.what, ", with the invoice")
    steps.retry_button.click()
    qtbot.waitUntil(lambda: row.action_id != 0, timeout=5000)
    assert call.autosave.flush(5)
    with app_ctx.sessions() as s:
        item = s.get(ActionItem, row.action_id)
        assert item is not None and item.what == WHAT + ", with the invoice"
    assert not steps.retry_button.isVisible() and steps.add_button.isEnabled()


def test_reasons_and_offers_still_on_their_way_show_when_the_call_opens_again(qtbot, main_window, app_ctx):
    call = open_call(qtbot, main_window, app_ctx)
    call_id = call.call_id
    with write_lock_held(app_ctx.paths.database) as release:
        reasons, offers = call.editor("reasons"), call.editor("offers")
        reasons.primary.setCurrentIndex(2)  # as a click on the list does: saved as it changes
        chosen_reason = reasons.primary.currentData()
        offers.catalogue.item(1).setCheckState(Qt.CheckState.Checked)  # as Space on it does
        offers.other.setText("A named contact")
        offers.other.textEdited.emit("A named contact")
        qtbot.waitUntil(lambda: call.saved_label.text().startswith("Not saved yet"), timeout=5000)
        seen: list[str] = []
        answer("Close anyway", seen)
        assert call.close() and seen
        again = main_window.open_call(call_id)  # the database has none of it yet
        qtbot.waitExposed(again)
        assert again.editor("reasons").primary.currentData() == chosen_reason
        assert again.editor("offers").other.text() == "A named contact"
        assert len(again.editor("offers").catalogue.checked()) == 1
        release()
        assert again.autosave.flush(5)
    with app_ctx.sessions() as s:
        from winback_desktop.store.models import CallReason

        rows = s.scalars(select(CallReason).where(CallReason.call_id == call_id)).all()
        assert [r.reason_id for r in rows if r.is_primary] == [chosen_reason]
