"""Who to call: the ranked roster with search-as-you-type, filters and the per-customer decision."""

from __future__ import annotations

import html
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.formats import count
from winback_desktop.services.changes import Change
from winback_desktop.services.dto import RosterRow
from winback_desktop.services.vocab import CustomerStatus, Decision
from winback_desktop.ui.kit.context import attached
from winback_desktop.ui.kit.format import money, short_date
from winback_desktop.ui.kit.read_only import mark_editing
from winback_desktop.ui.kit.signals import on_change
from winback_desktop.ui.kit.widgets import with_name, with_tip
from winback_desktop.ui.roster import decisions
from winback_desktop.ui.roster.model import PAGE, RosterModel, row_value

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext
    from winback_desktop.services.first_paint import FirstPaint

SEARCH_DELAY_MS = 150
ANY = None
DECISION_FILTERS = (
    ("Any decision", ANY),
    ("To call (pursue + undecided)", (Decision.PURSUE.value, Decision.UNDECIDED.value)),
    *((d.label, d.value) for d in (Decision.PURSUE, Decision.UNDECIDED, Decision.LET_GO)),
)
STATUS_FILTERS = (
    ("Any status", ANY),
    ("Lapsed or lost", (CustomerStatus.LAPSED.value, CustomerStatus.LOST.value)),
    *((s.label, s.value) for s in CustomerStatus),
)


def count_text(total: int, *, capped: bool = False, filtered: bool = False) -> str:
    """``1 customer``, ``2,310 customers``; with filters ``1 customer matches`` / ``5 customers
    match``; a capped count reads ``1,000+ customers match``."""
    if capped:
        return f"{total:,}+ customers" + (" match" if filtered else "")
    text = count(total, "customer")
    return text + ((" matches" if total == 1 else " match") if filtered else "")


# What a column typically holds, to size it (the header's own words count too). The company
# takes what is left; segment and owner start hidden (their filters are on top, the details
# pane names them; the header's menu shows them), so every column fits the default window.
TYPICAL = (
    "100",
    "",
    "Catherine Ashdown",
    "C-00586",
    "412,000",
    "11 Feb 2026",
    "1,204",
    "won back",
    "Undecided",
)
STRETCH = 1  # the company
HIDDEN = ("Segment", "Owner")


def fit_columns(table: QTableView) -> None:
    """Size the roster's columns from the font (dragging a border still works); the header's
    right-click menu shows or hides each column."""
    header = table.horizontalHeader()
    metrics = header.fontMetrics()
    model = table.model()
    header.setStretchLastSection(False)
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    for i in range(model.columnCount()):
        title = str(model.headerData(i, Qt.Orientation.Horizontal))
        typical = TYPICAL[i] if i < len(TYPICAL) else title
        width = max(metrics.horizontalAdvance(title) + 28, metrics.horizontalAdvance(typical) + 16)
        header.resizeSection(i, width)
        mode = QHeaderView.ResizeMode.Stretch if i == STRETCH else QHeaderView.ResizeMode.Interactive
        header.setSectionResizeMode(i, mode)
        header.setSectionHidden(i, title in HIDDEN)
        if i != STRETCH:
            show = QAction(f"Show {title}", header, checkable=True, checked=title not in HIDDEN)
            show.toggled.connect(lambda on, col=i: header.setSectionHidden(col, not on))
            header.addAction(show)


def load_roster_service() -> ModuleType:
    # Imported when first used: the panel paints a first page before SQLAlchemy is loaded.
    # (Typed as a module only: mypy has no way to name the type of one particular module.)
    from winback_desktop.services import roster

    return roster


def _combo(items: Iterable[tuple[str, object]], tip: str) -> QComboBox:
    combo = with_tip(QComboBox(), tip)
    for label, data in items:
        combo.addItem(label, data)
    return combo


