"""The app's date fields, and Qt's dates and times to Python's and back (local wall time, no zone).

Qt's QDateEdit edits a date section by section: typing ``2027-01-15`` into ``ddd d MMM yyyy``
gives nonsense (each ``-`` jumps to the next section), Up on an unset date gives 2001-01-01 and
the mouse wheel moves a due date into the past without a word. :class:`DateEdit` is a line edit
instead: what is typed is read as a whole (``2027-01-15``, ``15 Jan 2027``, ``15/1/2027``,
``today``, ``+7``) and shown as the rest of the app writes a date (``Tue 8 Dec 2026``,
``formats.day_month_year``); Alt+Down (or F4) opens the calendar; Up / Down move a day and
Page Up / Page Down a month, never before ``earliest`` (keys never move a due date into the
past); an unset date stays unset (Up starts from today) and emptying the text unsets it.
:class:`DateTimeEdit` is one beside a time field, for bookings and call-backs.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, QPoint, Qt, QTime, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QStyle,
    QTableView,
    QTimeEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.formats import MONTHS, day_month_year
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.actions import Keys

DateLike = QDate | dt.date | None
DATE_KEYS = (  # for the F1 lists (kit/actions.Keys)
    Keys("Alt+Down / F4", "In a date field: open the calendar (Enter picks, Escape leaves it)"),
    Keys("Up / Down", "In a date field: a day later / earlier (never into the past for a due date)"),
    Keys("Page Up / Page Down", "In a date field: a month later / earlier"),
)
HINT = "Type a date (2027-01-15, 15 Jan 2027, 15/1/2027, today, +7) or press Alt+Down for the calendar"


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def pydatetime(when: QDateTime) -> dt.datetime:
    value = when.toPython()  # PySide6's stubs say object; a QDateTime gives a naive datetime
    assert isinstance(value, dt.datetime)
    return value


# ------------------------------------------------------------------ reading what is typed
_MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(MONTHS, start=1)}
_MONTH_NUMBERS.update({name[:3].lower(): i for i, name in enumerate(MONTHS, start=1)})
_MONTH_NUMBERS["sept"] = 9
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_WORDS = re.compile(r"(?:[a-z]+,?\s+)?(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})")  # (Tue) 8 Dec 2026
_MONTH_FIRST = re.compile(r"(?:[a-z]+,?\s+)?([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")  # (Tue) Dec 8, 2026
_RELATIVE = re.compile(r"\+\s*(\d{1,4})\s*([dw]?)")


def parse_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """The date ``text`` names, or None when it names none (a partial or impossible date).

    Year first (``2027-01-15``), day first (``15/01/2027``, ``15.1.2027``: the app writes the day
    first), in words (``15 Jan 2027``, ``Tue 8 Dec 2026``, ``Dec 8, 2026``), ``today``,
    ``tomorrow`` and ``+N`` days / ``+Nw`` weeks from today."""
    text = " ".join(text.strip().lower().split())
    today = today or dt.date.today()
    if text in ("today", "tomorrow"):
        return today + dt.timedelta(days=text == "tomorrow")
    parts: tuple[int, int, int] | None = None
    if m := _RELATIVE.fullmatch(text):
        days = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
        return today + dt.timedelta(days=days)
    if m := _ISO.fullmatch(text):
        parts = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _DAY_FIRST.fullmatch(text):
        parts = int(m.group(3)), int(m.group(2)), int(m.group(1))
    elif (m := _WORDS.fullmatch(text)) and m.group(2) in _MONTH_NUMBERS:
        parts = int(m.group(3)), _MONTH_NUMBERS[m.group(2)], int(m.group(1))
    elif (m := _MONTH_FIRST.fullmatch(text)) and m.group(1) in _MONTH_NUMBERS:
        parts = int(m.group(3)), _MONTH_NUMBERS[m.group(1)], int(m.group(2))
    if parts is None:
        return None
    try:
        return dt.date(*parts)
    except ValueError:  # 31 Feb
        return None


def date_text(day: dt.date | None) -> str:
    """A date as the field shows it: ``Tue 8 Dec 2026`` (the printed sheets' style)."""
    return day_month_year(day, weekday=True)


def _as_date(value: DateLike) -> dt.date | None:
    if isinstance(value, QDate):
        return pydate(value) if value.isValid() else None
    return value


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


# ------------------------------------------------------------------ the widgets
_STEPS = {  # key -> (days, months)
    Qt.Key.Key_Up: (1, 0),
    Qt.Key.Key_Down: (-1, 0),
    Qt.Key.Key_PageUp: (0, 1),
    Qt.Key.Key_PageDown: (0, -1),
}


class DateEdit(QLineEdit):
    """One date, typed as a whole or picked from the calendar (see the module docstring).

    ``date()`` is a QDate (invalid when unset) as QDateEdit's is, ``value()`` a ``dt.date`` or
    None; ``dateChanged`` carries the new QDate (invalid when unset) each time the date changes.
    ``optional``: the date may be unset (empty). ``earliest``: keys and the calendar go no
    earlier (a date stored earlier still shows as it is, and a typed one is taken as typed)."""

    dateChanged = Signal(QDate)  # noqa: N815 - the name QDateEdit gives it

    def __init__(
        self,
        value: DateLike = None,
        *,
        optional: bool = False,
        earliest: dt.date | None = None,
        unset_text: str = "not set",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.optional, self.earliest = optional, earliest
        self._value = _as_date(value)
        if self._value is None and not optional:
            self._value = dt.date.today()
        self.setPlaceholderText(unset_text if optional else "")
        self.setToolTip(HINT)
        calendar = self.addAction(
            self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown),
            QLineEdit.ActionPosition.TrailingPosition,
        )
        calendar.setToolTip("Calendar (Alt+Down)")
        calendar.triggered.connect(self.show_calendar)
        self.popup: CalendarPopup | None = None
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("Wed 28 Sep 2026") + 48)
        self.textEdited.connect(self._typed)
        self.editingFinished.connect(self._tidy)
        self._show()

    # -- QDateEdit's words, so screens read the same either way
    def date(self) -> QDate:
        return qdate(self._value) if self._value is not None else QDate()

    def setDate(self, value: DateLike) -> None:  # noqa: N802 - QDateEdit's name
        self.set_date(_as_date(value))

    def setMinimumDate(self, value: DateLike) -> None:  # noqa: N802 - QDateEdit's name
        self.earliest = _as_date(value)

    def value(self) -> dt.date | None:
        return self._value

    def set_date(self, day: dt.date | None) -> None:
        """Show ``day`` (None: unset, when optional); ``dateChanged`` when it differs."""
        if day is None and not self.optional:
            day = self._value or dt.date.today()
        changed = day != self._value
        self._value = day
        self._show()
        if changed:
            self.dateChanged.emit(self.date())

    def _show(self) -> None:
        self.setText(date_text(self._value))
        self._mark(False)

    def _typed(self, text: str) -> None:
        if not text.strip():
            if self.optional:
                self._set_quietly(None)
            return
        day = parse_date(text)
        self._mark(day is None)
        if day is not None:
            self._set_quietly(day)

    def _mark(self, not_a_date: bool) -> None:
        """Outline the field while what is typed is no date (yet)."""
        rule = f"QLineEdit {{ border: 1px solid {palette.colour('BAD_FIELD')}; }}" if not_a_date else ""
        if self.styleSheet() != rule:
            self.setStyleSheet(rule)

    def _set_quietly(self, day: dt.date | None) -> None:
        """The typed date taken without rewriting the text under the cursor."""
        if day != self._value:
            self._value = day
            self.dateChanged.emit(self.date())

    def _tidy(self) -> None:
        """Leaving the field: a readable date again, and a word when what was typed was none."""
        typed = self.text().strip()
        if typed and parse_date(typed) is None:
            kept = date_text(self._value) or "no date"
            QToolTip.showText(
                self.mapToGlobal(QPoint(0, self.height())), f"“{typed}” is not a date: kept {kept}.", self
            )
        self._show()

    def step(self, days: int = 0, months: int = 0) -> None:
        """Up / Down and Page Up / Page Down: from the date shown (today when unset), never
        before ``earliest``."""
        start = self._value or dt.date.today()
        day = _add_months(start, months) + dt.timedelta(days=days) if self._value else start
        if self.earliest is not None and day < self.earliest:
            forward = self._value is None or days > 0 or months > 0
            day = self.earliest if forward else start  # an overdue date is not moved back further
        self.set_date(day)
        self.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, mods = event.key(), event.modifiers()
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        if (key == Qt.Key.Key_Down and alt) or key == Qt.Key.Key_F4:
            self.show_calendar()
            return
        step = _STEPS.get(Qt.Key(key))
        if step is not None and not alt:
            self.step(*step)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        if self.popup is None or not self.popup.isVisible():
            self._tidy()

    def show_calendar(self) -> None:
        """The calendar under the field: arrows move, Enter picks, Escape leaves it as it was."""
        self.popup = CalendarPopup(self)
        self.popup.show_for(self)


