"""A finished call, found again: the call window in a read-only mode (every note readable,
nothing editable, the sheet reprinted), and the summary End call shows of what was saved and
what happens next."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.formats import day_month_year, day_month_year_time, yes_no
from winback_desktop.script import CallScript
from winback_desktop.services import clock
from winback_desktop.services.dto import CallDetail
from winback_desktop.ui.kit import palette

if TYPE_CHECKING:
    from winback_desktop.ui.call.window import CallWindow


def finished_on(detail: CallDetail) -> str:
    ended = detail.ended_at or detail.started_at
    return day_month_year(clock.to_local(ended).date(), weekday=True) if ended else "an unknown day"


def banner(detail: CallDetail) -> QLabel:
    """The line on top of a finished call: when it ended, that it is read only, what to do."""
    label = QLabel(
        f"<b>Finished on {html.escape(finished_on(detail))} — read only.</b> Every note is shown as "
        "it was saved; nothing here can be changed. Ctrl+P prints its action sheet again."
    )
    label.setObjectName("finishedBanner")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setStyleSheet(
        f"QLabel#finishedBanner {{ background: {palette.colour('CAUTION_FACE')}; border: 1px solid "
        f"{palette.colour('CAUTION_LINE')}; border-radius: 4px; padding: 6px 10px; }}"
    )
    return label


class _NoChange(QObject):
    """Lets a choice box be read (in full colour, and tabbed through) but not changed."""

    BLOCKED = (
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.Wheel,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
    )
    PASS_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() not in self.BLOCKED:
            return False
        return not (isinstance(event, QKeyEvent) and event.key() in self.PASS_KEYS)


def lock(root: QWidget) -> None:
    """Every editor under ``root`` shows what it holds and takes no change: text stays
    selectable (to copy), choices and ticks cannot be changed, add/remove buttons are gone."""
    keeper = root.findChild(_NoChange, "noChange") or _NoChange(root, objectName="noChange")
    for w in root.findChildren(QWidget):
        if isinstance(w, QPlainTextEdit | QLineEdit):
            w.setReadOnly(True)
        elif isinstance(w, QDateEdit):
            w.setReadOnly(True)
            w.setCalendarPopup(False)
            w.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        elif isinstance(w, QComboBox):
            w.setProperty("readOnly", True)
            w.installEventFilter(keeper)
        elif isinstance(w, QListWidget):
            w.blockSignals(True)  # a changed flag is an itemChanged: it must not read as a tick
            for i in range(w.count()):
                item = w.item(i)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            w.blockSignals(False)
        elif isinstance(w, QPushButton) and w.objectName() != "step":
            w.hide()  # Add next step, Remove, Back to Probe: nothing to do in a finished call


# -- the summary End call shows --------------------------------------------------------------


def summary_html(detail: CallDetail, script: CallScript) -> str:
    """What was saved and what happens next: the outcome, the follow-up date, the next steps
    with who and by when, and how much was noted."""
    e = html.escape
    outcome = script.choice_label("outcome", detail.outcome) if detail.outcome else None
    parts = [f"<h3 style='margin:0'>Call with {e(detail.customer.company)} ended and saved</h3>"]
    parts.append(f"<p><b>Outcome:</b> {e(outcome or detail.outcome or 'none chosen')}<br>")
    follow = day_month_year(detail.next_contact, weekday=True) if detail.next_contact else "none set"
    parts.append(f"<b>Next contact:</b> {e(follow)}<br>")
    parts.append(f"<b>May we keep in touch?</b> {e(yes_no(detail.keep_in_touch) or 'not answered')}</p>")
    parts.append("<p><b>What happens next</b></p>")
    if detail.actions:
        items = "".join(
            f"<li>{e(a.what or '(no text)')} — {e(a.owner_name or 'no owner yet')}, "
            f"{'by ' + e(day_month_year(a.due_date, weekday=True)) if a.due_date else 'no date set'}</li>"
            for a in detail.actions
        )
        parts.append(f"<ul style='margin-left:-20px'>{items}</ul>")
        parts.append(
            f"<p style='color:{palette.colour('HINT')}'>They are on the follow-up board, with owners.</p>"
        )
    else:
        parts.append(f"<p style='color:{palette.colour('HINT')}'>No next steps were noted.</p>")
    noted = [f.label for s in script.stages for f in s.fields if detail.saved_text(f.key).strip()]
    reasons = ([detail.primary_reason.label] if detail.primary_reason else []) + [
        r.label for r in detail.other_reasons
    ]
    saved = f"{len(noted)} note{'s' if len(noted) != 1 else ''}"
    if reasons:
        saved += f"; why they left: {', '.join(reasons)}"
    if detail.offers:
        saved += f"; {len(detail.offers)} option{'s' if len(detail.offers) != 1 else ''} offered"
    parts.append(f"<p><b>Saved:</b> {e(saved)}.</p>")
    if detail.ended_at:
        ended = day_month_year_time(clock.to_local(detail.ended_at))
        parts.append(f"<p style='color:{palette.colour('HINT')}'>Ended {e(ended)}.</p>")
    return "".join(parts)


class EndSummary(QDialog):
    """Shown (not modal) when a call is ended; ``open_call`` / ``print_sheet`` ask the main
    window to open the finished call read-only or print its sheet."""

    open_call = Signal(int)

    def __init__(self, detail: CallDetail, script: CallScript, parent: QWidget | None = None):
        super().__init__(parent)
        self.call_id = detail.id
        self.setWindowTitle(f"Call ended — {detail.customer.company}")
        self.text = QLabel(summary_html(detail, script))
        self.text.setObjectName("endSummary")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton(
            "&Open the call (read only)", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.clicked.connect(lambda: self.open_call.emit(self.call_id))
        self.open_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(520, self.sizeHint().height())


def open_read_only(window: CallWindow) -> None:
    """Put the call window in its read-only mode (a finished call)."""
    central = window.centralWidget()
    layout = central.layout() if central is not None else None
    assert isinstance(layout, QVBoxLayout), "the call window's body is a column"
    layout.insertWidget(0, banner(window.detail))
    window.end_button.hide()
    window.saved_label.setText("")
    lock(window.partner_notes)
    for page in window.pages.values():
        lock(page)
