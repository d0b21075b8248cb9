"""The app's date fields under real key presses: a typed date is kept whole, Alt+Down opens the
calendar, keys never move a date into the past, an unset date stays unset until asked."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from winback_desktop.ui.call.fields import DateField
from winback_desktop.ui.kit.dates import DateEdit, DateTimeEdit, date_text, parse_date

TODAY = dt.date.today()


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2027-01-15", dt.date(2027, 1, 15)),
        ("2027/1/5", dt.date(2027, 1, 5)),
        ("15/01/2027", dt.date(2027, 1, 15)),
        ("15.1.2027", dt.date(2027, 1, 15)),
        ("15 Jan 2027", dt.date(2027, 1, 15)),
        ("Fri 15 January 2027", dt.date(2027, 1, 15)),
        ("Jan 15, 2027", dt.date(2027, 1, 15)),
        ("  15   sept 2027 ", dt.date(2027, 9, 15)),
        ("2027-02-31", None),
        ("2027-01", None),
        ("15 Foo 2027", None),
        ("", None),
    ],
)
def test_what_is_typed_is_read_as_a_whole_date(typed, meant):
    assert parse_date(typed) == meant


def test_relative_words_count_from_today():
    assert parse_date("today", TODAY) == TODAY
    assert parse_date("tomorrow", TODAY) == TODAY + dt.timedelta(days=1)
    assert parse_date("+7", TODAY) == TODAY + dt.timedelta(days=7)
    assert parse_date("+2w", TODAY) == TODAY + dt.timedelta(days=14)


def test_a_date_reads_like_the_rest_of_the_app():
    assert date_text(dt.date(2026, 12, 8)) == "Tue 8 Dec 2026"


def test_typing_an_iso_date_keeps_that_date_and_shows_it_in_words(qtbot):
    field = DateEdit(dt.date(2026, 12, 8))
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    field.selectAll()
    with qtbot.waitSignal(field.dateChanged):
        qtbot.keyClicks(field, "2027-01-15")
    assert field.value() == dt.date(2027, 1, 15)
    assert field.text() == "2027-01-15"  # not rewritten under the cursor while typing
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "Fri 15 Jan 2027"
    assert field.date().toString("yyyy-MM-dd") == "2027-01-15"


def test_an_unset_date_stays_unset_and_up_starts_from_today(qtbot):
    field = DateField()
    qtbot.addWidget(field)
    field.show()
    assert field.value() == "" and field.text() == "" and field.placeholderText() == "not set"
    field.setFocus()
    seen = []
    field.changed.connect(lambda: seen.append(field.value()))
    qtbot.keyClick(field, Qt.Key.Key_Tab)  # leaving an unset field leaves it unset
    assert field.value() == "" and seen == []
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Up)
    assert field.date_value() == TODAY  # not 2001-01-01
    assert seen == [TODAY.isoformat()]
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)  # emptied: unset again
    assert field.value() == ""


def test_keys_never_move_a_due_date_into_the_past(qtbot):
    field = DateField()
    qtbot.addWidget(field)
    field.set_value(TODAY + dt.timedelta(days=1))
    field.show()
    field.setFocus()
    for _ in range(3):
        qtbot.keyClick(field, Qt.Key.Key_Down)
    assert field.date_value() == TODAY
    qtbot.keyClick(field, Qt.Key.Key_PageDown)
    assert field.date_value() == TODAY
    qtbot.keyClick(field, Qt.Key.Key_PageUp)
    assert field.date_value() > TODAY
    overdue = TODAY - dt.timedelta(days=30)
    field.set_value(overdue)  # a stored date in the past shows as it is ...
    assert field.date_value() == overdue
    qtbot.keyClick(field, Qt.Key.Key_Down)  # ... and Down does not move it further back
    assert field.date_value() == overdue


def test_alt_down_opens_the_calendar_and_enter_picks_a_day(qtbot):
    field = DateEdit(dt.date(2027, 1, 15))
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = field.popup
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    assert popup.calendar.selectedDate().toString("yyyy-MM-dd") == "2027-01-15"
    qtbot.keyClick(popup.view, Qt.Key.Key_Right)
    qtbot.keyClick(popup.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert field.value() == dt.date(2027, 1, 16)
    assert field.text() == "Sat 16 Jan 2027"


def test_escape_leaves_the_calendar_without_changing_the_date(qtbot):
    field = DateEdit(dt.date(2027, 1, 15))
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_F4)
    popup = field.popup
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup.view, Qt.Key.Key_Right)
    qtbot.keyClick(popup.view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert field.value() == dt.date(2027, 1, 15)


def test_what_is_no_date_is_said_and_the_date_kept(qtbot):
    field = DateEdit(dt.date(2027, 1, 15))
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "next tuesday")
    assert "border" in field.styleSheet()  # outlined while it is no date
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.styleSheet() == ""
    assert field.value() == dt.date(2027, 1, 15)
    assert field.text() == "Fri 15 Jan 2027"


def test_a_booking_time_reads_back_as_a_datetime(qtbot):
    box = QWidget()
    layout = QVBoxLayout(box)
    when = DateTimeEdit(dt.datetime(2027, 1, 15, 10, 0), earliest=TODAY)
    after = QLineEdit()
    layout.addWidget(when)
    layout.addWidget(after)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    box.activateWindow()
    when.day.setFocus()
    when.day.selectAll()
    qtbot.keyClicks(when.day, "2027-03-02")
    qtbot.keyClick(when.day, Qt.Key.Key_Tab)
    qtbot.waitUntil(when.time.hasFocus)
    qtbot.keyClick(when.time, Qt.Key.Key_Up)  # the hour section
    assert when.value() == dt.datetime(2027, 3, 2, 11, 0)
    qtbot.keyClick(when.time, Qt.Key.Key_Tab)  # Tab leaves the time, not steps to its minutes
    qtbot.waitUntil(after.hasFocus)
