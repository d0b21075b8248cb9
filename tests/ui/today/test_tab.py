"""The Today tab, booking a call (with double-booking warnings) and logging attempts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from sqlalchemy import select

from tests.helpers.dialogs import answer
from winback_desktop.services import roster
from winback_desktop.services.calls import attempts
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.store.models import Call
from winback_desktop.ui.main_window import MainWindow
from winback_desktop.ui.today.attempt_dialog import AttemptDialog, outcome_text
from winback_desktop.ui.today.schedule_dialog import ScheduleDialog
from winback_desktop.ui.today.tab import ROLE


@pytest.fixture
def window(qtbot, demo_ctx):
    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def customer(ctx, text):
    return roster.roster_page(ctx, text=text)[0]


def rows(tab):
    return [tab.tree.topLevelItem(i) for i in range(tab.tree.topLevelItemCount())]


def test_today_lists_my_booked_calls_and_ctrl2_shows_it(qtbot, window, demo_ctx):
    agenda = schedule.agenda(demo_ctx, days=14)
    first = agenda[0]
    window.today.person.setCurrentIndex(window.today.person.findData(first.leader_id))
    window.today.day.setDate(QDate(first.local_start.year, first.local_start.month, first.local_start.day))
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.today
    shown = [r.text(1) for r in rows(window.today) if r.data(0, ROLE) and r.data(0, ROLE)[0] == "call"]
    assert first.company in shown
    groups = [r.text(0) for r in rows(window.today) if not r.data(0, ROLE)]
    assert groups[0].startswith("Overdue follow-ups (") and groups[1].startswith("My calls (")


def test_booking_warns_about_double_booking_and_shows_on_today(qtbot, window, demo_ctx):
    a, b = customer(demo_ctx, "Meridian"), customer(demo_ctx, "Harbourline")
    leader = next(p for p in people.list_people(demo_ctx) if p.role == "executive")
    when = dt.datetime.combine(dt.date.today() + dt.timedelta(days=20), dt.time(14, 0))
    schedule.schedule_call(demo_ctx, a.id, when, 60, leader.id)

    dialog = ScheduleDialog(demo_ctx, b.id, b.company)
    qtbot.addWidget(dialog)
    dialog.leader.setCurrentIndex(dialog.leader.findData(leader.id))
    dialog.when.setDateTime(QDateTime(when.date(), QTime(14, 30)))
    assert "Meridian" in dialog.warning.text()  # warned before saving
    dialog.when.setDateTime(QDateTime(when.date(), QTime(15, 0)))  # back to back is fine
    assert dialog.warning.text() == ""
    dialog.save()  # booked on a worker thread
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    assert not dialog.result_value.double_booked
    booked = schedule.agenda_item(demo_ctx, dialog.result_value.call_id)
    assert booked.company == b.company and booked.local_start.hour == 15

    window.today.person.setCurrentIndex(window.today.person.findData(leader.id))
    window.today.day.setDate(QDate(when.year, when.month, when.day))
    companies = [r.text(1) for r in rows(window.today)]
    assert a.company in companies and b.company in companies


def test_logging_a_call_back_puts_it_on_the_schedule(qtbot, window, demo_ctx):
    c = customer(demo_ctx, "Harbourline")
    caller = next(p for p in people.list_people(demo_ctx) if p.role == "caller")
    people.set_current_user(demo_ctx, caller.id)
    dialog = AttemptDialog(demo_ctx, c.id, c.company)
    qtbot.addWidget(dialog)
    dialog.buttons_by_code["call_back"].setChecked(True)
    assert dialog.call_back_at.isEnabled()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    dialog.call_back_at.setDateTime(QDateTime(tomorrow, QTime(9, 30)))
    dialog.note.setText("Ask for Grace after the morning delivery")
    dialog.save()  # logged on a worker thread
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    result = dialog.result_value
    assert result.call_back is not None
    booked = schedule.agenda_item(demo_ctx, result.call_back.call_id)
    assert booked.leader_id == caller.id and booked.local_start.hour == 9 and booked.local_start.minute == 30
    assert "on the schedule" in outcome_text(result)


def test_wrong_number_flags_verify_and_failures_flag_a_decision(qtbot, demo_ctx):
    c = customer(demo_ctx, "Meridian")
    for code in ("no_answer", "voicemail", "wrong_number"):
        dialog = AttemptDialog(demo_ctx, c.id, c.company)
        qtbot.addWidget(dialog)
        dialog.buttons_by_code[code].setChecked(True)
        dialog.save()
        qtbot.waitUntil(lambda d=dialog: d.result_value is not None)
    result = dialog.result_value
    assert result.verify_contact_flagged and result.flag_for_decision
    text = outcome_text(result)
    assert "verified" in text and "decide" in text
    assert customer(demo_ctx, "Meridian").verify_contact
    assert [a.disposition for a in attempts.attempts_for(demo_ctx, c.id)][:3] == [
        "wrong_number",
        "voicemail",
        "no_answer",
    ]


def test_invitation_and_agenda_are_real_calendars(qtbot, window, demo_ctx, tmp_path):
    first = schedule.agenda(demo_ctx, days=14)[0]
    tab = window.today
    tab.person.setCurrentIndex(tab.person.findData(first.leader_id))
    tab.day.setDate(QDate(first.local_start.year, first.local_start.month, first.local_start.day))
    item = next(r for r in rows(tab) if r.data(0, ROLE) and r.data(0, ROLE)[2] == first.call_id)
    tab.tree.setCurrentItem(item)
    invite = Calendar.from_ical(tab.save_invitation(tmp_path / "invite.ics").read_bytes())
    events = list(invite.walk("VEVENT"))
    assert len(events) == 1 and first.company in str(events[0]["SUMMARY"])
    agenda = Calendar.from_ical(tab.save_agenda(tmp_path / "agenda.ics").read_bytes())
    assert any(first.company in str(e["SUMMARY"]) for e in agenda.walk("VEVENT"))


def test_brief_and_day_sheets_open_as_previews(qtbot, window, demo_ctx):
    first = schedule.agenda(demo_ctx, days=14)[0]
    tab = window.today
    tab.person.setCurrentIndex(tab.person.findData(first.leader_id))
    tab.day.setDate(QDate(first.local_start.year, first.local_start.month, first.local_start.day))
    item = next(r for r in rows(tab) if r.data(0, ROLE) and r.data(0, ROLE)[2] == first.call_id)
    tab.tree.setCurrentItem(item)
    brief = tab.show_brief()
    assert brief is not None and brief.document.pageCount() == 1
    text = PdfReader(io.BytesIO(brief.data)).pages[0].extract_text()
    assert first.company in text and "Earn the right to help" in text
    # a day of bookings not yet held: no empty action sheets, the brief is its paper
    seen: list[str] = []
    answer("OK", seen)
    assert tab.show_day_sheets() is None
    assert seen and "No calls held for " in seen[0] and "brief" in seen[0]
    # a day with a call held: its sheet
    with demo_ctx.sessions() as s:
        ended = s.scalar(select(Call.ended_at).where(Call.status == "completed").order_by(Call.ended_at))
    held = ended.replace(tzinfo=dt.UTC).astimezone().date()
    tab.day.setDate(QDate(held.year, held.month, held.day))
    sheets = tab.show_day_sheets()
    assert sheets is not None and sheets.document.pageCount() >= 1


def test_three_failed_tries_show_under_needs_a_decision(qtbot, window, demo_ctx):
    c = customer(demo_ctx, "Meridian")
    for code in ("no_answer", "voicemail", "no_answer"):
        attempts.log_attempt(demo_ctx, c.id, code)
    window.today.refresh()
    flagged = [r for r in rows(window.today) if r.data(0, ROLE) and r.data(0, ROLE)[0] == "decide"]
    assert [r.text(1) for r in flagged] == [c.company]


def test_start_asks_who_is_here_once(qtbot, window, demo_ctx, monkeypatch):
    from winback_desktop.ui.people import dialog as people_dialog

    asked = []
    executive = next(p for p in people.list_people(demo_ctx) if p.role == "executive")

    def choose(ctx, parent):
        asked.append(True)
        people.set_current_user(ctx, executive.id)
        return executive

    monkeypatch.setattr(people_dialog, "ask_current_user", choose)
    assert people.current_user(demo_ctx) is None  # showing a default caller remembers nothing
    window.ask_who_is_here()
    assert asked == [True] and people.current_user(demo_ctx).id == executive.id
    assert window.caller.currentData() == executive.id
    window.ask_who_is_here()
    assert asked == [True]  # not asked again
