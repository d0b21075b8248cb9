"""The two dialogs of the Rescue cycles tab: a new cycle, and filling a cycle from the roster."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.services import roster
from winback_desktop.services.context import AppContext
from winback_desktop.services.cycles import progress as cycle_reading
from winback_desktop.services.cycles import rescue as cycles
from winback_desktop.services.cycles.rescue import FillSummary
from winback_desktop.services.people import team as people
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.dates import DateEdit, pydate, qdate
from winback_desktop.ui.kit.widgets import buddy_label, with_name, with_tip
from winback_desktop.ui.people.dialog import error_style, plural, user_message

ID_ROLE = Qt.ItemDataRole.UserRole
DEFAULT_QUOTA = 5
DATE_FORMAT = "d MMM yyyy"


def date_range(start: dt.date, end: dt.date) -> str:
    """ "1 Apr – 30 Jun 2026" (both years when they differ)."""
    first = f"{start.day} {start:%b}" + (f" {start.year}" if start.year != end.year else "")
    return f"{first} – {end.day} {end:%b} {end.year}"


def summary_parts(s: FillSummary) -> tuple[str, list[str], list[str]]:
    """The headline, one line per person, and the closing notes of a fill's summary."""
    left = plural(s.remaining, "pursue customer") + " left" if s.remaining else "no pursue customers left"
    if not s.added:
        why = (
            "every chosen person already has their share"
            if s.remaining
            else "no pursue customers are waiting (mark customers “Pursue” on the Customers tab)"
        )
        return f"No customers added: {why}", [], []
    shares = []
    for share in s.shares:
        extras = [f"now {share.total}"] if share.total != share.added else []
        if share.partner_name:
            extras.append(f"with {share.partner_name}")
        shares.append(f"{share.name} {share.added}" + (f" ({', '.join(extras)})" if extras else ""))
    notes = [left]
    notes += [
        f"{short.name} has {short.total} of {s.quota}: the roster ran out of pursue customers"
        for short in s.executives_short
    ]
    return f"{plural(s.added, 'customer')} added", shares, notes


def summary_text(s: FillSummary) -> str:
    """ "24 customers added: Eleanor Hartley 5 (with Daniel Okonkwo), …; 3 pursue customers left." """
    headline, shares, notes = summary_parts(s)
    if not shares:
        return headline + "."
    return f"{headline}: {', '.join(shares)}; {'; '.join(notes)}."


def summary_html(s: FillSummary) -> str:
    headline, shares, notes = summary_parts(s)
    e = html.escape
    items = "".join(f"<li>{e(line)}</li>" for line in shares)
    after = "".join(f"<p>{e(n[0].upper() + n[1:])}.</p>" for n in notes)
    return (
        f"<p style='font-size:13pt'><b>{e(headline)}</b></p>" + (f"<ul>{items}</ul>" if items else "") + after
    )


def waiting_count(ctx: AppContext) -> int:
    """Pursue customers (lapsed or lost) that are in no open cycle: what the next fill can take."""
    marked = roster.roster_count(ctx, decision="pursue", status=cycles.ELIGIBLE_STATUSES)
    taken = {
        a.customer_id
        for c in cycles.list_cycles(ctx, include_closed=False)
        for a in cycle_reading.cycle_assignments(ctx, c.id)
        if a.decision == "pursue" and a.customer_status in cycles.ELIGIBLE_STATUSES
    }
    return max(0, marked - len(taken))


def _error_label() -> QLabel:
    label = with_name(QLabel(wordWrap=True), "formError")
    label.setStyleSheet(error_style())
    label.hide()
    return label


def _date_edit(day: QDate | None = None) -> DateEdit:
    return DateEdit(day)


# --- a new cycle -----------------------------------------------------------------------------------


