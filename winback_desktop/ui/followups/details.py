"""The follow-up board's side pieces: the selected promise in full, and the due-date picker."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.services.followups.board import NO_OWNER_LABEL, FollowUp
from winback_desktop.ui.followups.model import call_words, status_words
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.dates import DateEdit
from winback_desktop.ui.kit.format import short_date
from winback_desktop.ui.kit.widgets import buddy_label, with_name, with_tip


def short_line(text: str, limit: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class DueDateDialog(QDialog):
    """Pick a due date (calendar pop-up, quick +1 week), or none at all."""

    def __init__(self, current: dt.date | None, what: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Due date")
        start = current or dt.date.today() + dt.timedelta(days=7)
        self.date = DateEdit(start, earliest=min(start, dt.date.today()))
        self.week_later = with_tip(QPushButton("+1 week"), "Move the date on by a week")
        self.none = QCheckBox("&No due date")
        label = QLabel(f"When is “{short_line(what)}” due?" if what else "When is it due?")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        self.setMinimumWidth(380)
        row = QHBoxLayout()
        row.addWidget(buddy_label("&Due", self.date))
        row.addWidget(self.date, 1)
        row.addWidget(self.week_later)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addWidget(self.none)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.week_later.clicked.connect(lambda: self.date.setDate(self.date.date().addDays(7)))
        self.none.toggled.connect(self._no_date_toggled)
        ready(self, "due_date")
        self.date.setFocus()

    def _no_date_toggled(self, on: bool) -> None:
        self.date.setEnabled(not on)
        self.week_later.setEnabled(not on)

    def value(self) -> dt.date | None:
        if self.none.isChecked():
            return None
        d = self.date.date()
        return dt.date(d.year(), d.month(), d.day())

    @classmethod
    def ask(
        cls, parent: QWidget | None, current: dt.date | None, what: str = ""
    ) -> tuple[dt.date | None, bool]:
        """(the chosen date or None, True) when confirmed; (None, False) when cancelled."""
        dialog = cls(current, what, parent)
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        return (dialog.value(), True) if ok else (None, False)


class FollowUpDetails(QFrame):
    """The selected promise in full: who, what, by when, from which call, and the note."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("details")
        self.setMinimumWidth(240)
        self.title = with_name(QLabel(wordWrap=True), "detailsTitle")
        self.what = QLabel(wordWrap=True)
        self.what.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel(wordWrap=True)
        self.note = QLabel(wordWrap=True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.title, self.what, self.facts, self.note):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addSpacing(4)
        layout.addWidget(self.what)
        layout.addSpacing(8)
        layout.addWidget(self.facts)
        layout.addSpacing(8)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.show_item(None)

    def show_item(self, f: FollowUp | None, empty: str = "Select a follow-up") -> None:
        e = html.escape
        if f is None:
            self.title.setText(f"<i>{e(empty)}</i>")
            for label in (self.what, self.facts, self.note):
                label.setText("")
            return
        phone = e(f.phone).replace(" ", "&nbsp;")  # a number never breaks across lines
        contact = " · ".join(x for x in (e(f.contact), phone) if x)
        self.title.setText(f"<h3 style='margin:0'>{e(f.company)}</h3>{contact}")
        self.what.setText(f"<p style='font-size:11pt'>{e(f.what).replace(chr(10), '<br>')}</p>")
        status = e(status_words(f, with_due=False))
        if f.overdue:
            status = f"<b style='color:{palette.colour('OVERDUE')}'>{status}</b>"
        self.facts.setText(
            f"<b>Owner</b>&nbsp; {e(f.owner_name or NO_OWNER_LABEL)}<br>"
            f"<b>Due</b>&nbsp; {e(short_date(f.due_date)) if f.due_date else 'no date'}<br>"
            f"<b>Status</b>&nbsp; {status}<br>"
            f"<span style='color:{palette.colour('HINT')}'>{e(call_words(f))}</span>"
        )
        if f.done_note:
            heading = "Done note" if f.status == "done" else "Note"
            self.note.setText(f"<b>{heading}</b><br>{e(f.done_note).replace(chr(10), '<br>')}")
        else:
            quiet = f"<span style='color:{palette.colour('HINT')}'>No note yet.</span>"
            self.note.setText(quiet if f.status == "done" else "")
