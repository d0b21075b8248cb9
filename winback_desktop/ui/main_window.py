"""The main window: the searchable customer list, who is calling, and the way into a call."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QProcess, QSize, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from winback_desktop import APP_NAME, __version__
from winback_desktop.formats import count
from winback_desktop.services.changes import EVERYTHING, Change
from winback_desktop.services.vocab import Role
from winback_desktop.ui.kit.access.focus import order_tabs
from winback_desktop.ui.kit.access.names import name_fields
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.actions import (
    SEPARATOR,
    Action,
    Keys,
    Menu,
    Section,
    ShortcutsDialog,
    build,
    plain,
)
from winback_desktop.ui.kit.confirm import confirm
from winback_desktop.ui.kit.context import ContextWindow
from winback_desktop.ui.kit.dates import DATE_KEYS
from winback_desktop.ui.kit.empty_state import EmptyState
from winback_desktop.ui.kit.format import short_date
from winback_desktop.ui.kit.read_only import (
    EditingState,
    FullDiskBanner,
    editing_state,
    lock_editing,
    mark_editing,
    read_only_banner,
    unlock_editing,
)
from winback_desktop.ui.kit.signals import app_signals, on_change
from winback_desktop.ui.kit.style import apply_style
from winback_desktop.ui.kit.widgets import buddy_label, with_tip
from winback_desktop.ui.roster.menu import RosterMenu
from winback_desktop.ui.roster.panel import RosterPanel
from winback_desktop.ui.roster.ranking import Ranking

if TYPE_CHECKING:
    from winback_desktop.services.calls.lifecycle import Booked
    from winback_desktop.services.calls.writer import NotesWriter
    from winback_desktop.services.context import AppContext
    from winback_desktop.services.dto import PersonInfo
    from winback_desktop.services.first_paint import FirstPaint
    from winback_desktop.ui.call.starter import CallStarter
    from winback_desktop.ui.call.window import CallWindow
    from winback_desktop.ui.cycles.tab import CyclesTab
    from winback_desktop.ui.followups.tab import FollowUpsTab
    from winback_desktop.ui.today.tab import TodayTab

    Workspace = TodayTab | FollowUpsTab | CyclesTab

log = logging.getLogger(__name__)


# The workspaces after the roster, built by attach(): (attribute, tab title).
WORKSPACES = (("today", "&Today"), ("followups", "Follo&w-ups"), ("cycles", "C&ycles"))
TAB_TITLES = ("Cust&omers", *(title for _name, title in WORKSPACES))
Find, Quit = QKeySequence.StandardKey.Find, QKeySequence.StandardKey.Quit


def _tab(i: int) -> Action:
    title = plain(TAB_TITLES[i])
    return Action(f"tab{i + 1}", f"&{i + 1} {title}", lambda w: w.show_tab(i), (f"Ctrl+{i + 1}",), help=title)


# Every menu entry and shortcut of the main window; its F1 list is made from these.
MENUS = (
    Menu(
        "&File",
        (
            Action("sample", "Load &sample data", lambda w: w.load_sample(), edits=True),
            Action("export_calls", "&Export calls as CSV…", lambda w: w.export_calls(), ("Ctrl+E",)),
            Action("people", "&People…", lambda w: w.edit_people(), ("Ctrl+Shift+U",), edits=True),
            Action("setup", "Company and &desk…", lambda w: w.edit_setup(), edits=True),
            Action("cycle_sheets", "Action sheets for the selected c&ycle…", lambda w: w.cycle_sheets()),
            Action(
                "imports",
                "I&mports…",
                lambda w: w.roster_menu.show_imports(),
                tip="Every import made, and undo one (its rows taken back, the figures recomputed)",
            ),
            SEPARATOR,
            Action(
                "connect",
                "Connect to a &team database…",
                lambda w: w.connect_team_database(),
                tip="Share one PostgreSQL database with the team, or go back to this desk's own",
            ),
            SEPARATOR,
            Action("backup", "&Back up now", lambda w: w.backup_now(), ("Ctrl+Shift+B",), edits=True),
            Action("restore", "&Restore from backup…", lambda w: w.restore_backup(), edits=True),
            SEPARATOR,
            Action("quit", "&Quit", lambda w: w.close(), (Quit,)),
        ),
    ),
    Menu(
        "C&ustomers",
        (
            Action(
                "import_customers",
                "&Import customers…",
                lambda w: w.roster_menu.import_file("customers"),
                ("Ctrl+I",),
                edits=True,
            ),
            Action(
                "import_orders",
                "Import &order history…",
                lambda w: w.roster_menu.import_file("orders"),
                ("Ctrl+Shift+I",),
                edits=True,
            ),
            SEPARATOR,
            Action("volume", "&Volume departed…", lambda w: w.roster_menu.show_volume(), ("Ctrl+Shift+V",)),
            Action("lapse_rule", "&Lapse rule…", lambda w: w.roster_menu.edit_lapse_rule(), edits=True),
            Action(
                "recompute", "&Recompute priorities", lambda w: w.roster_menu.recompute(), ("F5",), edits=True
            ),
            SEPARATOR,
            Action(
                "export_customers", "E&xport customers as CSV…", lambda w: w.roster_menu.export_customers()
            ),
        ),
    ),
    Menu("&View", tuple(_tab(i) for i in range(len(TAB_TITLES)))),
    Menu(
        "&Call",
        (
            Action(
                "start",
                "&Start call with selected customer",
                lambda w: w.start_call(),
                ("Ctrl+Return", "Ctrl+Enter"),
                edits=True,
            ),
            Action("resume", "&Resume unfinished call…", lambda w: w.offer_resume(), ("Ctrl+R",), edits=True),
            SEPARATOR,
            Action("schedule", "Sc&hedule a call…", lambda w: w.schedule_selected(), ("Ctrl+K",), edits=True),
            Action(
                "attempt",
                "&Log an attempt (no answer, call back…)…",
                lambda w: w.attempt_selected(),
                ("Ctrl+Shift+L",),
                edits=True,
            ),
            SEPARATOR,
            Action("find", "&Find customer", lambda w: w.focus_search(), (Find,)),
        ),
    ),
    Menu(
        "&Help",
        (
            Action("shortcuts", "&Keyboard shortcuts", lambda w: w.show_shortcuts(), ("F1",)),
            Action("about", "&About", lambda w: w.show_about()),
        ),
    ),
)
KEYS = (
    Keys("Enter", "In the search: go to the list; in the list: start the call"),
    Keys("Ctrl+Return", "In a note (Mark done…): save it; Tab moves on to the buttons"),
    *DATE_KEYS,
)
FOOTER = "Notes save themselves as you type."


def _where_data_lives(ctx: AppContext) -> str:
    if ctx.paths.on_server:
        return f"Database: the team database {ctx.paths.shown}, shared with the team."
    return "Everything stays on this computer."


class MainWindow(ContextWindow):
    """``MainWindow(ctx)`` is ready to use. ``MainWindow(None, first=...)`` is the first paint at
    start-up: the roster's first page and the caller boxes from a plain read, before the
    services (and SQLAlchemy) are loaded; :meth:`attach` then finishes it. The app keeps user
    input queued until then (see app.py), so no slot here runs without a context."""

    read_only_banner: QLabel | None = None  # shown when the data was opened read-only
    end_summary: QWidget | None = None  # the last ended call's summary
    full_disk_banner: FullDiskBanner | None = None  # shown while the disk is full (met while working)
    editing: EditingState | None = None  # editing on, or off until Check again finds room

    def __init__(self, ctx: AppContext | None, *, first: FirstPaint | None = None):
        super().__init__()
        self.ctx = ctx
        self.call_windows: dict[int, CallWindow] = {}
        self.starter: CallStarter | None = None  # the call being started, off the GUI thread
        self.notes: NotesWriter | None = None  # call notes on their way to the database
        self.background_jobs: list[QProcess] = []  # child jobs (the daily backup...): ended on close
        self.ranking = Ranking(self)  # re-ranking in a child process (start-up, F5, lapse rule)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("mainWindow")

        self.caller = with_tip(QComboBox(), "Who is making the calls")
        self.partner = with_tip(QComboBox(), "The tag-team partner who owns the follow-up")
        self.roster = RosterPanel(None)
        self.roster.start_call_requested.connect(self.start_call)
        self.search, self.table, self.model = self.roster.search, self.roster.table, self.roster.model
        self.start_button = QPushButton("Start call")
        self.start_button.setDefault(True)

        list_page = self._build_list_page()

        empty_page = EmptyState(
            "Load the sample data to try a recovery call: about fifty lapsed customers,\n"
            "a few finished calls with their follow-ups, and calls booked for the coming days.",
            "Load sample data",
            title="No customers yet.",
        )
        self.sample_button = empty_page.button

        # Workspaces as tabs (Ctrl+1…): the roster first; the tag-team views join it.
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(list_page, TAB_TITLES[0])  # Alt+C is the Call menu
        self._built: dict[str, Workspace] = {}
        for _name, title in WORKSPACES:  # placeholders until first shown: the tab bar is complete
            self.tabs.addTab(QWidget(), title)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(empty_page)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 10, 12, 8)
        self._central_layout = layout
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.roster_menu = RosterMenu(self, self.ranking)
        self.commands = build(self, MENUS)
        self.sample_action, self.start_action = self.commands["sample"], self.commands["start"]
        self.start_button.clicked.connect(self.start_action.trigger)
        self.start_button.setToolTip("Start a guided call with the selected customer (Ctrl+Return)")
        self.sample_button.clicked.connect(self.sample_action.trigger)
        on_change(self, {Change.CUSTOMERS, Change.PEOPLE}, self._data_changed)
        # Only a choice the user makes is remembered (not the first caller shown by default).
        self.caller.activated.connect(lambda _i: self._remember_caller())
        ready(self, "main", QSize(1240, 720))
        if first is not None:
            self._fill_people(first.people, first.current_user)
            self.pages.setCurrentIndex(0 if first.total else 1)
            self.sample_action.setEnabled(not first.total)
            self.roster.show_first_page(first)
        apply_style(self)
        if ctx is not None:
            self.attach(ctx)

    def _build_list_page(self) -> QWidget:
        """The roster above the bar of who calls with whom and the Start call button."""
        for combo in (self.caller, self.partner):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        bottom = QHBoxLayout()
        bottom.addWidget(self.roster.count_label)
        bottom.addStretch(1)
        bottom.addWidget(buddy_label("Ca&ller:", self.caller))
        bottom.addWidget(self.caller)
        bottom.addSpacing(8)
        bottom.addWidget(buddy_label("&Partner:", self.partner))
        bottom.addWidget(self.partner)
        bottom.addSpacing(8)
        bottom.addWidget(self.start_button)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.roster, 1)
        list_layout.addLayout(bottom)
        return list_page

    def attach(self, ctx: AppContext) -> None:
        """The services are loaded: fresh reads of the roster and the people (the database may
        have changed since the first paint). The other workspaces are built when first shown."""
        from winback_desktop.services.calls.writer import notes_writer
        from winback_desktop.services.team.feed import follow as follow_others

        self.ctx = ctx
        self.notes = notes_writer(ctx)
        app_signals().attach(ctx.changes)
        follow_others(ctx)  # other desks' changes reach the screens (services/team/feed.py)
        self.roster.attach(ctx)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.reload_people()
        self.refresh()
        if ctx.read_only is not None:
            self._show_read_only(ctx.read_only)
        self._follow_editing(ctx)

    def _follow_editing(self, ctx: AppContext) -> None:
        """A disk that fills up while working: the banner with Check again, editing off until then."""
        if self.full_disk_banner is not None:
            self.full_disk_banner.deleteLater()
        self.editing = editing_state(ctx)
        self.full_disk_banner = FullDiskBanner(self.editing)
        self._central_layout.insertWidget(0, self.full_disk_banner)
        self.editing.changed.connect(self._editing_changed)
        self._editing_changed()

    def _editing_changed(self) -> None:
        if self.read_only or self.editing is None:  # opened read-only: for good
            return
        mark_editing(self.start_button, self.sample_button)
        if self.editing.paused:
            lock_editing(self)
            self.statusBar().showMessage(f"Read-only: {self.editing.reason}.")
        elif unlock_editing(self):
            self.statusBar().showMessage("There is room on the disk again: editing is back.", 8000)

    @property
    def read_only(self) -> bool:
        return self.ctx is not None and self.ctx.read_only is not None

    def _show_read_only(self, reason: str) -> None:
        """A read-only or full disk: the data is shown, every editing action is off, and the
        banner says why (the workspaces built later are locked as they are built)."""
        mark_editing(self.start_button, self.sample_button)
        if self.read_only_banner is None:
            self.read_only_banner = read_only_banner(reason)
            self._central_layout.insertWidget(0, self.read_only_banner)
        lock_editing(self)
        self.statusBar().showMessage("Read-only: nothing can be changed (see the note at the top).")

    def _refused_read_only(self) -> bool:
        """True (and the status bar says why) when the data is read-only: nothing may start."""
        if self.ctx is not None and self.ctx.read_only is not None:
            self.statusBar().showMessage(f"Read-only: {self.ctx.read_only}.", 8000)
            return True
        return False

    # -- workspaces (tabs after the roster), built when first shown --------------------------
    @property
    def today(self) -> TodayTab:
        from winback_desktop.ui.today.tab import TodayTab

        today = self._workspace("today")
        assert isinstance(today, TodayTab)
        return today

    @property
    def followups(self) -> FollowUpsTab:
        from winback_desktop.ui.followups.tab import FollowUpsTab

        followups = self._workspace("followups")
        assert isinstance(followups, FollowUpsTab)
        return followups

    @property
    def cycles(self) -> CyclesTab:
        from winback_desktop.ui.cycles.tab import CyclesTab

        cycles = self._workspace("cycles")
        assert isinstance(cycles, CyclesTab)
        return cycles

    def _build(self, name: str, load: bool) -> Workspace:
        ctx = self.attached_ctx
        if name == "today":
            from winback_desktop.ui.today.tab import TodayTab

            today = TodayTab(ctx, load=load)
            today.start_call.connect(self.start_booked_call)
            today.log_attempt.connect(self.log_attempt_for)
            today.open_call.connect(self.open_call)
            return today
        if name == "followups":
            from winback_desktop.ui.followups.tab import FollowUpsTab

            followups = FollowUpsTab(ctx, load=load)
            followups.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
            followups.open_call.connect(self.open_call)
            return followups
        from winback_desktop.ui.cycles.tab import CyclesTab

        cycles = CyclesTab(ctx, load=load)
        cycles.customer_activated.connect(self.start_booked_call)
        return cycles

    def _workspace(self, name: str, load: bool = True) -> Workspace:
        """The workspace, built now if need be: read at once (``load``), or when it is shown."""
        widget = self._built.get(name)
        if widget is None:
            widget = self._build(name, load)
            index = 1 + [n for n, _title in WORKSPACES].index(name)
            current = self.tabs.currentIndex()
            placeholder = self.tabs.widget(index)
            assert placeholder is not None, "every workspace has its tab from the start"
            self.tabs.blockSignals(True)  # the swap is not the user changing tabs
            # In before out: removing the current placeholder first would show (and have read)
            # the next workspace for a moment.
            self.tabs.insertTab(index, widget, WORKSPACES[index - 1][1])
            if current == index:
                self.tabs.setCurrentIndex(index)
            self.tabs.removeTab(index + 1)
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            placeholder.deleteLater()
            self._built[name] = widget
            name_fields(widget)
            order_tabs(self)
            if self.read_only or (self.editing is not None and self.editing.paused):
                lock_editing(widget)
        return widget

    # -- data -----------------------------------------------------------------------------------
    def reload_people(self) -> None:
        from winback_desktop.services.people import team

        ctx = self.attached_ctx
        remembered = team.remembered_user_id(ctx)
        self._fill_people(team.list_people(ctx), "" if remembered is None else str(remembered))

    def _fill_people(self, everyone: Sequence[PersonInfo], remembered: str) -> None:
        # A refill (the team or who is here changed) keeps what the user chose: the partner, or
        # "— none —" / "— choose —" (a first fill picks the first of each).
        partner = self.partner.currentData() if self.partner.currentIndex() > 0 else None
        chose_no_partner = self.partner.count() > 1 and self.partner.currentIndex() == 0
        chose_no_caller = self.caller.count() > 1 and self.caller.currentIndex() == 0
        for combo, roles, none_label in (
            (self.caller, (Role.EXECUTIVE, Role.CALLER), "— choose —"),
            (self.partner, (Role.PARTNER,), "— none —"),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(none_label, None)
            for p in everyone:
                if p.role in roles:
                    combo.addItem(f"{p.name}" + (f" ({p.title})" if p.title else ""), p.id)
            combo.blockSignals(False)
        if remembered.isdigit():
            self.caller.setCurrentIndex(max(self.caller.findData(int(remembered)), 0))
        if self.caller.currentIndex() <= 0 and self.caller.count() > 1 and not chose_no_caller:
            self.caller.setCurrentIndex(1)
        kept = self.partner.findData(partner) if partner is not None else -1
        if kept > 0:
            self.partner.setCurrentIndex(kept)
        elif self.partner.count() > 1 and not chose_no_partner:
            self.partner.setCurrentIndex(1)

    def _remember_caller(self) -> None:
        from winback_desktop.services.people import team

        if self.read_only:  # only a call needs it, and none can start
            return
        pid = self.caller.currentData()
        try:
            team.set_current_user(self.attached_ctx, pid or None)
        except (LookupError, ValueError) as exc:  # retired or removed since the list was filled
            log.info("caller %s not remembered: %s", pid, exc)

    def refresh(self) -> None:
        """Read everything the window shows again: the empty page or the roster from the top."""
        self._show_empty_or_list()
        self.roster.refresh()

    def _show_empty_or_list(self) -> None:
        from winback_desktop.services.roster import card as customers

        empty = customers.count(self.attached_ctx) == 0
        self.pages.setCurrentIndex(1 if empty else 0)
        self.sample_action.setEnabled(empty)

    def _data_changed(self, kinds: frozenset[Change]) -> None:
        if Change.CUSTOMERS in kinds:
            self._show_empty_or_list()  # the roster reads itself again
        if Change.PEOPLE in kinds:
            self.reload_people()

    def selected_customer_id(self) -> int | None:
        return self.roster.selected_customer_id()

    # -- commands ---------------------------------------------------------------------------------
    def start_call(self) -> CallStarter | None:
        """Start a call with the selected customer; its window opens once the database has it
        (ui/call/starter.py: off the GUI thread). None when refused, with the reason said."""
        customer_id = self.selected_customer_id()
        if self._refused_read_only():
            return None
        if customer_id is None:
            self.statusBar().showMessage("Select a customer first.", 5000)
            return None
        from winback_desktop.services.calls import lifecycle as calls

        caller, partner = self.caller.currentData(), self.partner.currentData()
        booked = None
        booking = calls.booking_held_by_others(self.attached_ctx, customer_id, caller, partner)
        if booking is not None:  # someone else's booking: ask, never take it over silently
            from winback_desktop.ui.today.booked import ask_booked

            booked = ask_booked(self, booking, self.caller.currentText() if caller else "")
            if booked is None:
                self.statusBar().showMessage("No call started: the booking is unchanged.", 6000)
                return None
        return self._start(customer_id, caller, partner, booked=booked)

    def start_booked_call(self, customer_id: int) -> CallStarter | None:
        """A call from the Today list: a booked one with its own leader and partner; one not
        booked (a follow-up, a decision) with the caller and partner chosen at this desk."""
        if self._refused_read_only():
            return None
        from winback_desktop.services.schedule.booking import booked_call

        if booked_call(self.attached_ctx, customer_id) is not None:
            return self._start(customer_id)
        return self._start(customer_id, self.caller.currentData(), self.partner.currentData())

    def _start(
        self, customer_id: int, *people: int | None, booked: Booked | None = None
    ) -> CallStarter | None:
        from winback_desktop.ui.call.starter import CallStarter

        if self.starter is None or self.starter.ctx is not self.attached_ctx:
            self.starter = CallStarter(self, self.attached_ctx)
            self.starter.started.connect(self.open_call)
        return self.starter if self.starter.start(customer_id, *people, booked=booked) else None

    def _selected_company(self) -> tuple[int, str] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.statusBar().showMessage("Select a customer first.", 5000)
            return None
        r = self.model.row_at(rows[0].row())
        return r.id, r.company

    def schedule_selected(self) -> None:
        from winback_desktop.ui.today.schedule_dialog import ScheduleDialog

        if self._refused_read_only():
            return
        chosen = self._selected_company()
        if chosen is None:
            return
        dialog = ScheduleDialog(self.attached_ctx, *chosen, parent=self)
        if dialog.exec() and dialog.result_value is not None:
            warn = " (it overlaps another booking)" if dialog.result_value.double_booked else ""
            self.statusBar().showMessage(f"Call with {chosen[1]} booked{warn}.", 8000)

    def attempt_selected(self) -> None:
        chosen = self._selected_company()
        if chosen is not None:
            self.log_attempt_for(*chosen)

    def log_attempt_for(self, customer_id: int, company: str) -> None:
        from winback_desktop.ui.today.attempt_dialog import AttemptDialog, outcome_text

        if self._refused_read_only():
            return
        dialog = AttemptDialog(self.attached_ctx, customer_id, company, parent=self)
        if dialog.exec() and dialog.result_value is not None:
            self.statusBar().showMessage(outcome_text(dialog.result_value), 12000)

    def open_call(self, call_id: int) -> CallWindow:
        from winback_desktop.ui.call.window import CallWindow

        window = self.call_windows.get(call_id)
        if window is None:
            loaded = self.starter.loaded.pop(call_id, None) if self.starter is not None else None
            window = CallWindow(self.attached_ctx, call_id, inputs=loaded)  # read with the start
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.closed.connect(self._call_closed)
            window.finished.connect(self.show_end_summary)
            window.open_call_requested.connect(self.open_call)
            self.call_windows[call_id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def show_end_summary(self, call_id: int) -> None:
        """What the ended call saved and what happens next (not modal: the next call can start)."""
        from winback_desktop.services.calls import lifecycle as calls
        from winback_desktop.ui.call.finished import EndSummary
        from winback_desktop.ui.call.window import script_for

        self.statusBar().showMessage("Call ended and saved.", 8000)
        detail = calls.detail(self.attached_ctx, call_id)
        self.end_summary = EndSummary(detail, script_for(self.attached_ctx, detail), self)
        self.end_summary.open_call.connect(self.open_call)
        self.end_summary.show()

    def _call_closed(self, call_id: int) -> None:
        self.call_windows.pop(call_id, None)  # what the call changed was reported as it was saved

    def offer_resume(self) -> CallWindow | None:
        """Offer the most recent unfinished call (left by a closed window or a crash)."""
        from winback_desktop.services.calls import lifecycle as calls

        if self._refused_read_only():
            return None
        ctx = self.attached_ctx
        unfinished = [u for u in calls.unfinished_calls(ctx) if u.call_id not in self.call_windows]
        if not unfinished:
            self.statusBar().showMessage("No unfinished calls.", 5000)
            return None
        u = unfinished[0]
        stage = ctx.script.stage(u.stage).title if u.stage in {s.key for s in ctx.script.stages} else u.stage
        more = (
            f"\n\n{count(len(unfinished) - 1, 'more unfinished call')} can be resumed afterwards."
            if len(unfinished) > 1
            else ""
        )
        if not confirm(
            self,
            "Resume unfinished call",
            f"The call with {u.company} was not finished (at stage “{stage}”, "
            f"started {short_date(u.started_at.date() if u.started_at else None)}).\n"
            f"Everything typed was saved. Resume it now?{more}",
            default_yes=True,
        ):
            return None
        return self.open_call(u.call_id)

    def offer_recovered(self) -> None:
        """At start-up: put back what an earlier session left in the recovery journal (before
        any call is opened, so a resumed call shows it)."""
        from winback_desktop.ui.call.recovery import offer_recovered

        if self.ctx is not None and self.notes is not None:
            done = offer_recovered(self, self.ctx, self.notes)
            if done:
                self.statusBar().showMessage(done, 15000)

    def load_sample(self) -> None:
        from winback_desktop.services.demo import load_demo

        try:
            summary = load_demo(self.attached_ctx)  # every screen reads what it shows again
        except ValueError as exc:
            QMessageBox.information(self, "Sample data", str(exc))
            return
        self.statusBar().showMessage(str(summary), 10000)

    def export_calls(self) -> Path | None:
        from winback_desktop.services.calls.export import export_calls

        default = self.attached_ctx.paths.exports / "calls.csv"
        default.parent.mkdir(parents=True, exist_ok=True)
        name, _ = QFileDialog.getSaveFileName(self, "Export calls", str(default), "CSV (*.csv)")
        if not name:
            return None
        try:
            n = export_calls(self.attached_ctx, Path(name))
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {name}:\n{exc.strerror or exc}")
            return None
        self.statusBar().showMessage(f"Exported {count(n, 'call')} to {name}", 8000)
        return Path(name)

    def backup_now(self) -> Path | None:
        from winback_desktop.services.errors import known_fault
        from winback_desktop.services.maintenance import backups as maintenance
        from winback_desktop.services.maintenance.health import DatabaseDamagedError

        if self.attached_ctx.paths.on_server:  # no file here: the server's backups apply
            QMessageBox.information(self, "Backups of the team database", maintenance.SERVER_BACKUPS)
            return None
        self.save_everything()
        try:
            path = maintenance.backup_now(self.attached_ctx.paths)
        except DatabaseDamagedError as exc:  # the copy failed its check, and so did the file
            from winback_desktop.ui.kit import damage

            damage.found_while_open(self, self.attached_ctx.paths, exc.detail)
            return None
        except Exception as exc:  # a full disk, a lock... is named; a bug is not caught
            words = known_fault(exc, self.attached_ctx.paths.database)
            if words is None and not isinstance(exc, OSError | RuntimeError):
                raise
            QMessageBox.warning(self, "Backup failed", f"The backup could not be written:\n{words or exc}")
            return None
        self.statusBar().showMessage(f"Backup written and checked: {path}", 10000)
        return path

    def restore_backup(self, backup: Path | None = None, *, ask: bool = True) -> bool:
        """Replace the database with a backup; the current file is kept in the backups folder.
        ``ask=False``: the user already chose (the damage dialog, ui/kit/damage.py)."""
        from winback_desktop.bootstrap import open_app
        from winback_desktop.services.maintenance import backups as maintenance

        if self.attached_ctx.paths.on_server:
            QMessageBox.information(self, "Backups of the team database", maintenance.SERVER_RESTORE)
            return False
        if backup is None:
            name, _ = QFileDialog.getOpenFileName(
                self, "Restore from backup", str(self.attached_ctx.paths.backups), "Backups (*.sqlite3)"
            )
            if not name:
                return False
            backup = Path(name)
        if ask and not confirm(
            self,
            "Restore from backup",
            f"Replace the current data with the backup\n{backup.name}?\n\nOpen calls are closed first. "
            "The current file is kept in the backups folder, so this can be undone.",
        ):
            return False
        for window in list(self.call_windows.values()):
            if not window.close():  # its notes still failing, and the user chose to keep trying
                return False
        self.ranking.stop()  # it would write into the file being replaced
        ctx = self.attached_ctx
        paths = ctx.paths
        ctx.close()
        try:
            aside = maintenance.restore_backup(paths, backup)
        except (ValueError, OSError) as exc:
            QMessageBox.warning(self, "Restore failed", f"Nothing was changed.\n\n{exc}")
            aside = None
            ok = False
        else:
            ok = True
        self._use_ctx(open_app(paths))
        self.offer_recovered()  # what the closed calls' database never took, if anything
        if ok:
            self.statusBar().showMessage(
                f"Restored {backup.name}; the replaced data is kept as {aside}", 15000
            )
        return ok

    def connect_team_database(self) -> bool:
        """File ▸ Connect to a team database…; True when the app reopened on the choice."""
        from winback_desktop.ui.team.connect import choose_database

        return choose_database(self)

    def shortcut_sections(self) -> list[Section]:
        """The F1 list, made from the declared actions of this window, its workspaces, the
        People dialog and the call window."""
        from winback_desktop.ui.call.actions import CALL_KEYS, call_menus
        from winback_desktop.ui.cycles.tab import CYCLE_ACTIONS, CYCLE_KEYS
        from winback_desktop.ui.followups.tab import BOARD_ACTIONS, BOARD_KEYS
        from winback_desktop.ui.people.dialog import PEOPLE_ACTIONS, PEOPLE_KEYS
        from winback_desktop.ui.today.tab import TODAY_ACTIONS, TODAY_KEYS

        stages = self.ctx.script.stages if self.ctx is not None else ()
        return [
            ("Main window", MENUS, KEYS),
            ("Today", (TODAY_ACTIONS,), TODAY_KEYS),
            ("Follow-ups", (BOARD_ACTIONS,), BOARD_KEYS),
            ("Cycles", (CYCLE_ACTIONS,), CYCLE_KEYS),
            ("People", (PEOPLE_ACTIONS,), PEOPLE_KEYS),
            ("During a call", call_menus(stages), CALL_KEYS),
        ]

    def shortcuts_dialog(self) -> ShortcutsDialog:
        return ShortcutsDialog(self.shortcut_sections(), FOOTER, self)

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog().exec()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nGuided recovery calls to lost and lapsed customers.\n"
            f"Data: {self.attached_ctx.paths.data_dir}\n{_where_data_lives(self.attached_ctx)}",
        )

    def _use_ctx(self, ctx: AppContext) -> None:
        """After a restore: every view works on the reopened database, and reads it again."""
        from winback_desktop.services.calls.writer import notes_writer
        from winback_desktop.services.team.feed import follow as follow_others

        self.ctx = ctx
        self.notes = notes_writer(ctx)
        self._follow_editing(ctx)
        for view in (self.roster, self.roster.details, *self._built.values()):
            view.ctx = ctx
        app_signals().attach(ctx.changes)
        follow_others(ctx)
        ctx.changed(*EVERYTHING)

    def _tab_shown(self, index: int) -> None:
        """A workspace is built when first shown; each reads itself again whenever it is shown
        (its change watcher), so a visible one is read once, here or by that."""
        if index > 0 and (name := WORKSPACES[index - 1][0]) not in self._built:
            self._workspace(name, load=not self.isVisible())

    def edit_people(self) -> None:
        from winback_desktop.ui.people.dialog import PeopleDialog

        PeopleDialog(self.attached_ctx, self).exec()  # the pickers follow through Change.PEOPLE

    def offer_first_run(self) -> None:
        """The first start of a fresh database: ask our company's name and who is here."""
        from winback_desktop.services.first_run import is_first_run

        if not self.read_only and is_first_run(self.attached_ctx):
            self.edit_setup(first=True)

    def edit_setup(self, first: bool = False) -> None:
        from winback_desktop.ui.people.setup_dialog import SetupDialog

        dialog = SetupDialog(self.attached_ctx, self, first=first)
        if dialog.exec() and dialog.result_value is not None:
            company = dialog.result_value.company or "not set yet (calls say “our company”)"
            self.statusBar().showMessage(f"Saved. Our company: {company}.", 10000)

    def ask_who_is_here(self) -> None:
        """A start with a team but no current user: ask who is here, then remember."""
        from winback_desktop.services.people import team as people
        from winback_desktop.ui.people.dialog import ask_current_user

        if self.read_only:
            return
        ctx = self.attached_ctx
        if people.current_user(ctx) is None and people.list_people(ctx):
            ask_current_user(ctx, self)  # a choice is reported as a Change.PEOPLE

    def cycle_sheets(self) -> None:
        """Action sheets for every call of the cycle selected on the Cycles tab, as one PDF."""
        from winback_desktop.services.calls import sheets

        cycle_id = self.cycles.selected_cycle_id()
        if cycle_id is None:
            self.show_tab(self.tabs.indexOf(self.cycles))
            self.statusBar().showMessage("Select a cycle on the Cycles tab first.", 6000)
            return
        self.today.show_sheets(sheets.calls_for_cycle(self.attached_ctx, cycle_id), f"cycle {cycle_id}")

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        self.tabs.currentWidget().setFocus()

    def bring_forward(self) -> None:
        """Another start of the app on this data folder asked for this window."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def save_everything(self) -> bool:
        """Flush every open call's pending typing; True when all of it reached the database."""
        flushed = all([window.autosave.flush() for window in self.call_windows.values()])
        return flushed and (self.notes is None or self.notes.wait(None, 0.5))

    def _closed_calls_saved(self) -> bool:
        """Calls closed while their notes were failing ("close anyway"): quitting asks once
        more, since the journal then keeps those notes only until the next start."""
        from winback_desktop.services.calls import unsaved
        from winback_desktop.ui.call import recovery

        notes, ctx = self.notes, self.ctx
        if notes is None or ctx is None or notes.closed or notes.wait(None, 1.0):
            return True
        while True:
            pending = notes.pending()
            calls = len({s.call_id for s in pending})
            what = "The latest notes of a closed call" if calls == 1 else f"Notes of {calls} closed calls"
            problem = notes.problem() or "the database has not answered yet"
            answer = recovery.ask_before_closing(self, what, problem, notes)
            if answer is recovery.CloseAnswer.KEEP_TRYING:
                return False
            if answer is recovery.CloseAnswer.CLOSE_ANYWAY or not pending:
                return True
            text = unsaved.as_text(unsaved.describe(ctx, pending), "Notes not saved yet")
            if recovery.save_notes_file(self, recovery.default_notes_file(ctx, "notes"), text):
                return True

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        for window in list(self.call_windows.values()):
            if not window.close():  # each flushes what was typed, or asks what to do
                event.ignore()
                return
        if not self._closed_calls_saved():
            event.ignore()
            return
        self.ranking.stop()
        for job in self.background_jobs:  # a half-done refresh is rolled back by SQLite
            try:
                job.finished.disconnect()
                job.kill()
                job.waitForFinished(3000)
            except RuntimeError:  # already finished and deleted
                pass
        self.background_jobs.clear()
        super().closeEvent(event)