class NewCycleDialog(QDialog):
    """Month or quarter and a day in it -> name and dates (editable); the executive quota."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.cycle_id: int | None = None
        self.setWindowTitle("New rescue cycle")
        existing = cycles.list_cycles(ctx)
        today = dt.date.today()
        # A cycle already covers today? Suggest the period after the latest one.
        latest_end = max((c.ends_on for c in existing), default=None)
        day = latest_end + dt.timedelta(days=1) if latest_end and latest_end >= today else today

        self.month = QRadioButton("&Month")
        self.quarter = QRadioButton("&Quarter")
        self.month.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.month)
        kinds.addButton(self.quarter)
        self.day = _date_edit(qdate(day))
        self.day.setToolTip("Any day in the month or quarter")
        self.name = QLineEdit()
        self.starts = _date_edit()
        self.ends = _date_edit()
        self.quota = QSpinBox(suffix=" customers each")
        self.quota.setRange(cycles.QUOTA_MIN, cycles.QUOTA_MAX)
        self.quota.setValue(existing[0].executive_quota if existing else DEFAULT_QUOTA)
        self.quota.setToolTip(
            "How many departed customers each executive calls this cycle "
            f"({cycles.QUOTA_MIN}–{cycles.QUOTA_MAX})"
        )
        period = QHBoxLayout()
        period.addWidget(self.month)
        period.addWidget(self.quarter)
        period.addSpacing(12)
        period.addWidget(buddy_label("containing", self.day))
        period.addWidget(self.day)
        period.addStretch(1)
        dates = QHBoxLayout()
        dates.addWidget(self.starts)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.ends)
        dates.addStretch(1)
        line = QFrame(frameShape=QFrame.Shape.HLine, frameShadow=QFrame.Shadow.Sunken)
        form = QFormLayout()
        form.addRow("Period:", period)
        form.addRow(line)
        form.addRow("&Name:", self.name)
        form.addRow(buddy_label("&From:", self.starts), dates)
        quota_row = QHBoxLayout()
        quota_row.addWidget(self.quota)
        quota_row.addStretch(1)
        form.addRow(buddy_label("&Executives call:", self.quota), quota_row)
        hint = with_name(
            QLabel(
                "Each executive gets this many of the highest-ranked customers marked Pursue, with a "
                "tag-team partner; the rest go to the recovery callers.",
                wordWrap=True,
            ),
            "hint",
        )
        self.error = _error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self.create_cycle)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.month.toggled.connect(lambda _on: self._suggest())
        self.day.dateChanged.connect(lambda _d: self._suggest())
        self._suggest()
        self.setMinimumWidth(520)
        self.ends.setAccessibleName("To: the last day of the cycle")
        self.day.setAccessibleName("Period containing this day")
        ready(self, "new_cycle")

    def kind(self) -> str:
        return "quarter" if self.quarter.isChecked() else "month"

    def set_period(self, kind: str, day: dt.date) -> None:
        (self.quarter if kind == "quarter" else self.month).setChecked(True)
        self.day.setDate(qdate(day))
        self._suggest()

    def _suggest(self) -> None:
        """Name and dates from the period; the user may still change them."""
        day = pydate(self.day.date())
        start, end = cycles.cycle_dates(self.kind(), day)
        self.name.setText(cycles.cycle_name(self.kind(), day))
        self.starts.setDate(qdate(start))
        self.ends.setDate(qdate(end))
        self.error.hide()

    def create_cycle(self) -> bool:
        try:
            self.cycle_id = cycles.create_cycle(
                self.ctx,
                self.name.text(),
                pydate(self.starts.date()),
                pydate(self.ends.date()),
                self.quota.value(),
            )
        except ValueError as exc:
            self.error.setText(user_message(exc))
            self.error.show()
            self.name.setFocus()
            return False
        self.accept()
        return True


# --- filling from the roster -----------------------------------------------------------------------


def _previous_partners(ctx: AppContext, cycles_to_look_at: int = 3) -> dict[int, int]:
    """Executive -> the partner they had in the most recent cycles (to suggest the same pair)."""
    pairs: dict[int, int] = {}
    for c in cycles.list_cycles(ctx)[:cycles_to_look_at]:
        for a in cycle_reading.cycle_assignments(ctx, c.id):
            if a.kind == "executive" and a.assignee_id is not None and a.partner_id is not None:
                pairs.setdefault(a.assignee_id, a.partner_id)
    return pairs


class FillDialog(QDialog):
    """Choose executives (each with a partner) and recovery callers, then fill the cycle.

    After the fill the dialog shows what happened (``summary`` / ``result_label``) and a Done
    button; a rejected dialog may still have filled (check ``summary``).
    """

    def __init__(self, ctx: AppContext, cycle_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.cycle_id = ctx, cycle_id
        self.summary: FillSummary | None = None
        self.cycle = cycles.get_cycle(ctx, cycle_id)
        self.setWindowTitle(f"Fill {self.cycle.name} from the roster")
        have = {p.assignee_id: p.assigned for p in cycle_reading.cycle_progress(ctx, cycle_id).by_assignee}
        waiting = waiting_count(ctx)
        self.intro = intro = QLabel(
            f"Takes the highest-ranked customers marked <b>Pursue</b> (lapsed or lost, in no other "
            f"open cycle): <b>{plural(waiting, 'customer')}</b> waiting. Executives get the best "
            f"{self.cycle.executive_quota} each; the rest are shared out evenly among the callers.",
            wordWrap=True,
            textFormat=Qt.TextFormat.RichText,
        )
        exec_box = self._build_executives(have)
        callers_box = self._build_callers(have)
        self._build_pages(intro, exec_box, callers_box)
        self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.callers.setAccessibleName("Callers who take part")
        ready(self, "fill_cycle")

    def _build_executives(self, have: dict[int | None, int]) -> QGroupBox:
        """Executives, each ticked with a partner: the one they had lately, else one still free."""
        ctx = self.ctx
        partners = people.list_people(ctx, role="partner")
        previous = _previous_partners(ctx)
        executives = people.list_people(ctx, role="executive")
        unused = [p.id for p in partners if p.id not in {previous.get(e.id) for e in executives}]
        self.exec_rows: dict[int, tuple[QCheckBox, QComboBox]] = {}
        exec_box = QGroupBox(f"Executives — {plural(self.cycle.executive_quota, 'customer')} each")
        grid = QGridLayout(exec_box)
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(12)
        for row, e in enumerate(executives):
            check = QCheckBox(e.name)
            check.setChecked(True)
            check.setToolTip(e.title or "Executive")
            combo = with_tip(QComboBox(), f"Who books {e.name}'s calls and owns the follow-up")
            combo.setAccessibleName(f"Partner working with {e.name}")
            combo.addItem("— no partner —", None)
            for p in partners:
                combo.addItem(p.name, p.id)
                combo.setItemData(combo.count() - 1, p.title or "Partner", Qt.ItemDataRole.ToolTipRole)
            suggested = previous.get(e.id)
            if suggested is None and unused:
                suggested = unused.pop(0)
            combo.setCurrentIndex(max(combo.findData(suggested), 0) if suggested is not None else 0)
            check.toggled.connect(combo.setEnabled)
            with_label = buddy_label("with", combo)
            grid.addWidget(check, row, 0)
            grid.addWidget(with_label, row, 1)
            grid.addWidget(combo, row, 2)
            if have.get(e.id):
                grid.addWidget(with_name(QLabel(f"has {have[e.id]}"), "hint"), row, 3)
            self.exec_rows[e.id] = (check, combo)
        if not executives:
            grid.addWidget(with_name(QLabel("No executives yet (add them under People)."), "hint"), 0, 0)
        return exec_box

    def _build_callers(self, have: dict[int | None, int]) -> QGroupBox:
        """The recovery callers, all ticked, and how many customers they take at most."""
        callers_box = QGroupBox("Recovery callers — the rest of the list")
        self.callers = QListWidget()
        self.callers.setToolTip("Space ticks or unticks the selected caller")
        for c in people.list_people(self.ctx, role="caller"):
            item = QListWidgetItem(c.name + (f"   (has {have[c.id]})" if have.get(c.id) else ""))
            item.setData(ID_ROLE, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.callers.addItem(item)
        rows = max(self.callers.count(), 2)
        self.callers.setFixedHeight(min(rows, 8) * (self.callers.sizeHintForRow(0) or 22) + 8)
        self.limit = QSpinBox(suffix=" customers")
        self.limit.setSpecialValueText("no limit")
        self.limit.setRange(0, 100_000)
        self.limit.setSingleStep(10)
        self.limit.setToolTip("Leave at “no limit” to hand out every waiting customer")
        limit_row = QHBoxLayout()
        limit_row.addWidget(buddy_label("Callers take at &most:", self.limit))
        limit_row.addWidget(self.limit)
        limit_row.addStretch(1)
        callers_layout = QVBoxLayout(callers_box)
        callers_layout.addWidget(self.callers)
        callers_layout.addLayout(limit_row)
        if not self.callers.count():
            callers_layout.insertWidget(0, with_name(QLabel("No recovery callers yet."), "hint"))
        return callers_box

    def _build_pages(self, intro: QLabel, exec_box: QGroupBox, callers_box: QGroupBox) -> None:
        """``self.pages``: the form, then what the fill did."""
        self.error = _error_label()
        form_page = QWidget()
        form_layout = QVBoxLayout(form_page)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addWidget(intro)
        form_layout.addWidget(exec_box)
        form_layout.addWidget(callers_box)
        form_layout.addWidget(self.error)
        form_layout.addStretch(1)

        self.result_label = with_name(QLabel(wordWrap=True), "fillResult")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        result_page = QWidget()
        result_layout = QVBoxLayout(result_page)
        result_layout.addWidget(self.result_label)
        result_layout.addStretch(1)
        self.pages = QStackedWidget()
        self.pages.addWidget(form_page)
        self.pages.addWidget(result_page)

    def _build_buttons(self) -> None:
        """Fill and Cancel; Done in their place once filled."""
        self.buttons = QDialogButtonBox()
        self.fill_button: QPushButton = self.buttons.addButton("Fill", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.done_button: QPushButton = self.buttons.addButton("Done", QDialogButtonBox.ButtonRole.AcceptRole)
        self.done_button.hide()
        self.fill_button.setDefault(True)
        self.fill_button.clicked.connect(self.fill)
        self.cancel_button.clicked.connect(self.reject)
        self.done_button.clicked.connect(self.accept)

    # -- the team ----------------------------------------------------------------------------------
    def set_executive(self, exec_id: int, on: bool, partner_id: int | None = None) -> None:
        check, combo = self.exec_rows[exec_id]
        check.setChecked(on)
        combo.setCurrentIndex(max(combo.findData(partner_id), 0) if partner_id is not None else 0)

    def set_callers(self, caller_ids: list[int]) -> None:
        for i in range(self.callers.count()):
            item = self.callers.item(i)
            on = item.data(ID_ROLE) in caller_ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def team(self) -> tuple[list[tuple[int, int | None]], list[int]]:
        executives = [
            (e, combo.currentData()) for e, (check, combo) in self.exec_rows.items() if check.isChecked()
        ]
        callers = [
            self.callers.item(i).data(ID_ROLE)
            for i in range(self.callers.count())
            if self.callers.item(i).checkState() == Qt.CheckState.Checked
        ]
        return executives, callers

    # -- the fill ----------------------------------------------------------------------------------
    def fill(self) -> FillSummary | None:
        executives, callers = self.team()
        if not executives and not callers:
            self._error("Choose at least one executive or recovery caller.")
            return None
        try:
            self.summary = cycles.fill_cycle(
                self.ctx, self.cycle_id, executives, callers, limit=self.limit.value() or None
            )
        except (ValueError, LookupError) as exc:
            self._error(user_message(exc))
            return None
        self.result_label.setText(summary_html(self.summary))
        self.pages.setCurrentIndex(1)
        for b in (self.fill_button, self.cancel_button):
            b.hide()
        self.done_button.show()
        self.done_button.setDefault(True)
        self.done_button.setFocus()
        return self.summary

    def _error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
