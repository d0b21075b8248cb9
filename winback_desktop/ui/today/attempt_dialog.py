"""Log a try that did not (or did) reach the customer: the disposition decides what happens next."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.services.calls import attempts
from winback_desktop.services.context import AppContext
from winback_desktop.services.people import team as people
from winback_desktop.services.vocab import Disposition
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.dates import DateTimeEdit, pydatetime
from winback_desktop.ui.kit.jobs import WriteJob
from winback_desktop.ui.kit.widgets import buddy_label


def outcome_text(result: attempts.AttemptResult) -> str:
    """What the attempt set in motion, in words for the status bar."""
    parts = [f"Logged: {Disposition(result.disposition).label.lower()}."]
    if result.verify_contact_flagged:
        parts.append("The contact details are flagged to be verified.")
    if result.call_back is not None:
        parts.append("The call-back is on the schedule.")
        if result.call_back.double_booked:
            parts.append("Note: it overlaps another booking.")
    if result.flag_for_decision:
        parts.append(f"{result.failed_in_row} failed tries in a row: decide whether to keep pursuing.")
    return " ".join(parts)


class AttemptDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        customer_id: int,
        company: str,
        call_id: int | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ctx, self.customer_id, self.call_id = ctx, customer_id, call_id
        self.result_value: attempts.AttemptResult | None = None
        self.job: WriteJob | None = None  # the attempt, on its way to the database
        self.setWindowTitle(f"Log an attempt — {company}")
        self.group = QButtonGroup(self)
        self.buttons_by_code: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What happened when you called?"))
        for i, (code, label) in enumerate(Disposition.choices(), start=1):
            button = QRadioButton(f"&{i} {label}")
            self.group.addButton(button)
            self.buttons_by_code[code] = button
            layout.addWidget(button)
        self.buttons_by_code["no_answer"].setChecked(True)
        when = dt.datetime.now() + dt.timedelta(days=1)
        self.call_back_at = DateTimeEdit(
            dt.datetime.combine(when.date(), dt.time(10, 0)), earliest=dt.date.today()
        )
        row = QHBoxLayout()
        row.addSpacing(24)
        row.addWidget(buddy_label("Call &back at", self.call_back_at))
        row.addWidget(self.call_back_at, 1)
        layout.addLayout(row)
        self.note = QLineEdit(placeholderText="Note (optional): who answered, best time to call…")
        layout.addWidget(self.note)
        self.buttons = buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.group.buttonToggled.connect(self._toggle_call_back)
        self._toggle_call_back()
        ready(self, "attempt")

    def disposition(self) -> str:
        return next(code for code, b in self.buttons_by_code.items() if b.isChecked())

    def _toggle_call_back(self, *_args: object) -> None:
        self.call_back_at.setEnabled(self.disposition() == "call_back")

    def save(self) -> WriteJob | None:
        """Log it on a worker thread (a busy database never freezes the window); the dialog
        closes once logged, and stays open, with nothing logged, when the database refused."""
        if self.job is not None:
            return None
        ctx, customer_id, call_id, note = self.ctx, self.customer_id, self.call_id, self.note.text()
        disposition = self.disposition()
        back = pydatetime(self.call_back_at.dateTime()) if disposition == "call_back" else None

        def work() -> attempts.AttemptResult:
            me = people.current_user(ctx)
            person = me.id if me else None
            return attempts.log_attempt(
                ctx, customer_id, disposition, person_id=person, call_id=call_id, note=note, call_back_at=back
            )

        self.job = WriteJob(
            self,
            ctx,
            work,
            doing="Logging the attempt…",
            not_done="The attempt was not logged",
            title="Not logged",
        )
        self.buttons.setEnabled(False)
        self.job.done.connect(self._logged)
        self.job.refused.connect(self._refused)
        return self.job

    def _logged(self, result: object) -> None:
        self.job = None
        assert isinstance(result, attempts.AttemptResult)
        self.result_value = result
        self.accept()

    def _refused(self, _why: str) -> None:
        self.job = None
        self.buttons.setEnabled(True)
