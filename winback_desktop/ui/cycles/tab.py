"""Rescue cycles: the list of cycles, and the selected one's progress, people and customers."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRegularExpression, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.services.changes import Change
from winback_desktop.services.context import AppContext
from winback_desktop.services.cycles import progress as cycle_reading
from winback_desktop.services.cycles import rescue as cycles
from winback_desktop.services.cycles.progress import AssigneeProgress, AssignmentRow, CycleProgress
from winback_desktop.services.cycles.rescue import CycleInfo
from winback_desktop.services.people import team as people
from winback_desktop.ui.cycles.dialogs import FillDialog, NewCycleDialog, date_range
from winback_desktop.ui.cycles.models import (
    ASSIGNEE_COLUMNS,
    ASSIGNMENT_COLUMNS,
    CYCLE_COLUMNS,
    CycleRow,
    RowsModel,
    make_table,
    percent,
    set_widths,
)
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.actions import Action, Keys, Menu, build
from winback_desktop.ui.kit.confirm import confirm
from winback_desktop.ui.kit.empty_state import EmptyState
from winback_desktop.ui.kit.read_only import mark_editing
from winback_desktop.ui.kit.signals import on_change
from winback_desktop.ui.kit.table_model import ID_ROLE
from winback_desktop.ui.kit.widgets import buddy_label, with_name, with_tip
from winback_desktop.ui.people.dialog import plural

# Shortcuts while the tab (or a table in it) has focus; the buttons say them in their tooltips.
CYCLE_ACTIONS = Menu(
    "",
    (
        Action("new", "New cycle…", lambda t: t.new_cycle(), ("Ctrl+N",), edits=True),
        Action("fill", "Fill from the roster…", lambda t: t.fill_cycle(), ("Ctrl+Shift+F",), edits=True),
    ),
)
CYCLE_KEYS = (
    Keys("Enter", "On a person: only their customers; on a customer: start the call"),
    Keys("Alt+Y", "Close the selected cycle"),
)
# What the tab shows: cycles, their calls and follow-ups (progress), their people and customers.
SHOWN = {Change.CYCLES, Change.CALLS, Change.SCHEDULE, Change.FOLLOWUPS, Change.PEOPLE, Change.CUSTOMERS}


def figure_style() -> str:
    """A cycle's figure boxes, in the current scheme's colours (kit/palette.py)."""
    c = palette.colour
    return (
        f"QFrame#figure {{ background: {c('FIGURE_FACE')}; border: 1px solid {c('FIGURE_LINE')}; "
        f"border-radius: 6px; }} QFrame#figure QLabel {{ color: {c('FIGURE_TEXT')}; }}"
    )


# --- the tab -------------------------------------------------------------------------------------


class CyclesTab(QWidget):
    """Cycles on the left; the selected cycle's progress and assignments on the right.

    ``customer_activated(customer_id)`` when an assignment is opened (Enter / double-click).
    """

    customer_activated = Signal(int)
    FIGURES = (
        ("assigned", "assigned"),
        ("called", "called"),
        ("reached", "reached"),
        ("won_back", "won back"),
        ("open_followups", "open follow-ups"),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, load: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.progress: CycleProgress | None = None
        # Built in this order, which is also the focus chain's.
        left = self._build_cycle_list()
        head = self._build_head()
        figures_row = self._build_figures()
        right_split = self._build_assignments()
        self._build_right(self._build_detail(head, figures_row, right_split))

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([450, 770])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(splitter, 1)

        self._connect()
        self.commands = build(self, (CYCLE_ACTIONS,), context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        mark_editing(self.new_button, self.empty_new_button, self.fill_button, self.close_button)
        self.setFocusProxy(self.cycle_list)
        self.watcher = on_change(self, SHOWN, lambda _kinds: self.refresh(), on_show=True)  # and when shown
        if load:  # the main window has it read when it is first shown
            self.refresh()

    def _build_cycle_list(self) -> QWidget:
        """Left: the cycles, with New cycle… under them."""
        self.cycle_model = RowsModel(
            CYCLE_COLUMNS, lambda r: r.info.id, muted=lambda r: r.info.status != "open"
        )
        self.cycle_list = make_table(self.cycle_model)
        self.cycle_list.setAccessibleName("Rescue cycles")
        set_widths(self.cycle_list, (100, 136, 44, 50))
        self.new_button = with_tip(QPushButton("&New cycle…"), "Start a month or a quarter of calls (Ctrl+N)")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_title = QLabel("<b>Rescue cycles</b>")
        left_layout.addWidget(left_title)
        left_layout.addWidget(self.cycle_list, 1)
        new_row = QHBoxLayout()
        new_row.addWidget(self.new_button)
        new_row.addStretch(1)
        left_layout.addLayout(new_row)
        return left

    def _build_head(self) -> QHBoxLayout:
        """Right, on top: the selected cycle's name and dates, Fill… and Close…."""
        self.title = QLabel(textFormat=Qt.TextFormat.RichText)
        self.fill_button = with_tip(
            QPushButton("F&ill from the roster…"),
            "Give the executives their quota and share the rest among the callers (Ctrl+Shift+F)",
        )
        self.close_button = with_tip(
            QPushButton("Close c&ycle…"), "Finish this cycle: its customers may join the next one (Alt+Y)"
        )
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.fill_button)
        head.addWidget(self.close_button)
        return head

    def _build_figures(self) -> QHBoxLayout:
        """The cycle's figures, one box each; and the called bar (laid out under them)."""
        self.figures: dict[str, QLabel] = {}
        figures_row = QHBoxLayout()
        figures_row.setSpacing(8)
        for key, caption in self.FIGURES:
            box = with_name(QFrame(), "figure")
            box.setStyleSheet(figure_style())
            number = QLabel("0", alignment=Qt.AlignmentFlag.AlignCenter)
            number.setStyleSheet("font-size: 17pt; font-weight: bold; border: none;")
            label = with_name(QLabel(caption, alignment=Qt.AlignmentFlag.AlignCenter), "hint")
            label.setStyleSheet("border: none;")
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(6, 6, 6, 6)
            box_layout.setSpacing(0)
            box_layout.addWidget(number)
            box_layout.addWidget(label)
            figures_row.addWidget(box, 1)
            self.figures[key] = number
        self.called_bar = with_tip(QProgressBar(), "Customers called (or tried) out of those assigned")
        self.called_bar.setTextVisible(True)
        self.called_bar.setMinimumHeight(20)
        return figures_row

    def _build_assignments(self) -> QSplitter:
        """The cycle's people above, its customers (with the person filter) below."""
        self.assignee_model = RowsModel(ASSIGNEE_COLUMNS, lambda p: p.assignee_id)
        self.assignee_table = make_table(self.assignee_model, sortable=True)
        self.assignee_table.setAccessibleName("Who calls in this cycle")
        self.assignee_table.setToolTip("Enter or double-click: show only this person's customers")
        set_widths(self.assignee_table, (170, 120, 76, 96, 76, 76))

        self.assignment_model = RowsModel(
            ASSIGNMENT_COLUMNS,
            lambda a: a.id,
            filter_key=lambda a: str(a.assignee_id or ""),
        )
        self.assignment_table = make_table(self.assignment_model, sortable=True)
        self.assignment_table.setAccessibleName("The cycle's customers")
        proxy = self.assignment_table.model()
        assert isinstance(proxy, QSortFilterProxyModel)  # a sortable table sits on a proxy
        self.assignment_proxy = proxy
        set_widths(self.assignment_table, (180, 58, 74, 126, 126, 70))
        self.assignee_filter = with_tip(QComboBox(), "Show everyone's customers, or one person's")
        self.assignee_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.assignments_hint = with_name(QLabel(wordWrap=True), "hint")

        people_box = QWidget()
        people_layout = QVBoxLayout(people_box)
        people_layout.setContentsMargins(0, 0, 0, 0)
        people_layout.addWidget(QLabel("<b>By person</b>"))
        people_layout.addWidget(self.assignee_table, 1)
        customers_box = QWidget()
        customers_layout = QVBoxLayout(customers_box)
        customers_layout.setContentsMargins(0, 0, 0, 0)
        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel("<b>Customers in this cycle</b>"))
        filter_row.addStretch(1)
        filter_row.addWidget(buddy_label("&Show:", self.assignee_filter))
        filter_row.addWidget(self.assignee_filter)
        customers_layout.addLayout(filter_row)
        customers_layout.addWidget(self.assignments_hint)
        customers_layout.addWidget(self.assignment_table, 1)
        right_split = QSplitter(Qt.Orientation.Vertical)
        right_split.addWidget(people_box)
        right_split.addWidget(customers_box)
        right_split.setStretchFactor(0, 1)
        right_split.setStretchFactor(1, 3)
        right_split.setSizes([170, 420])
        right_split.setChildrenCollapsible(False)
        return right_split

    def _build_detail(self, head: QHBoxLayout, figures_row: QHBoxLayout, right_split: QSplitter) -> QWidget:
        """The selected cycle: its head, figures and called bar above its people and customers."""
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(8, 0, 0, 0)
        detail_layout.addLayout(head)
        detail_layout.addLayout(figures_row)
        bar_row = QHBoxLayout()
        bar_row.addWidget(QLabel("Called:"))
        bar_row.addWidget(self.called_bar, 1)
        detail_layout.addLayout(bar_row)
        detail_layout.addSpacing(4)
        detail_layout.addWidget(right_split, 1)
        return detail

    def _build_right(self, detail: QWidget) -> None:
        """The right side (``self.right``): the empty state until there is a cycle, then ``detail``."""
        empty = EmptyState(
            "<p style='font-size:14pt'>No rescue cycles yet.</p>"
            "<p>A cycle is a month or a quarter of win-back calls. Create one with <b>New cycle…</b> "
            "(Ctrl+N), then <b>Fill it from the roster</b>: each executive gets a handful of the "
            "highest-ranked customers marked Pursue, with their partner; the recovery callers "
            "share the rest.</p>",
            "Create the first cycle…",
            width=540,
            tip="New cycle (Ctrl+N)",
        )
        self.empty_label, self.empty_new_button = empty.message, empty.button
        self.right = QStackedWidget()
        self.right.addWidget(empty)
        self.right.addWidget(detail)

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.new_cycle)
        self.empty_new_button.clicked.connect(self.new_cycle)
        self.fill_button.clicked.connect(self.fill_cycle)
        self.close_button.clicked.connect(self.close_cycle)
        self.cycle_list.selectionModel().currentRowChanged.connect(lambda *_: self.show_cycle())
        self.assignee_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.assignee_table.activated.connect(self._filter_to_assignee)
        self.assignment_table.activated.connect(self._activate_assignment)

    # -- loading -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the cycles and the selected one (keeping the selection)."""
        keep = self.selected_cycle_id()
        rows = [
            CycleRow(c, cycle_reading.cycle_progress(self.ctx, c.id)) for c in cycles.list_cycles(self.ctx)
        ]
        self.cycle_model.set_rows(rows)
        self.right.setCurrentIndex(1 if rows else 0)
        if not self.select_cycle(keep) and rows:
            self.cycle_list.selectRow(0)
        self.show_cycle()

    def select_cycle(self, cycle_id: int | None) -> bool:
        row = self.cycle_model.row_of(cycle_id) if cycle_id is not None else -1
        if row < 0:
            return False
        self.cycle_list.selectRow(row)
        return True

    def selected_cycle(self) -> CycleInfo | None:
        row = self.cycle_list.currentIndex().row()
        if not 0 <= row < self.cycle_model.rowCount():
            return None
        return self.cycle_model.row_at(row).info

    def selected_cycle_id(self) -> int | None:
        c = self.selected_cycle()
        return c.id if c else None

    def show_cycle(self) -> None:
        c = self.selected_cycle()
        self.fill_button.setEnabled(c is not None and c.status == "open")
        self.close_button.setEnabled(c is not None and c.status == "open")
        if c is None:
            self.progress = None
            self.assignee_model.set_rows([])
            self.assignment_model.set_rows([])
            return
        status = (
            "open" if c.status == "open" else f"<span style='color:{palette.colour('MUTED')}'>closed</span>"
        )
        self.title.setText(
            f"<span style='font-size:14pt; font-weight:bold'>{c.name}</span>"
            f"&nbsp;&nbsp;{date_range(c.starts_on, c.ends_on)} · "
            f"executives call {c.executive_quota} each · {status}"
        )
        p = self.progress = cycle_reading.cycle_progress(self.ctx, c.id)
        for key, _caption in self.FIGURES:
            self.figures[key].setText(str(getattr(p, key)))
        self.called_bar.setRange(0, max(p.assigned, 1))
        self.called_bar.setValue(p.called)
        self.called_bar.setFormat(
            f"{p.called} of {p.assigned} called ({percent(p.called, p.assigned)})"
            if p.assigned
            else "nobody assigned yet"
        )
        self.assignee_model.set_rows(p.by_assignee)
        shown = min(max(len(p.by_assignee), 2), 7)  # the by-person table fits its people (up to 7)
        header = self.assignee_table.horizontalHeader().sizeHint().height()
        self.assignee_table.setMinimumHeight(header + shown * 26 + 4)
        rows = cycle_reading.cycle_assignments(self.ctx, c.id)
        self.assignment_model.set_rows(rows)
        self._reload_filter(p.by_assignee, len(rows))
        if not rows:
            self.assignments_hint.setText(
                "Nobody is assigned yet. “Fill from the roster…” (Ctrl+Shift+F) takes the highest-ranked "
                "customers marked Pursue."
                if c.status == "open"
                else "This cycle was closed without customers."
            )
        self.assignments_hint.setVisible(not rows)

    def _reload_filter(self, by: list[AssigneeProgress], total: int) -> None:
        keep = self.assignee_filter.currentData()
        me = people.current_user(self.ctx)
        self.assignee_filter.blockSignals(True)
        self.assignee_filter.clear()
        self.assignee_filter.addItem(f"Everyone ({total})", None)
        for p in by:
            if p.assignee_id is None:
                continue
            you = " — you" if me and me.id == p.assignee_id else ""
            self.assignee_filter.addItem(f"{p.name} ({p.assigned}){you}", p.assignee_id)
        self.assignee_filter.setCurrentIndex(max(self.assignee_filter.findData(keep), 0))
        self.assignee_filter.blockSignals(False)
        self._apply_filter()

    def _apply_filter(self) -> None:
        person = self.assignee_filter.currentData()
        pattern = "" if person is None else f"^{person}$"
        self.assignment_proxy.setFilterRegularExpression(QRegularExpression(pattern))

    def _filter_to_assignee(self, index: QModelIndex) -> None:
        person = index.data(ID_ROLE)
        self.assignee_filter.setCurrentIndex(max(self.assignee_filter.findData(person), 0))
        self.assignment_table.setFocus()

    def _activate_assignment(self, index: QModelIndex) -> None:
        source = self.assignment_proxy.mapToSource(index)
        self.customer_activated.emit(self.assignment_model.row_at(source.row()).customer_id)

    def shown_assignments(self) -> list[AssignmentRow]:
        """The assignment rows as the table shows them (filtered and sorted)."""
        proxy = self.assignment_proxy
        return [
            self.assignment_model.row_at(proxy.mapToSource(proxy.index(i, 0)).row())
            for i in range(proxy.rowCount())
        ]

    # -- commands ----------------------------------------------------------------------------------
    def new_cycle_dialog(self) -> NewCycleDialog:
        return NewCycleDialog(self.ctx, self)

    def fill_dialog(self, cycle_id: int) -> FillDialog:
        return FillDialog(self.ctx, cycle_id, self)

    def new_cycle(self) -> int | None:
        dialog = self.new_cycle_dialog()
        with self.watcher.read_after():  # the new cycle, read before it is selected
            dialog.exec()
        if dialog.cycle_id is None:
            return None
        self.select_cycle(dialog.cycle_id)
        self.fill_button.setFocus()
        return dialog.cycle_id

    def fill_cycle(self) -> cycles.FillSummary | None:
        c = self.selected_cycle()
        if c is None or c.status != "open":
            return None
        dialog = self.fill_dialog(c.id)
        with self.watcher.read_after():
            dialog.exec()
        return dialog.summary

    def close_cycle(self) -> bool:
        c = self.selected_cycle()
        if c is None or c.status != "open":
            return False
        p = self.progress
        open_work = (
            f"\n\n{plural(p.assigned - p.called, 'customer')} of its {p.assigned} "
            "were not called yet; they can go into the next cycle."
            if p and p.assigned > p.called
            else ""
        )
        if not confirm(
            self,
            f"Close {c.name}?",
            f"Close the rescue cycle {c.name}? Its assignments and progress stay as history; "
            f"its customers may be taken into the next cycle.{open_work}",
        ):
            return False
        with self.watcher.read_after():
            cycles.close_cycle(self.ctx, c.id)
        self.select_cycle(c.id)
        return True
