"""The Rescue cycles tab: new cycle, fill from the roster, progress, close — checked in the database."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from winback_desktop.services import roster
from winback_desktop.services.cycles import progress as cycle_reading
from winback_desktop.services.cycles import rescue as cycles
from winback_desktop.services.people import team as people
from winback_desktop.ui.cycles.dialogs import (
    FillDialog,
    NewCycleDialog,
    pydate,
    summary_text,
    waiting_count,
)
from winback_desktop.ui.cycles.tab import CyclesTab

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def person(ctx, name: str) -> int:
    return next(p.id for p in people.list_people(ctx) if p.name == name)


@pytest.fixture
def pursue30(demo_ctx) -> list[int]:
    """30 lapsed or lost demo customers marked "pursue" (the demo has them all undecided)."""
    rows = roster.roster_page(demo_ctx, status=("lapsed", "lost"), limit=30)
    assert len(rows) == 30
    for r in rows:
        roster.decide(demo_ctx, r.id, "pursue")
    return [r.id for r in rows]


@pytest.fixture
def tab(qtbot, demo_ctx):
    t = CyclesTab(demo_ctx)
    qtbot.addWidget(t)
    return t


@pytest.fixture
def team(demo_ctx):
    ctx = demo_ctx
    executives = [
        (person(ctx, "Eleanor Hartley"), person(ctx, "Daniel Okonkwo")),
        (person(ctx, "Rafael Mendonça"), person(ctx, "Sofie Lindqvist")),
    ]
    callers = [person(ctx, n) for n in ("Aoife Brennan", "Priya Raman", "Tomás Quintero")]
    return executives, callers


def drive(monkeypatch, tab: CyclesTab, factory: str, act):
    """Make the tab's dialog factory return a dialog whose exec() runs ``act(dialog)``."""
    real = getattr(tab, factory)
    made = []

    def make(*args):
        dialog = real(*args)

        def run():
            act(dialog)
            return dialog.result()

        dialog.exec = run
        made.append(dialog)
        return dialog

    monkeypatch.setattr(tab, factory, make)
    return made


def fill_with(team, limit: int = 0):
    executives, callers = team

    def act(dialog: FillDialog):
        for exec_id, partner_id in executives:
            dialog.set_executive(exec_id, True, partner_id)
        dialog.set_callers(callers)
        dialog.limit.setValue(limit)
        assert dialog.fill() is not None, dialog.error.text()
        dialog.done_button.click()

    return act


def shown(tab: CyclesTab, column: int) -> list[str]:
    proxy = tab.assignment_table.model()
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


# --- new cycle ------------------------------------------------------------------------------------


def test_empty_tab_invites_a_first_cycle(tab):
    assert tab.cycle_model.rowCount() == 0
    assert tab.right.currentIndex() == 0
    assert "No rescue cycles yet" in tab.empty_label.text()
    assert not tab.fill_button.isEnabled() and not tab.close_button.isEnabled()


def test_new_cycle_dialog_fills_name_and_dates(qtbot, demo_ctx):
    dialog = NewCycleDialog(demo_ctx)
    qtbot.addWidget(dialog)
    dialog.set_period("quarter", dt.date(2026, 5, 10))
    assert dialog.name.text() == "Q2 2026"
    assert (pydate(dialog.starts.date()), pydate(dialog.ends.date())) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    dialog.month.setChecked(True)
    assert dialog.name.text() == cycles.cycle_name("month", dt.date(2026, 5, 10)) == "May 2026"
    assert pydate(dialog.ends.date()) == dt.date(2026, 5, 31)
    assert (dialog.quota.minimum(), dialog.quota.maximum()) == (1, 10)

    dialog.name.setText("Spring push")  # editable
    dialog.quota.setValue(3)
    dialog.create_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    c = cycles.get_cycle(demo_ctx, dialog.cycle_id)
    assert (c.name, c.starts_on, c.ends_on, c.executive_quota, c.status) == (
        "Spring push",
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 31),
        3,
        "open",
    )