class CustomerDetails(QFrame):
    """The selected customer: why they are here, and the decision to pursue or let go (the
    roster reads the customer again when the service reports the change)."""

    def __init__(self, ctx: AppContext | None):
        super().__init__()
        self.setObjectName("details")
        self.ctx = ctx
        self.row: RosterRow | None = None
        self.title = with_name(QLabel(wordWrap=True), "detailsTitle")
        self.why = QLabel(wordWrap=True)
        self.why.setTextFormat(Qt.TextFormat.RichText)
        self.pursue = with_tip(QPushButton("Pursue"), "Put this customer on the call list (Ctrl+Shift+P)")
        self.let_go = with_tip(
            QPushButton("Let go…"), "Not one to win back:\nleaves the call lists, keeps history"
        )
        self.undecided = QPushButton("Undecided")
        self.verify = QCheckBox("Verify contact details before calling")
        self.verify.setToolTip("An old address or number? Flag it so nobody calls a dead line.")
        self.verified = QPushButton("Contact checked today")
        self.lost = QPushButton("Mark lost…")
        decide_row = QHBoxLayout()
        for b in (self.pursue, self.let_go, self.undecided):
            decide_row.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.why)
        layout.addSpacing(6)
        layout.addWidget(QLabel("<b>Win back?</b>"))
        layout.addLayout(decide_row)
        layout.addSpacing(6)
        layout.addWidget(self.verify)
        layout.addWidget(self.verified)
        layout.addSpacing(6)
        layout.addWidget(self.lost)
        layout.addStretch(1)
        self.pursue.clicked.connect(lambda: self._decide("pursue"))
        self.undecided.clicked.connect(lambda: self._decide("undecided"))
        self.let_go.clicked.connect(self._let_go)
        self.verify.toggled.connect(self._verify_toggled)
        self.verified.clicked.connect(self._verified)
        self.lost.clicked.connect(self._lost)
        mark_editing(self.pursue, self.let_go, self.undecided, self.verify, self.verified, self.lost)
        self.show_row(None)

    @property
    def attached_ctx(self) -> AppContext:
        return attached(self.ctx, self)

    def show_row(self, r: RosterRow | None) -> None:
        self.row = r
        for w in (self.pursue, self.let_go, self.undecided, self.verify, self.verified, self.lost):
            w.setEnabled(r is not None)
        if r is None:
            self.title.setText("<i>Select a customer</i>")
            self.why.setText("")
            return
        e = html.escape
        phone = f"☎ {e(r.phone)}" if r.phone else "☎ no phone number on file"
        email = f"<br>✉ {e(r.email)}" if r.email else ""
        self.title.setText(f"<h3 style='margin:0'>{e(r.company)}</h3>{e(r.contact_name)}<br>{phone}{email}")
        decision = Decision.label_of(r.decision)
        if r.decision == "let_go" and r.decision_reason:
            decision += f" — {e(r.decision_reason)}"
        checked = r.contact_verified_on
        verified = f"checked {short_date(checked)}" if checked else "never checked"
        self.why.setText(
            f"<p><b>Why this customer is here</b><br>{e(r.priority_reason or 'Not ranked yet.')}</p>"
            f"<p>Priority <b>{r.priority:.0f}</b> · yearly value {money(row_value(r))} · "
            f"{count(r.orders_count, 'order')} · last purchase {short_date(r.last_purchase)}</p>"
            f"<p>Status: {e(r.status.replace('_', ' '))} · Decision: {decision}<br>"
            f"{e(' · '.join(x for x in (r.segment, r.owner and f'owner {r.owner}') if x))}<br>"
            f"Contact details {verified}</p>"
        )
        self.verify.blockSignals(True)
        self.verify.setChecked(r.verify_contact)
        self.verify.blockSignals(False)
        self.lost.setText("Not lost after all" if r.status == "lost" else "Mark lost…")

    def _decide(self, decision: str, reason: str = "") -> None:
        if self.row is None:
            return
        decisions.decide(self, self.attached_ctx, self.row, decision, reason)  # over the version shown

    def _let_go(self) -> None:
        if self.row is None:
            return
        reason, ok = QInputDialog.getText(
            self, "Let go", f"Why let {self.row.company} go? (They leave the call lists; history is kept.)"
        )
        if ok and reason.strip():
            self._decide("let_go", reason)
        elif ok:
            QMessageBox.information(self, "Let go", "Letting a customer go needs a reason.")

    def _verify_toggled(self, on: bool) -> None:
        if self.row is not None:
            load_roster_service().flag_verify_contact(self.attached_ctx, self.row.id, on)

    def _verified(self) -> None:
        if self.row is not None:
            load_roster_service().mark_contact_verified(self.attached_ctx, self.row.id)

    def _lost(self) -> None:
        if self.row is None:
            return
        if self.row.status == "lost":
            decisions.unmark_lost(self, self.attached_ctx, self.row)
        else:
            question = f"Why is {self.row.company} lost? (optional)"
            reason, ok = QInputDialog.getText(self, "Mark lost", question)
            if not ok:
                return
            decisions.mark_lost(self, self.attached_ctx, self.row, reason)


