"""Book a recovery call: when, how long, who leads, who partners; double booking is warned."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.services.context import AppContext
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.services.vocab import Role
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.dates import DateTimeEdit, pydatetime
from winback_desktop.ui.kit.jobs import WriteJob
from winback_desktop.ui.kit.widgets import with_name


def next_slot(now: dt.datetime | None = None) -> dt.datetime:
    """Tomorrow at 10:00 local: a calm default the caller adjusts."""
    now = now or dt.datetime.now()
    return dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(10, 0))


class ScheduleDialog(QDialog):
    def __init__(self, ctx: AppContext, customer_id: int, company: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.customer_id = ctx, customer_id
        self.result_value: schedule.ScheduleResult | None = None
        self.job: WriteJob | None = None  # the booking, on its way to the database
        self.setWindowTitle(f"Schedule a call — {company}")
        when = next_slot()
        self.when = DateTimeEdit(when, earliest=dt.date.today())
        self.minutes = QSpinBox(suffix=" min", minimum=5, maximum=schedule.MAX_MINUTES, singleStep=5)
        self.minutes.setValue(schedule.DEFAULT_MINUTES)
        self.leader = QComboBox()
        self.partner = QComboBox()
        self.partner.addItem("— no partner —", None)
        for p in people.list_people(ctx):
            if p.role in (Role.EXECUTIVE, Role.CALLER):
                self.leader.addItem(f"{p.name} ({p.role_label})", p.id)
            if p.role == Role.PARTNER:
                self.partner.addItem(p.name, p.id)
        me = people.current_user(ctx)
        if me is not None and self.leader.findData(me.id) >= 0:
            self.leader.setCurrentIndex(self.leader.findData(me.id))
        if self.partner.count() > 1:
            self.partner.setCurrentIndex(1)
        self.warning = with_name(QLabel(wordWrap=True), "warning")
        self.warning.setStyleSheet(f"color: {palette.colour('WARNING_TEXT')};")
        form = QFormLayout()
        form.addRow("&When", self.when)
        form.addRow("&Length", self.minutes)
        form.addRow("Lea&ds the call", self.leader)
        form.addRow("&Partner", self.partner)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(self.buttons)
        for signal in (
            self.when.dateTimeChanged,
            self.minutes.valueChanged,
            self.leader.currentIndexChanged,
            self.partner.currentIndexChanged,
        ):
            signal.connect(self.check)
        self.check()
        ready(self, "schedule")

    def chosen_time(self) -> dt.datetime:
        return pydatetime(self.when.dateTime())

    def check(self, *_args: object) -> list[schedule.Conflict]:
        """Warn, before saving, when the leader or partner is already booked then."""
        leader = self.leader.currentData()
        if leader is None:
            self.warning.setText("Choose who leads the call.")
            return []
        conflicts = schedule.find_conflicts(
            self.ctx, self.chosen_time(), self.minutes.value(), leader, self.partner.currentData()
        )
        self.warning.setText("\n".join(f"⚠ {c.message}" for c in conflicts) if conflicts else "")
        return conflicts

    def save(self) -> WriteJob | None:
        """Book on a worker thread (a busy database never freezes the window); the dialog
        closes once booked, and stays open, with nothing booked, when the database refused."""
        leader = self.leader.currentData()
        if leader is None or self.job is not None:
            return None
        ctx, customer_id, when, minutes = self.ctx, self.customer_id, self.chosen_time(), self.minutes.value()
        partner = self.partner.currentData()
        self.job = WriteJob(
            self,
            ctx,
            lambda: schedule.schedule_call(ctx, customer_id, when, minutes, leader, partner),
            doing="Booking the call…",
            not_done="The call was not booked",
            title="Call not booked",
        )
        self.buttons.setEnabled(False)
        self.job.done.connect(self._booked)
        self.job.refused.connect(self._refused)
        return self.job

    def _booked(self, result: object) -> None:
        self.job = None
        assert isinstance(result, schedule.ScheduleResult)
        self.result_value = result
        self.accept()

    def _refused(self, _why: str) -> None:
        self.job = None
        self.buttons.setEnabled(True)