def test_new_cycle_errors_stay_in_the_dialog(qtbot, demo_ctx):
    dialog = NewCycleDialog(demo_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("  ")
    assert not dialog.create_cycle()
    assert dialog.error.isVisible() and "needs a name" in dialog.error.text()
    dialog.name.setText("Backwards")
    dialog.ends.setDate(dialog.starts.date().addDays(-1))
    assert not dialog.create_cycle()
    assert "before it starts" in dialog.error.text()
    assert cycles.list_cycles(demo_ctx) == []


def test_create_a_cycle_from_the_tab(tab, demo_ctx, monkeypatch):
    def act(dialog: NewCycleDialog):
        dialog.set_period("month", dt.date(2026, 6, 15))
        dialog.quota.setValue(4)
        assert dialog.create_cycle()

    drive(monkeypatch, tab, "new_cycle_dialog", act)
    tab.new_button.click()
    [c] = cycles.list_cycles(demo_ctx)
    assert (c.name, c.executive_quota) == ("June 2026", 4)
    assert tab.cycle_model.rowCount() == 1 and tab.selected_cycle_id() == c.id
    assert tab.right.currentIndex() == 1
    assert "June 2026" in tab.title.text()
    assert tab.fill_button.isEnabled()
    assert tab.assignments_hint.isVisibleTo(tab) and "Fill from the roster" in tab.assignments_hint.text()


def test_a_cancelled_new_cycle_creates_nothing(tab, demo_ctx, monkeypatch):
    drive(monkeypatch, tab, "new_cycle_dialog", lambda d: d.reject())
    assert tab.new_cycle() is None
    assert cycles.list_cycles(demo_ctx) == []


# --- fill -----------------------------------------------------------------------------------------


def test_fill_two_executives_with_partners_and_three_callers(tab, demo_ctx, pursue30, team, monkeypatch):
    cycle_id = cycles.create_cycle(demo_ctx, "June 2026", dt.date(2026, 6, 1), dt.date(2026, 6, 30), 5)
    tab.refresh()
    assert tab.select_cycle(cycle_id)
    assert waiting_count(demo_ctx) == 30
    made = drive(monkeypatch, tab, "fill_dialog", fill_with(team))
    tab.fill_button.click()

    summary = made[0].summary
    assert summary.added == 30 and summary.remaining == 0
    text = summary_text(summary)
    assert text.startswith("30 customers added: Eleanor Hartley 5 (with Daniel Okonkwo), ")
    assert "Rafael Mendonça 5 (with Sofie Lindqvist)" in text
    assert text.endswith("; no pursue customers left.")
    assert "30 customers added" in made[0].result_label.text()
    assert made[0].pages.currentIndex() == 1

    rows = cycle_reading.cycle_assignments(demo_ctx, cycle_id)
    assert len(rows) == 30 and {r.customer_id for r in rows} == set(pursue30)
    executives, callers = team
    per_person = Counter(r.assignee_id for r in rows)
    for exec_id, partner_id in executives:
        assert per_person[exec_id] == 5  # the quota, exactly
        assert {r.partner_id for r in rows if r.assignee_id == exec_id} == {partner_id}
    assert sorted(per_person[c] for c in callers) == [6, 7, 7]
    # The executives have the highest-ranked customers.
    lowest_exec = min(r.priority for r in rows if r.kind == "executive")
    assert all(r.priority <= lowest_exec for r in rows if r.kind == "caller")

    # The table shows them all: customer, kind, assignee, partner.
    assert tab.assignment_table.model().rowCount() == 30
    assert sorted(shown(tab, 0)) == sorted(r.company for r in rows)
    assert Counter(shown(tab, 2)) == {"Executive": 10, "Caller": 20}
    assert Counter(zip(shown(tab, 3), shown(tab, 4), strict=True))[("Eleanor Hartley", "Daniel Okonkwo")] == 5
    assert not tab.assignments_hint.isVisibleTo(tab)
    assert waiting_count(demo_ctx) == 0


def test_fill_again_tops_up_without_doubling(tab, demo_ctx, pursue30, team, monkeypatch):
    cycle_id = cycles.create_cycle(demo_ctx, "June 2026", dt.date(2026, 6, 1), dt.date(2026, 6, 30), 3)
    tab.refresh()
    tab.select_cycle(cycle_id)
    made = drive(monkeypatch, tab, "fill_dialog", fill_with(team, limit=4))
    tab.fill_cycle()
    assert made[0].summary.added == 3 + 3 + 4
    assert "20 pursue customers left" in summary_text(made[0].summary)
    again = drive(monkeypatch, tab, "fill_dialog", fill_with(team))  # no limit this time
    tab.fill_cycle()
    second = again[0].summary
    assert second.added == 20  # executives are full; callers take the rest
    assert all(s.added == 0 for s in second.shares if s.kind == "executive")
    assert "Eleanor Hartley 0 (now 3, with Daniel Okonkwo)" in summary_text(second)
    rows = cycle_reading.cycle_assignments(demo_ctx, cycle_id)
    assert len(rows) == 30 == len({r.customer_id for r in rows})
    assert tab.assignment_table.model().rowCount() == 30


def test_fill_dialog_suggests_pairs_and_needs_someone(qtbot, demo_ctx, pursue30):
    cycle_id = cycles.create_cycle(demo_ctx, "June 2026", dt.date(2026, 6, 1), dt.date(2026, 6, 30), 5)
    dialog = FillDialog(demo_ctx, cycle_id)
    qtbot.addWidget(dialog)
    # Every executive ticked with a different partner, every caller ticked, by default.
    executives, callers = dialog.team()
    assert (
        len(executives) == 2
        and len({p for _e, p in executives}) == 2
        and None not in dict(executives).values()
    )
    assert len(callers) == 3
    assert "<b>30 customers</b> waiting" in dialog.intro.text()
    for exec_id in list(dialog.exec_rows):
        dialog.set_executive(exec_id, False)
    dialog.set_callers([])
    assert dialog.fill() is None
    assert dialog.error.isVisibleTo(dialog)
    assert "at least one" in dialog.error.text()
    assert cycle_reading.cycle_assignments(demo_ctx, cycle_id) == []


def test_fill_with_nobody_waiting_says_why(qtbot, demo_ctx, team):
    cycle_id = cycles.create_cycle(demo_ctx, "June 2026", dt.date(2026, 6, 1), dt.date(2026, 6, 30), 5)
    dialog = FillDialog(demo_ctx, cycle_id)
    qtbot.addWidget(dialog)
    summary = dialog.fill()
    assert summary is not None and summary.added == 0
    assert "Pursue" in summary_text(summary) and "No customers added" in dialog.result_label.text()


# --- progress and close -------------------------------------------------------------------------


def test_progress_figures_match_the_service(tab, demo_ctx, pursue30, team, monkeypatch, qtmodeltester):
    today = dt.date.today()
    start, end = cycles.cycle_dates("quarter", today)  # the demo's calls fall in this window
    cycle_id = cycles.create_cycle(demo_ctx, "This quarter", start, end, 5)
    tab.refresh()
    tab.select_cycle(cycle_id)
    drive(monkeypatch, tab, "fill_dialog", fill_with(team))
    tab.fill_cycle()
    p = cycle_reading.cycle_progress(demo_ctx, cycle_id)
    assert p.assigned == 30
    for key in ("assigned", "called", "reached", "won_back", "open_followups"):
        assert tab.figures[key].text() == str(getattr(p, key)), key
    assert (tab.called_bar.value(), tab.called_bar.maximum()) == (p.called, p.assigned)
    assert tab.called_bar.format().startswith(f"{p.called} of {p.assigned} called")
    assert tab.assignee_model.rows() == p.by_assignee
    by = tab.assignee_table.model()
    names = [by.index(r, 0).data() for r in range(by.rowCount())]
    assert set(names) == {
        "Eleanor Hartley",
        "Rafael Mendonça",
        "Aoife Brennan",
        "Priya Raman",
        "Tomás Quintero",
    }
    row = tab.cycle_model.row_of(cycle_id)
    assert tab.cycle_model.index(row, 4).data() == f"{p.called} of 30 called"

    for model in (tab.cycle_model, tab.assignee_model, tab.assignment_model):
        qtmodeltester.check(model)

    # One person's customers.
    rafael = person(demo_ctx, "Rafael Mendonça")
    tab.assignee_filter.setCurrentIndex(tab.assignee_filter.findData(rafael))
    assert {a.assignee_id for a in tab.shown_assignments()} == {rafael}
    assert len(tab.shown_assignments()) == 5
    tab.assignee_filter.setCurrentIndex(0)
    assert len(tab.shown_assignments()) == 30


def test_close_cycle(tab, demo_ctx, pursue30, team, monkeypatch):
    cycle_id = cycles.create_cycle(demo_ctx, "June 2026", dt.date(2026, 6, 1), dt.date(2026, 6, 30), 5)
    tab.refresh()
    tab.select_cycle(cycle_id)
    drive(monkeypatch, tab, "fill_dialog", fill_with(team))
    tab.fill_cycle()
    asked = []

    def answer(reply):
        def question(parent, title, text, *args, **kwargs):
            asked.append(text)
            return reply

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    assert not tab.close_cycle()
    assert cycles.get_cycle(demo_ctx, cycle_id).status == "open"
    assert "June 2026" in asked[0]

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    tab.close_button.click()
    assert cycles.get_cycle(demo_ctx, cycle_id).status == "closed"
    assert tab.selected_cycle_id() == cycle_id
    assert tab.cycle_model.index(0, 3).data() == "Closed"
    assert not tab.fill_button.isEnabled() and not tab.close_button.isEnabled()
    assert tab.assignment_table.model().rowCount() == 30  # history stays
    assert waiting_count(demo_ctx) == 30  # its customers may join the next cycle


def test_keyboard_shortcuts(qtbot, tab, demo_ctx, pursue30, team, monkeypatch):
    tab.show()
    qtbot.waitExposed(tab)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    tab.setFocus()

    def act(dialog: NewCycleDialog):
        dialog.set_period("month", dt.date(2026, 7, 1))
        assert dialog.create_cycle()

    drive(monkeypatch, tab, "new_cycle_dialog", act)
    qtbot.keyClick(tab.cycle_list, Qt.Key.Key_N, CTRL)
    [c] = cycles.list_cycles(demo_ctx)
    assert c.name == "July 2026"
    assert "Ctrl+N" in tab.new_button.toolTip() and "Ctrl+Shift+F" in tab.fill_button.toolTip()

    made = drive(monkeypatch, tab, "fill_dialog", fill_with(team))
    tab.cycle_list.setFocus()
    qtbot.keyClick(tab.cycle_list, Qt.Key.Key_F, CTRL | SHIFT)
    assert made and made[0].summary.added == 30

    # Enter on an assignment asks to open that customer.
    opened = []
    tab.customer_activated.connect(opened.append)
    tab.assignment_table.setFocus()
    tab.assignment_table.selectRow(0)
    qtbot.keyClick(tab.assignment_table, Qt.Key.Key_Return)
    assert opened == [tab.shown_assignments()[0].customer_id]
