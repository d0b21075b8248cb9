"""Nothing starts or changes a call by accident: Enter in a search box goes to its list and
stops there; a call booked for other people is only taken over when the caller says so."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers.dialogs import answer
from winback_desktop.services import roster
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, demo_ctx):
    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    return w


def started(qtbot, window: MainWindow):
    """Start Call, and the call window once the database has made the call (a worker thread)."""
    before = set(window.call_windows)
    assert window.start_call() is not None
    qtbot.waitUntil(lambda: bool(set(window.call_windows) - before), timeout=10000)
    return window.call_windows[next(iter(set(window.call_windows) - before))]


def in_progress(ctx) -> list[int]:
    return [u.customer_id for u in calls.unfinished_calls(ctx)]


def test_enter_in_the_search_goes_to_the_list_and_starts_nothing(qtbot, window, demo_ctx):
    before = in_progress(demo_ctx)
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.search, "Harbourline")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)  # at once: the pending search runs first
    assert window.table.hasFocus()
    assert window.model.rowCount() == 1 and window.selected_customer_id() is not None
    QApplication.processEvents()
    assert window.call_windows == {} and in_progress(demo_ctx) == before
    qtbot.keyClick(window.search, Qt.Key.Key_Enter)  # the keypad's Enter too
    assert window.call_windows == {}
    # Enter in the list is the step that starts the call
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.call_windows) == 1)
    for call in list(window.call_windows.values()):
        call.close()


def test_enter_in_the_roster_filters_starts_nothing(qtbot, window, demo_ctx):
    before = in_progress(demo_ctx)
    for box in (window.roster.min_priority, window.roster.status, window.roster.decision):
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.call_windows == {} and in_progress(demo_ctx) == before


def test_enter_in_the_follow_up_search_goes_to_the_board_only(qtbot, window, demo_ctx):
    from winback_desktop.services.followups import board

    board_tab = window.followups
    window.show_tab(window.tabs.indexOf(board_tab))
    open_before = [f.status for f in board.board(demo_ctx)]
    board_tab.search.setFocus()
    qtbot.keyClick(board_tab.search, Qt.Key.Key_Return)
    assert board_tab.table.hasFocus()
    QApplication.processEvents()
    assert window.call_windows == {}
    assert [f.status for f in board.board(demo_ctx)] == open_before  # nothing marked done


def book_for_others(ctx, window) -> tuple[int, schedule.ScheduleResult]:
    """Harbourline booked for an executive and partner who are not the ones at this desk."""
    cust = roster.roster_page(ctx, text="Harbourline")[0].id
    everyone = people.list_people(ctx)
    leaders = [p for p in everyone if p.role in ("executive", "caller")]
    partners = [p for p in everyone if p.role == "partner"]
    assert len(leaders) >= 2 and len(partners) >= 2
    when = dt.datetime.combine(dt.date.today() + dt.timedelta(days=3), dt.time(11, 0))
    booked = schedule.schedule_call(ctx, cust, when, 30, leaders[0].id, partners[0].id)
    window.caller.setCurrentIndex(window.caller.findData(leaders[1].id))
    window.partner.setCurrentIndex(window.partner.findData(partners[1].id))
    window.roster.search.setText("Harbourline")
    window.roster.focus_list()
    assert window.selected_customer_id() == cust
    return cust, booked


def booking_people(ctx, call_id):
    item = schedule.agenda_item(ctx, call_id)
    return item.status, item.leader_id, item.partner_id


def test_a_call_booked_for_others_asks_and_cancel_changes_nothing(qtbot, window, demo_ctx):
    cust, booked = book_for_others(demo_ctx, window)
    before = booking_people(demo_ctx, booked.call_id)
    seen: list[str] = []
    answer("Cancel", seen)
    assert window.start_call() is None
    assert "booked for" in seen[0] and "Take this booked call" in seen[0]
    assert booking_people(demo_ctx, booked.call_id) == before
    assert cust not in in_progress(demo_ctx)


def test_a_separate_call_keeps_the_booking(qtbot, window, demo_ctx):
    cust, booked = book_for_others(demo_ctx, window)
    before = booking_people(demo_ctx, booked.call_id)
    seen: list[str] = []
    answer("Start a &separate call", seen)
    call = started(qtbot, window)
    assert call.call_id != booked.call_id
    assert booking_people(demo_ctx, booked.call_id) == before
    assert calls.detail(demo_ctx, call.call_id).caller.id == window.caller.currentData()
    call.close()


def test_taking_the_booked_call_makes_it_ours(qtbot, window, demo_ctx):
    _cust, booked = book_for_others(demo_ctx, window)
    seen: list[str] = []
    answer("&Take this booked call", seen)
    call = started(qtbot, window)
    assert call.call_id == booked.call_id
    detail = calls.detail(demo_ctx, call.call_id)
    assert (detail.status, detail.caller.id, detail.partner.id) == (
        "in_progress",
        window.caller.currentData(),
        window.partner.currentData(),
    )
    call.close()
