"""Today, for one person: my calls, my call-backs, my overdue and due follow-ups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.files import atomic_write_bytes
from winback_desktop.formats import count
from winback_desktop.services.calls.day import COMING_DAYS, Day
from winback_desktop.services.changes import Change
from winback_desktop.services.context import AppContext
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.actions import Action, Keys, Menu, build
from winback_desktop.ui.kit.dates import DateEdit, pydate
from winback_desktop.ui.kit.format import money, short_date
from winback_desktop.ui.kit.pdf_preview import PdfPreview
from winback_desktop.ui.kit.read_only import mark_editing
from winback_desktop.ui.kit.signals import on_change
from winback_desktop.ui.kit.widgets import with_name, with_tip

ROLE = Qt.ItemDataRole.UserRole
# What a row of the day holds under ROLE: (kind, customer id, call id, company), kind one of
# "call", "call_back", "action", "decide"; group headings hold nothing.
Entry = tuple[str, int, int | None, str]
TODAY_ACTIONS = Menu(
    "",
    (
        Action(
            "brief",
            "Brief…",
            lambda t: t.show_brief(),
            ("Ctrl+B",),
            help="Pre-call brief for the selected call",
        ),
        Action(
            "open_call",
            "Open call",
            lambda t: t.open_selected(),
            ("Ctrl+O",),
            help="Open the call behind the selected follow-up (read only when finished)",
        ),
    ),
)
TODAY_KEYS = (Keys("Enter", "Start the call with the selected customer"),)
# What the day shows: booked calls and call-backs, follow-ups, who they are with, and whose day.
SHOWN = {Change.CALLS, Change.SCHEDULE, Change.FOLLOWUPS, Change.CUSTOMERS, Change.PEOPLE}


def _booking(c: schedule.AgendaItem, person_id: int) -> str:
    """A booked call's details as the day lists them: length, role, with whom, value."""
    role = "leading" if c.leader_id == person_id else "partner"
    with_whom = c.partner_name if role == "leading" else c.leader_name
    details = f"{c.minutes} min, {role}" + (f" with {with_whom}" if with_whom else "")
    return details + f" · {money(c.value)} a year" + (" · call-back" if c.from_call_back else "")