class RosterPanel(QWidget):
    start_call_requested = Signal()

    def __init__(self, ctx: AppContext | None):
        """``ctx`` None: a panel for the first paint, until :meth:`attach`."""
        super().__init__()
        self.ctx = ctx
        self.search = QLineEdit(placeholderText="Search company, contact, id, phone or email  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.status = _combo(STATUS_FILTERS, "Status")
        self.decision = _combo(DECISION_FILTERS, "Decision: pursue, let go or undecided")
        self.segment = with_tip(QComboBox(), "Segment")
        self.owner = with_tip(QComboBox(), "Account owner")
        self.min_priority = with_tip(QSpinBox(suffix="+"), "Only customers with at least this priority")
        self.min_priority.setRange(0, 100)
        self.min_priority.setSingleStep(10)
        self.min_priority.setPrefix("Priority ")
        self.model = RosterModel(self._first, self._fetch, self)
        self.table = QTableView()
        self.table.setAccessibleName("Customers")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        fit_columns(self.table)
        self.table.doubleClicked.connect(lambda _i: self.start_call_requested.emit())
        self.details = CustomerDetails(ctx)
        self.count_label = with_name(QLabel(), "hint")

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for w in (self.status, self.decision, self.segment, self.owner, self.min_priority):
            filters.addWidget(w)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([860, 280])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        for combo in (self.status, self.decision, self.segment, self.owner):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.min_priority.valueChanged.connect(lambda _v: self._search_timer.start())
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show(cur.row()))
        on_change(self, {Change.CUSTOMERS}, lambda _kinds: self._data_changed())
        # Enter in the search goes to the list and stops there; Enter in the list starts the
        # call. One key press is one step: the search's Enter is consumed, never passed on.
        self.search.installEventFilter(self)
        self.table.installEventFilter(self)
        if ctx is not None:
            self.reload_filter_lists()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.NoModifier
        if watched is self.search and plain and (enter or event.key() == Qt.Key.Key_Down):
            self.focus_list()
            return True
        if watched is self.table and plain and enter and not event.isAutoRepeat():
            if self.selected_customer_id() is not None:
                self.start_call_requested.emit()
            return True
        return super().eventFilter(watched, event)

    def focus_list(self) -> None:
        """To the list, with what is typed searched first and a row selected."""
        if self._search_timer.isActive():
            self._search_timer.stop()
            self.refresh()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def show_first_page(self, first: FirstPaint) -> None:
        """The default view's first page, read at start-up before the services are loaded."""
        self._fill_filter_lists(first.segments, first.owners)
        self.model.show_first_page(first.rows, first.total)
        self._loaded()

    def attach(self, ctx: AppContext) -> None:
        """The services are loaded: read through them from now on (the caller refreshes)."""
        self.ctx = self.details.ctx = ctx
        self.reload_filter_lists()

    @property
    def attached_ctx(self) -> AppContext:
        return attached(self.ctx, self)

    # -- queries ---------------------------------------------------------------------------
    def filters(self) -> dict[str, Any]:
        return {
            "text": self.search.text(),
            "status": self.status.currentData(),
            "decision": self.decision.currentData(),
            "segment": self.segment.currentData(),
            "owner": self.owner.currentData(),
            "min_priority": self.min_priority.value() or None,
        }

    def _fetch(self, offset: int, limit: int, sort: str, descending: bool) -> list[RosterRow]:
        return load_roster_service().roster_page(
            self.attached_ctx, **self.filters(), sort=sort, descending=descending, offset=offset, limit=limit
        )

    def _first(self, sort: str, descending: bool) -> tuple[list[RosterRow], int, bool]:
        found = load_roster_service().roster_search(
            self.attached_ctx, **self.filters(), sort=sort, descending=descending, limit=PAGE
        )
        return found.rows, found.total, found.capped

    def reload_filter_lists(self) -> None:
        roster = load_roster_service()
        ctx = self.attached_ctx
        self._fill_filter_lists(roster.segments(ctx), roster.owners(ctx))

    def _fill_filter_lists(self, segments: list[str], owners: list[str]) -> None:
        for combo, values, label in (
            (self.segment, segments, "Any segment"),
            (self.owner, owners, "Any owner"),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            for v in values:
                combo.addItem(v, v)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)

    def refresh(self) -> None:
        """New filters: the first page, from the top."""
        if self.ctx is None:  # the first paint: attach() refreshes with the filters as set then
            return
        self.model.reload()
        self._loaded()

    def _data_changed(self) -> None:
        """The customers changed under the same filters: read them again, staying on the selected
        customer (or, when they left the view, on the row that takes their place)."""
        if self.ctx is None:
            return
        keep, row = self.selected_customer_id(), self.table.currentIndex().row()
        self.reload_filter_lists()
        self.model.reload()
        self._loaded(keep, row)

    def _loaded(self, keep_id: int | None = None, row: int = 0) -> None:
        total = self.model.total
        self.count_label.setText(
            count_text(total, capped=self.model.capped, filtered=any(self._active_filters()))
        )
        shown = self.model.rowCount()
        if keep_id is not None:
            row = next((i for i in range(shown) if self.model.row_at(i).id == keep_id), row)
        if shown:
            self.table.selectRow(min(max(row, 0), shown - 1))
            self._show(self.table.currentIndex().row())
        else:
            self.details.show_row(None)

    def _active_filters(self) -> list[Any]:
        f = self.filters()
        return [v for k, v in f.items() if v and (k != "text" or v.strip())]

    def _show(self, row: int) -> None:
        self.details.show_row(self.model.row_at(row) if 0 <= row < self.model.rowCount() else None)

    def selected_customer_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).id if rows else None
