"""Screens learn what changed from one signal: a service's report reaches every screen that
shows that kind of data, and only the screens of that database."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtWidgets import QWidget

from winback_desktop.services import roster
from winback_desktop.services.changes import Change
from winback_desktop.services.followups import board as followups
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.ui.kit.signals import on_change
from winback_desktop.ui.main_window import MainWindow
from winback_desktop.ui.today.tab import ROLE


class Screen(QWidget):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.read: list[frozenset[Change]] = []
        on_change(self, {Change.FOLLOWUPS, Change.PEOPLE}, self.read.append)


def test_a_screen_hears_the_kinds_it_shows_of_its_own_database(qtbot, ctx, tmp_path):
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths

    screen = Screen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    ctx.changed(Change.CUSTOMERS)  # not shown here
    ctx.changed(Change.PEOPLE, Change.CUSTOMERS)
    other = open_app(Paths(tmp_path / "other", custom=True))
    try:
        Screen(other).deleteLater()
        other.changed(Change.PEOPLE)  # another database: not this screen's
    finally:
        other.close()
    assert screen.read == [frozenset({Change.PEOPLE})]
    screen.hide()
    ctx.changed(Change.FOLLOWUPS)
    ctx.changed(Change.PEOPLE)
    assert len(screen.read) == 1  # hidden: read when shown again, once, for both
    screen.show()
    assert screen.read[1:] == [frozenset({Change.FOLLOWUPS, Change.PEOPLE})]
    shiboken6.delete(screen)
    ctx.changed(Change.PEOPLE)  # a deleted screen hears nothing (and nothing breaks)


@pytest.fixture
def window(qtbot, demo_ctx):
    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_the_workspaces_follow_changes_made_anywhere(qtbot, window, demo_ctx):
    board, today = window.followups, window.today
    window.show_tab(window.tabs.indexOf(board))
    item = board.model.row_at(0)
    followups.mark_done(demo_ctx, item.id, "sent")  # as the call window or the command line would
    assert item.id not in [f.id for f in board.model.rows]  # the Open view no longer has it

    added = people.add_person(demo_ctx, "Zoë Quist", "caller")
    assert window.caller.findData(added) > 0  # the window is shown: at once
    assert today.person.findData(added) < 0  # a hidden tab reads when it is next shown...
    window.show_tab(window.tabs.indexOf(today))
    assert today.person.findData(added) >= 0  # ...once

    first = schedule.agenda(demo_ctx, days=14)[0]
    today.person.setCurrentIndex(today.person.findData(first.leader_id))
    today.day.setDate(first.local_start.date())
    assert first.call_id in booked(today)
    schedule.cancel_scheduled(demo_ctx, first.call_id)
    assert first.call_id not in booked(today)


def booked(today) -> list[int]:
    shown = [today.tree.topLevelItem(i).data(0, ROLE) for i in range(today.tree.topLevelItemCount())]
    return [d[2] for d in shown if d and d[0] == "call"]


def test_a_shown_workspace_is_read_once_each_time(qtbot, window, monkeypatch):
    window.show_tab(3)  # built for showing: read by its watcher, not twice
    reads = []
    monkeypatch.setattr(window.cycles, "refresh", lambda: reads.append("cycles"))
    window.show_tab(0)
    window.show_tab(3)
    assert reads == ["cycles"]  # read again when shown (writes made elsewhere)


def test_the_roster_stays_on_the_customer_it_shows(qtbot, window, demo_ctx):
    window.table.selectRow(3)
    chosen = window.model.row_at(3)
    roster.flag_verify_contact(demo_ctx, chosen.id)
    assert window.roster.selected_customer_id() == chosen.id
    assert window.roster.details.row.verify_contact and "verify contact" in window.model.index(3, 8).data()
    roster.decide(demo_ctx, chosen.id, "let_go", "moved abroad")  # drops to the bottom
    assert window.roster.selected_customer_id() == chosen.id
    assert "Let go" in window.roster.details.why.text()
