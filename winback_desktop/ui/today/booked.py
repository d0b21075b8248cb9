"""Starting a call with a customer whose call is booked for other people: ask, never take the
booking over silently (the rule: ``services.calls.lifecycle.start_call``)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from winback_desktop.formats import short_date
from winback_desktop.services.calls.lifecycle import Booked
from winback_desktop.services.schedule.booking import AgendaItem

TAKE, SEPARATE = "&Take this booked call", "Start a &separate call"


def booked_text(booking: AgendaItem) -> str:
    start = booking.local_start
    people = booking.leader_name or "someone else"
    if booking.partner_name:
        people += f" with {booking.partner_name} as partner"
    return (
        f"A call with {booking.company} is booked for {people} on "
        f"{short_date(start.date())} at {start:%H:%M}."
    )


def ask_booked(parent: QWidget, booking: AgendaItem, caller: str) -> Booked | None:
    """Take the booked call (it becomes ``caller``'s), start a separate one, or None (cancel)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Call booked for someone else")
    box.setText(booked_text(booking))
    box.setInformativeText(
        f"Take this booked call: it starts now, led by {caller or 'you'}.\n"
        "Start a separate call: the booking stays as it is, with its leader and partner."
    )
    take = box.addButton(TAKE, QMessageBox.ButtonRole.AcceptRole)
    separate = box.addButton(SEPARATE, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)  # Enter alone never takes anything over
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is take:
        return Booked.TAKE
    if clicked is separate:
        return Booked.SEPARATE
    return None