class TodayTab(QWidget):
    """Emits start_call(customer_id) and log_attempt(customer_id, company) for the main window."""

    start_call = Signal(int)
    log_attempt = Signal(int, str)
    open_call = Signal(int)  # the call behind a follow-up, or one left open

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, load: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.person = with_tip(QComboBox(), "Whose day")
        self.day = DateEdit(dt.date.today())
        self.day.setAccessibleName("Day")
        today_button = QPushButton("Today")
        self.title = with_name(QLabel(), "todayTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() + 3)
        font.setBold(True)
        self.title.setFont(font)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("The day's calls and follow-ups")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["When / due", "Customer", "Contact", "Details"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemActivated.connect(lambda _item, _col: self.start_selected())
        self.start_button = with_tip(
            QPushButton("Start call"), "Start the call with the selected customer (Enter)"
        )
        self.attempt_button = with_tip(
            QPushButton("Log attempt…"), "No answer, voicemail, call back… (Ctrl+Shift+L)"
        )
        self.invite_button = with_tip(
            QPushButton("Invitation (.ics)…"), "An invitation for the selected booked call"
        )
        self.agenda_button = with_tip(
            QPushButton("Export agenda (.ics)…"), "The next 14 days of booked calls"
        )
        self.open_button = with_tip(
            QPushButton("Open call"),
            "The call behind the selected follow-up, read only when finished (Ctrl+O)",
        )
        self.brief_button = with_tip(
            QPushButton("Brief…"), "The one-page pre-call brief for the selected call (Ctrl+B)"
        )
        self.sheets_button = with_tip(
            QPushButton("Action sheets for the day…"), "Every call of this day as one PDF"
        )
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("For"))
        top.addWidget(self.person)
        top.addWidget(self.day)
        top.addWidget(today_button)
        bottom = QHBoxLayout()
        for b in (
            self.start_button,
            self.open_button,
            self.brief_button,
            self.attempt_button,
            self.invite_button,
        ):
            bottom.addWidget(b)
        bottom.addStretch(1)
        bottom.addWidget(self.sheets_button)
        bottom.addWidget(self.agenda_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addLayout(bottom)
        today_button.clicked.connect(lambda: self.day.setDate(QDate.currentDate()))
        self.person.currentIndexChanged.connect(lambda _i: self.refresh())
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.start_button.clicked.connect(self.start_selected)
        self.attempt_button.clicked.connect(self.attempt_selected)
        self.invite_button.clicked.connect(self.save_invitation)
        self.agenda_button.clicked.connect(self.save_agenda)
        self.brief_button.clicked.connect(self.show_brief)
        self.open_button.clicked.connect(self.open_selected)
        self.tree.currentItemChanged.connect(lambda _cur, _prev: self._selection_changed())
        self.sheets_button.clicked.connect(self.show_day_sheets)
        self.commands = build(self, (TODAY_ACTIONS,))
        mark_editing(self.start_button, self.attempt_button)  # off while the app is read-only
        on_change(self, SHOWN, self._data_changed, on_show=True)  # and each time it is shown
        self.reload_people(load)

    def reload_people(self, load: bool = True) -> None:
        current = self.person.currentData()
        me = people.current_user(self.ctx)
        self.person.blockSignals(True)
        self.person.clear()
        for p in people.list_people(self.ctx):
            self.person.addItem(f"{p.name} ({p.role_label})", p.id)
        wanted = current if current is not None else (me.id if me else None)
        self.person.setCurrentIndex(max(self.person.findData(wanted), 0))
        self.person.blockSignals(False)
        if load:
            self.refresh()

    def _data_changed(self, kinds: frozenset[Change]) -> None:
        """Read the day again (and the people first when they changed)."""
        if Change.PEOPLE in kinds:
            self.reload_people()  # reads the day too
        else:
            self.refresh()

    def _group(self, title: str, count: int) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [f"{title} ({count})"])
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setFirstColumnSpanned(True)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return item

    def _row(self, values: list[str], data: Entry, overdue: bool = False) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, values)
        item.setData(0, ROLE, data)
        if overdue:
            for col in range(4):
                item.setForeground(col, QColor(palette.colour("LATE")))
        return item

    def refresh(self) -> None:
        from winback_desktop.services.calls.day import my_day

        self.tree.clear()
        person_id = self.person.currentData()
        day = pydate(self.day.date())
        self.title.setText(f"{'Today' if day == dt.date.today() else 'Day'} — {day:%A %d %B}")
        if person_id is None:
            self._group("Add people (File ▸ People…) to see a day's work", 0)
            self._selection_changed()
            return
        work = my_day(self.ctx, person_id, day)
        view = work.view
        assert view is not None  # a person is chosen
        self._group("Overdue follow-ups", len(view.overdue))
        for a in view.overdue:
            late = f"{a.days_overdue} day{'s' if a.days_overdue != 1 else ''} late"
            self._row(
                [short_date(a.due_date), a.company, a.contact_name, f"{a.what}  ({late})"],
                ("action", a.customer_id, a.call_id, a.company),
                overdue=True,
            )
        self._group("My calls", len(view.calls))
        for c in view.calls:
            self._row(
                [f"{c.local_start:%H:%M}", c.company, f"{c.contact_name}  {c.phone}", _booking(c, person_id)],
                ("call", c.customer_id, c.call_id, c.company),
            )
        self._group("Call-backs due", len(view.call_backs))
        for b in view.call_backs:
            self._row(
                [f"{b.local_time:%a %H:%M}", b.company, f"{b.contact_name}  {b.phone}", b.note],
                ("call_back", b.customer_id, b.call_id, b.company),
                overdue=b.local_time.date() < day,
            )
        self._rest_of_day(work, person_id)
        for col in range(3):
            self.tree.resizeColumnToContents(col)
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        first = next((item for item in items if item is not None and item.data(0, ROLE)), None)
        if first is not None:
            self.tree.setCurrentItem(first)
        self._selection_changed()

    def _rest_of_day(self, work: Day, person_id: int) -> None:
        """Calls left open, follow-ups due today, who needs a decision, the coming bookings."""
        assert work.view is not None
        self._group("Calls left open", len(work.open_calls))
        for o in work.open_calls:
            started = short_date(o.started_at.date()) if o.started_at else "—"
            who = " with ".join(x for x in (o.caller_name, o.partner_name) if x) or "no one named"
            self._row(
                [
                    started,
                    o.company,
                    f"{o.contact_name}  {o.phone}",
                    f"Left at {o.stage} · {who} · Enter resumes",
                ],
                ("open", o.customer_id, o.call_id, o.company),
            )
        self._group("Follow-ups due today", len(work.view.due_today))
        for a in work.view.due_today:
            self._row(
                [short_date(a.due_date), a.company, a.contact_name, a.what],
                ("action", a.customer_id, a.call_id, a.company),
            )
        self._group("Needs a decision: several failed tries in a row", len(work.needs_decision))
        for f in work.needs_decision:
            self._row(
                [
                    count(f.failed_in_row, "try", "tries"),
                    f.company,
                    f"{f.contact_name}  {f.phone}",
                    "Pursue or let go? (Customers tab)" + ("  · verify contact" if f.verify_contact else ""),
                ],
                ("decide", f.customer_id, None, f.company),
            )
        self._group(f"Booked in the next {COMING_DAYS} days", len(work.coming))
        for c in work.coming:
            self._row(
                [
                    f"{c.local_start:%a %d %b %H:%M}",
                    c.company,
                    f"{c.contact_name}  {c.phone}",
                    _booking(c, person_id),
                ],
                ("call", c.customer_id, c.call_id, c.company),
            )

    def _selection_changed(self) -> None:
        """Each button is on only when the selected row is one it works on."""
        data = self.selected()
        kind, call_id = (data[0], data[2]) if data else ("", None)
        self.start_button.setEnabled(bool(data))
        self.attempt_button.setEnabled(bool(data))
        self.open_button.setEnabled(call_id is not None and kind in ("action", "open"))
        self.brief_button.setEnabled(call_id is not None and kind in ("call", "call_back", "open"))
        self.commands["brief"].setEnabled(self.brief_button.isEnabled())
        self.invite_button.setEnabled(call_id is not None and kind in ("call", "call_back"))

    def selected(self) -> Entry | None:
        item = self.tree.currentItem()
        return item.data(0, ROLE) if item is not None else None

    def open_selected(self) -> None:
        """The call behind the selected row: a follow-up's call (read only when it is finished)
        or a call left open."""
        data = self.selected()
        if data and data[2] is not None and data[0] in ("action", "open"):
            self.open_call.emit(data[2])

    def start_selected(self) -> None:
        data = self.selected()
        if data:
            self.start_call.emit(data[1])

    def attempt_selected(self) -> None:
        data = self.selected()
        if data:
            self.log_attempt.emit(data[1], data[3])

    def show_brief(self) -> PdfPreview | None:
        """The pre-call brief on screen, ready to print or save."""
        from winback_desktop.reports.briefing import build_briefing
        from winback_desktop.services.calls.briefing import briefing_data

        data = self.selected()
        if not data or data[2] is None:
            return None
        preview = PdfPreview(
            build_briefing(briefing_data(self.ctx, data[2])),
            "Pre-call brief",
            f"brief-call-{data[2]}.pdf",
            self,
        )
        preview.show()
        return preview

    def show_day_sheets(self) -> PdfPreview | None:
        """Action sheets for every call of the shown day, as one PDF, with a progress bar."""
        from winback_desktop.services.calls import sheets

        day = pydate(self.day.date())
        return self.show_sheets(sheets.calls_for_day(self.ctx, day), short_date(day))

    def show_sheets(self, ids: list[int], label: str) -> PdfPreview | None:
        """Action sheets for ``ids`` as one PDF (progress bar, Stop), previewed to print or save."""
        from winback_desktop.reports.batch import BatchCancelled, build_batch_sheets
        from winback_desktop.services.calls import sheets

        if not ids:
            QMessageBox.information(
                self,
                "Action sheets",
                f"No calls held for {label}: nothing to print.\n\nA booked call that has not "
                "happened yet has no notes; print its pre-call brief instead (Brief…, Ctrl+B).",
            )
            return None
        progress = QProgressDialog("Laying out the action sheets…", "Stop", 0, len(ids), self)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def report(done: int, total: int) -> None:
            progress.setValue(done)
            QApplication.processEvents()  # keeps the window painting and Stop clickable

        batch = sheets.sheet_batch(self.ctx, ids)
        try:
            pdf = build_batch_sheets(
                batch.details,
                company_name=batch.company_name,
                progress=report,
                should_cancel=progress.wasCanceled,
            )
        except BatchCancelled:
            return None
        finally:
            progress.close()
        name = label.replace(" ", "-")
        preview = PdfPreview(pdf, f"Action sheets — {label}", f"action-sheets-{name}.pdf", self)
        preview.show()
        return preview

    def save_invitation(self, target: Path | None = None) -> Path | None:
        data = self.selected()
        if not data or data[0] not in ("call", "call_back") or data[2] is None:
            return None
        if not isinstance(target, Path):
            name, _ = QFileDialog.getSaveFileName(
                self, "Save invitation", f"call-{data[2]}.ics", "Calendar (*.ics)"
            )
            if not name:
                return None
            target = Path(name)
        from winback_desktop.services.schedule import ics as agenda_ics

        return atomic_write_bytes(target, agenda_ics.call_invitation(self.ctx, data[2]))

    def save_agenda(self, target: Path | None = None) -> Path | None:
        if not isinstance(target, Path):
            default = str(self.ctx.paths.exports / "agenda.ics")
            name, _ = QFileDialog.getSaveFileName(self, "Export agenda", default, "Calendar (*.ics)")
            if not name:
                return None
            target = Path(name)
        from winback_desktop.services.schedule import ics as agenda_ics

        items = schedule.agenda(self.ctx, days=14, person_id=self.person.currentData())
        return atomic_write_bytes(target, agenda_ics.agenda_ics(items))
