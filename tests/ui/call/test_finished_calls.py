"""A finished call can be found again: opened read only from the customer card's timeline,
Today and the follow-up board; every note readable, nothing editable, the sheet reprinted; End
call says what was saved and what happens next."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QListWidget, QPlainTextEdit

from tests.ui.test_starting_calls import started
from winback_desktop.services import roster
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.followups import board
from winback_desktop.services.people import team as people
from winback_desktop.ui.call.window import CallWindow
from winback_desktop.ui.main_window import MainWindow
from winback_desktop.ui.today.tab import ROLE


@pytest.fixture
def window(qtbot, demo_ctx):
    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def finished_call(ctx) -> int:
    """Harbourline's earlier call in the sample data: done, with notes and a promise."""
    cid = roster.roster_page(ctx, text="Harbourline")[0].id
    done = [k for k in roster.card.card(ctx, cid).earlier_calls if k.status == "completed"]
    assert done
    return done[0].id


def stored_state(ctx, call_id):
    d = calls.detail(ctx, call_id)
    return d.status, d.current_stage, d.answers, d.outcome, [(a.what, a.status) for a in d.actions]


def test_a_finished_call_opens_read_only_with_every_note(qtbot, demo_ctx, tmp_path):
    call_id = finished_call(demo_ctx)
    before = stored_state(demo_ctx, call_id)
    w = CallWindow(demo_ctx, call_id)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.read_only and "read only" in w.windowTitle()
    banner = w.findChild(QLabel, "finishedBanner")
    assert banner is not None and banner.isVisible()
    assert "Finished on " in banner.text() and "read only" in banner.text()
    detail = calls.detail(demo_ctx, call_id)
    for key in w.stage_keys():
        w.go_to(key)
        page = w.pages[key]
        for f in page.stage.fields:
            if f.kind in ("text", "line"):
                editor = w.editor(f.key)
                assert editor.isReadOnly() and editor.value() == detail.saved_text(f.key)
        for edit in page.findChildren(QPlainTextEdit) + page.findChildren(QLineEdit):
            assert edit.isReadOnly()
        for combo in page.findChildren(QComboBox):  # readable in full colour, not changeable
            before_choice = combo.currentIndex()
            combo.setFocus()
            qtbot.keyClick(combo, Qt.Key.Key_Down)
            qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
            assert combo.currentIndex() == before_choice and not combo.view().isVisible()
        for checks in page.findChildren(QListWidget):
            for i in range(checks.count()):
                assert not checks.item(i).flags() & checks.item(i).flags().ItemIsUserCheckable
    steps = w.editor("next_steps")
    assert [r.what.text() for r in steps.rows] == [a.what for a in detail.actions] and steps.rows
    assert not steps.add_button.isVisible() and not w.add_step_action.isEnabled()
    assert not w.end_action.isEnabled() and not w.end_button.isVisible()
    assert w.partner_notes.editor.isReadOnly()
    # the sheet is printed again, with what was noted
    out = w.write_sheet(tmp_path / "again.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(out).pages).replace("\n", " ")
    assert detail.customer.company in text and detail.actions[0].what[:30] in text
    w.close()
    assert stored_state(demo_ctx, call_id) == before  # looking changed nothing


def test_the_card_timeline_says_what_they_said_and_what_was_promised(qtbot, window, demo_ctx):
    call_id = finished_call(demo_ctx)
    earlier = calls.detail(demo_ctx, call_id)
    window.search.setText("Harbourline")
    window.refresh()
    live = started(qtbot, window)
    html = live.card.label.text()
    assert f"call:{call_id}" in html and "Promised: " in html
    said = earlier.answers.get("heard_back") or earlier.answers.get("what_happened")
    assert said and said.strip()[:40].replace("'", "&#x27;") in html
    assert earlier.actions[0].what[:40] in html
    live.card.label.linkActivated.emit(f"call:{call_id}")
    qtbot.waitUntil(lambda: call_id in window.call_windows)
    found = window.call_windows[call_id]
    assert found.read_only
    for w in list(window.call_windows.values()):
        w.close()


def test_today_and_the_board_open_the_call_behind_a_follow_up(qtbot, window, demo_ctx):
    item = next(f for f in board.board(demo_ctx) if f.owner_id is not None)
    today = window.today
    today.person.setCurrentIndex(today.person.findData(item.owner_id))
    due = item.due_date or dt.date.today()
    today.day.setDate(max(due, dt.date.today()))
    rows = [today.tree.topLevelItem(i) for i in range(today.tree.topLevelItemCount())]
    action_rows = [r for r in rows if r.data(0, ROLE) and r.data(0, ROLE)[0] == "action"]
    assert action_rows, "the owner's follow-up shows on their day"
    today.tree.setCurrentItem(action_rows[0])
    assert today.open_button.isEnabled()
    call_id = action_rows[0].data(0, ROLE)[2]
    today.open_button.click()
    qtbot.waitUntil(lambda: call_id in window.call_windows)
    window.call_windows[call_id].close()

    followups = window.followups
    window.show_tab(window.tabs.indexOf(followups))
    assert followups.select_item(item.id)
    assert followups.open_call_action.isEnabled()
    followups.open_call_action.trigger()
    qtbot.waitUntil(lambda: item.call_id in window.call_windows)
    assert window.call_windows[item.call_id].read_only == (
        calls.detail(demo_ctx, item.call_id).status == "completed"
    )
    window.call_windows[item.call_id].close()


def test_todays_buttons_follow_the_selection(qtbot, window, demo_ctx):
    today = window.today
    today.tree.setCurrentItem(None)
    for b in (
        today.start_button,
        today.attempt_button,
        today.open_button,
        today.brief_button,
        today.invite_button,
    ):
        assert not b.isEnabled(), b.text()
    group = today.tree.topLevelItem(0)  # a heading: nothing to act on
    today.tree.setCurrentItem(group)
    assert not today.start_button.isEnabled()


def test_today_shows_calls_left_open_and_the_coming_bookings(qtbot, window, demo_ctx):
    from winback_desktop.services.schedule import booking as schedule

    everyone = people.list_people(demo_ctx)
    me = next(p for p in everyone if p.role == "executive")
    cust = roster.roster_page(demo_ctx, text="Harbourline")[0].id
    left_open = calls.start_call(demo_ctx, cust, me.id)
    coming = [
        c
        for c in schedule.agenda(
            demo_ctx, days=8, start=dt.date.today() + dt.timedelta(days=1), person_id=me.id
        )
    ]
    today = window.today
    today.person.setCurrentIndex(today.person.findData(me.id))
    today.day.setDate(dt.date.today())
    today.refresh()
    rows = [today.tree.topLevelItem(i) for i in range(today.tree.topLevelItemCount())]
    titles = [r.text(0) for r in rows if not r.data(0, ROLE)]
    assert any(t.startswith("Calls left open (") for t in titles)
    opened = [r for r in rows if r.data(0, ROLE) and r.data(0, ROLE)[0] == "open"]
    assert [r.data(0, ROLE)[2] for r in opened] == [left_open]
    assert "Left at Initiate" in opened[0].text(3)
    booked = [r.data(0, ROLE)[2] for r in rows if r.data(0, ROLE) and r.data(0, ROLE)[0] == "call"]
    assert {c.call_id for c in coming if (c.local_start.date() - dt.date.today()).days <= 7} <= set(booked)
    assert any(t.startswith("Booked in the next 7 days (") for t in titles)
    today.tree.setCurrentItem(opened[0])
    today.open_button.click()
    qtbot.waitUntil(lambda: left_open in window.call_windows)
    assert not window.call_windows[left_open].read_only
    window.call_windows[left_open].close()


def test_end_call_says_what_was_saved_and_what_happens_next(qtbot, window, demo_ctx):
    window.search.setText("Harbourline")
    window.refresh()
    call = started(qtbot, window)
    call.editor("what_happened").set_value("The new depot keeps missing our slot.")
    call.session.note("initiate", "what_happened", call.editor("what_happened").value)
    call.go_to("close")
    steps = call.editor("next_steps")
    row = steps.add_step()
    qtbot.waitUntil(lambda: not steps.adding)  # the database has made it (a worker thread)
    row.what.setText("Send the delivery plan")
    row.what.textEdited.emit(row.what.text())
    due = dt.date.today() + dt.timedelta(days=7)
    outcome = call.editor("outcome")
    outcome.setCurrentIndex(outcome.findData("open_door"))
    call.editor("next_contact").set_value(dt.date.today() + dt.timedelta(days=30))
    call.session.note("close", "next_contact", call.editor("next_contact").value)
    call.end_call()
    qtbot.waitUntil(lambda: window.end_summary is not None and window.end_summary.isVisible())
    text = window.end_summary.text.text()
    assert "ended and saved" in text and "Door open" in text
    assert "Send the delivery plan" in text and f"{due.day} " in text
    nxt = dt.date.today() + dt.timedelta(days=30)
    assert f"{nxt.day} " in text and str(nxt.year) in text
    window.end_summary.open_button.click()
    qtbot.waitUntil(lambda: call.call_id in window.call_windows)
    assert window.call_windows[call.call_id].read_only
    window.call_windows[call.call_id].close()
    QApplication.processEvents()