class CalendarPopup(QWidget):
    """A month calendar in a pop-up under its field."""

    def __init__(self, field: DateEdit):
        super().__init__(field, Qt.WindowType.Popup)
        self.field = field
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(True)
        self.calendar.setAccessibleName("Calendar")
        if field.earliest is not None:
            self.calendar.setMinimumDate(qdate(field.earliest))
        self.calendar.setSelectedDate(field.date() if field.value() else QDate.currentDate())
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.calendar)
        view = self.calendar.findChild(QTableView)  # the days grid, where the keys go
        assert view is not None
        self.view: QTableView = view
        self.view.installEventFilter(self)

    def show_for(self, field: QWidget) -> None:
        self.adjustSize()
        where = field.mapToGlobal(QPoint(0, field.height()))
        screen = field.screen().availableGeometry()
        x = min(max(where.x(), screen.left()), screen.right() - self.width())
        y = (
            where.y()
            if where.y() + self.height() <= screen.bottom()
            else where.y() - field.height() - self.height()
        )
        self.move(x, max(y, screen.top()))
        self.show()
        self.view.setFocus(Qt.FocusReason.PopupFocusReason)

    def _pick(self, day: QDate) -> None:
        self.field.setDate(day)
        self.close()
        self.field.setFocus(Qt.FocusReason.PopupFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape:
                self.close()
                self.field.setFocus(Qt.FocusReason.PopupFocusReason)
                return True
        return super().eventFilter(watched, event)


class TimeEdit(QTimeEdit):
    """Hours and minutes; Tab leaves the field (QTimeEdit would step to the minutes)."""

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 - Qt override
        return QWidget.focusNextPrevChild(self, forward)


class DateTimeEdit(QWidget):
    """A day and a time beside it (a booking, a call-back), read as QDateTimeEdit's are."""

    dateTimeChanged = Signal(QDateTime)  # noqa: N815 - the name QDateTimeEdit gives it

    def __init__(self, when: dt.datetime, *, earliest: dt.date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.day = DateEdit(when.date(), earliest=earliest)
        self.time = TimeEdit(QTime(when.hour, when.minute))
        self.time.setDisplayFormat("HH:mm")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.day, 1)
        layout.addWidget(self.time)
        self.setFocusProxy(self.day)
        self.day.dateChanged.connect(lambda _d: self.dateTimeChanged.emit(self.dateTime()))
        self.time.timeChanged.connect(lambda _t: self.dateTimeChanged.emit(self.dateTime()))

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - Qt's name
        super().setAccessibleName(name)
        self.day.setAccessibleName(f"{name}: day")
        self.time.setAccessibleName(f"{name}: time")

    def dateTime(self) -> QDateTime:  # noqa: N802 - QDateTimeEdit's name
        return QDateTime(self.day.date(), self.time.time())

    def setDateTime(self, when: QDateTime | dt.datetime) -> None:  # noqa: N802 - QDateTimeEdit's name
        if isinstance(when, dt.datetime):
            when = QDateTime(qdate(when.date()), QTime(when.hour, when.minute))
        self.day.setDate(when.date())
        self.time.setTime(when.time())

    def value(self) -> dt.datetime:
        return pydatetime(self.dateTime())
