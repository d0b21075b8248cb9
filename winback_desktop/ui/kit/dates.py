"""Qt's dates and times to Python's and back, for the pickers (local wall time, no zone)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def pydatetime(when: QDateTime) -> dt.datetime:
    value = when.toPython()  # PySide6's stubs say object; a QDateTime gives a naive datetime
    assert isinstance(value, dt.datetime)
    return value
