"""Editors for the script's field kinds. Each emits ``changed`` and reads back ``value()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from winback_desktop.script import Field
from winback_desktop.ui.kit.dates import DateEdit, parse_date

NO_ANSWER = "— no answer yet —"  # a choice not made


class NoteEdit(QPlainTextEdit):
    """A multi-line note: Tab moves on (callers tab through fields), Ctrl+Tab types a tab."""

    changed = Signal()

    def __init__(self, f: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setPlaceholderText(f.help or f.label)
        self.setMinimumHeight(70)
        self.textChanged.connect(self.changed)

    def value(self) -> str:
        return self.toPlainText()

    def set_value(self, text: str) -> None:
        if text != self.toPlainText():
            self.blockSignals(True)
            self.setPlainText(text)
            self.blockSignals(False)
            self.moveCursor(QTextCursor.MoveOperation.End)  # a resumed note goes on where it ended


class LineField(QLineEdit):
    changed = Signal()

    def __init__(self, f: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText(f.help or f.label)
        self.textEdited.connect(self.changed)

    def value(self) -> str:
        return self.text()

    def set_value(self, text: str) -> None:
        self.setText(text)


class ChoiceField(QComboBox):
    changed = Signal()

    def __init__(self, f: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.addItem(NO_ANSWER, "")  # no answer given: not the same as an answer "Not yet / maybe"
        for key, label in f.choices:
            self.addItem(label, key)
        if f.help:
            self.setToolTip(f.help)
        self.activated.connect(lambda _i: self.changed.emit())
        self.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def value(self) -> str:
        return self.currentData() or ""

    def set_value(self, key: str) -> None:
        self.blockSignals(True)
        self.setCurrentIndex(max(self.findData(key or ""), 0))
        self.blockSignals(False)


class DateField(DateEdit):
    """A date that may be unset (the kit's DateEdit: typed whole, Alt+Down for the calendar);
    keys never move it before today (a date in a call is a promise or a call-back)."""

    changed = Signal()

    def __init__(self, f: Field | None = None, parent: QWidget | None = None):
        super().__init__(optional=True, earliest=dt.date.today(), parent=parent)
        self.dateChanged.connect(lambda _d: self.changed.emit())

    def value(self) -> str:  # type: ignore[override]  # the text kinds' value(): ISO or ""
        day = super().value()
        return day.isoformat() if day is not None else ""

    def date_value(self) -> dt.date | None:
        return super().value()

    def set_value(self, text: str | dt.date | None) -> None:
        self.blockSignals(True)
        if isinstance(text, dt.date):
            self.set_date(text)
        else:
            self.set_date(parse_date(text) if text else None)  # stored ISO; unreadable: unset
        self.blockSignals(False)


class CheckList(QListWidget):
    """A list of checkable items (Space toggles): used for checklists, reasons and offers."""

    changed = Signal()

    def __init__(self, items: list[tuple[int, str]], parent: QWidget | None = None):
        super().__init__(parent)
        for data, label in items:
            item = QListWidgetItem(label, self)
            item.setData(Qt.ItemDataRole.UserRole, data)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.itemChanged.connect(lambda _i: self.changed.emit())
        rows = max(len(items), 1)
        self.setMaximumHeight(min(rows, 8) * (self.sizeHintForRow(0) + 2) + 6)

    def checked(self) -> list[int]:
        return [
            self.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]

    def checked_labels(self) -> list[str]:
        return [
            self.item(i).text()
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, values: Iterable[int]) -> None:
        wanted = set(values)
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.blockSignals(False)


class ActionRow(QWidget):
    """One next step: what, owner, due date, and a remove button."""

    changed = Signal()
    remove_requested = Signal()

    def __init__(self, action_id: int, people: list[tuple[int, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.action_id = action_id
        self.what = QLineEdit(placeholderText="What will happen (e.g. credit note for the damaged order)")
        self.owner = QComboBox()
        self.owner.addItem("— owner —", None)
        for pid, name in people:
            self.owner.addItem(name, pid)
        self.due = DateField()
        self.due.setToolTip("Due date")
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Remove this next step")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.what, 3)
        layout.addWidget(self.owner, 1)
        layout.addWidget(self.due)
        layout.addWidget(self.remove)
        self.what.textEdited.connect(self.changed)
        self.owner.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.due.changed.connect(self.changed)
        self.remove.clicked.connect(self.remove_requested)

    def set_number(self, n: int) -> None:
        """What a screen reader calls this row's fields: "Next step 2: who does it"."""
        self.what.setAccessibleName(f"Next step {n}: what will happen")
        self.owner.setAccessibleName(f"Next step {n}: who does it")
        self.due.setAccessibleName(f"Next step {n}: due date")
        self.remove.setAccessibleName(f"Remove next step {n}")

    def set_values(self, what: str, owner_id: int | None, due: dt.date | None) -> None:
        self.blockSignals(True)
        self.what.setText(what)
        self.owner.blockSignals(True)
        self.owner.setCurrentIndex(max(self.owner.findData(owner_id), 0))
        self.owner.blockSignals(False)
        self.due.set_value(due)
        self.blockSignals(False)
