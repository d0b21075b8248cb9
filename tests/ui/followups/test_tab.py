"""The partner's follow-up board: filters, marking done by keyboard, reassigning, exporting."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
)

from winback_desktop.services.followups import board as followups
from winback_desktop.services.followups.board import CSV_HEADER, NO_OWNER
from winback_desktop.services.people import team as people
from winback_desktop.ui.followups.model import DUE, OVERDUE_COLOUR, STATUS, FollowUpsModel
from winback_desktop.ui.followups.tab import DueDateDialog, FollowUpsTab, counts_text
from winback_desktop.ui.kit.confirm import NoteDialog
from winback_desktop.ui.main_window import MainWindow

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
SOFIE, DANIEL, TOMAS, ELEANOR = 7, 6, 4, 1  # people in the sample data
OVERDUE_ITEM = 6  # Café Lumière: the monthly statement review, due four days ago


def make_tab(qtbot, ctx) -> FollowUpsTab:
    tab = FollowUpsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1100, 600)
    tab.show()
    qtbot.waitExposed(tab)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    return tab


@pytest.fixture
def tab(qtbot, demo_ctx) -> FollowUpsTab:
    return make_tab(qtbot, demo_ctx)


def ids(tab: FollowUpsTab) -> list[int]:
    return [f.id for f in tab.model.rows]


def cell(tab: FollowUpsTab, action_id: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    return tab.model.index(tab.model.row_of(action_id), column).data(role)


def pick_owner(tab: FollowUpsTab, owner_id: int) -> None:
    index = tab.owner.findData(owner_id)
    assert index > 0, [tab.owner.itemText(i) for i in range(tab.owner.count())]
    tab.owner.setCurrentIndex(index)


def pick_status(tab: FollowUpsTab, status: str) -> None:
    tab.status.setCurrentIndex(tab.status.findData(status))


def test_demo_board_shows_the_open_items_with_the_overdue_one_marked(tab, demo_ctx):
    assert tab.owner.currentData() is None  # nobody is the current user yet: everyone's items
    assert tab.model.rowCount() == 8
    assert tab.columns() == ["Due", "Owner", "Customer", "What", "Status"]
    assert all(f.status == "open" for f in tab.model.rows)
    overdue = [f for f in tab.model.rows if f.overdue]
    assert [f.id for f in overdue] == [OVERDUE_ITEM]
    # Marked in words (no colour needed), in red and bold, and read out in full.
    status = cell(tab, OVERDUE_ITEM, STATUS)
    assert re.fullmatch(r"OVERDUE \d+d", status) and status == f"OVERDUE {overdue[0].days_overdue}d"
    assert cell(tab, OVERDUE_ITEM, STATUS, Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOUR
    assert cell(tab, OVERDUE_ITEM, DUE, Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOUR
    assert cell(tab, OVERDUE_ITEM, STATUS, Qt.ItemDataRole.FontRole).bold()
    assert "Overdue by" in cell(tab, OVERDUE_ITEM, STATUS, Qt.ItemDataRole.AccessibleTextRole)
    others = [f.id for f in tab.model.rows if not f.overdue]
    assert all(cell(tab, i, STATUS) in ("open", "due today") for i in others)
    assert all(cell(tab, i, STATUS, Qt.ItemDataRole.ForegroundRole) is None for i in others)
    # The tooltip has the whole promise, the call it came from and who made it.
    item = followups.get(demo_ctx, OVERDUE_ITEM)
    tip = cell(tab, OVERDUE_ITEM, 3, Qt.ItemDataRole.ToolTipRole)
    assert "monthly statement review with Amélie" in tip and item.what.split()[-1] in tip
    assert item.caller_name in tip and item.call_date.strftime("%d %b %Y") in tip
    # The counts line, straight from the service.
    text = tab.counts_label.text()
    assert text.startswith("8 open · 1 overdue · ") and text.endswith(" · 6 done in the last 30 days")
    assert text == counts_text(followups.counts(demo_ctx))
    assert tab.shown_label.text() == "8 shown"
    # Something is selected and shown in full at the right, ready for the keyboard.
    assert tab.selected() is not None
    assert tab.selected().company in tab.details.title.text()


def test_model_passes_the_model_tester(qtmodeltester, tab):
    qtmodeltester.check(tab.model)
    tab.table.sortByColumn(STATUS, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(tab.model)
    pick_status(tab, "all")
    qtmodeltester.check(tab.model)
    empty = FollowUpsModel()
    qtmodeltester.check(empty)


def test_sorting_by_a_header_and_back_to_owner_order(tab):
    service_order = ids(tab)
    tab.table.sortByColumn(STATUS, Qt.SortOrder.AscendingOrder)
    assert ids(tab)[0] == OVERDUE_ITEM
    tab.table.sortByColumn(DUE, Qt.SortOrder.AscendingOrder)
    dues = [f.due_date for f in tab.model.rows]
    assert dues == sorted(dues)
    tab.table.sortByColumn(DUE, Qt.SortOrder.DescendingOrder)
    assert [f.due_date for f in tab.model.rows] == sorted(dues, reverse=True)
    tab.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert ids(tab) == service_order


def test_default_owner_is_the_current_user_when_they_own_items(qtbot, demo_ctx):
    people.set_current_user(demo_ctx, SOFIE)
    mine = make_tab(qtbot, demo_ctx)
    assert mine.owner.currentData() == SOFIE
    assert mine.model.rowCount() == 4 and {f.owner_id for f in mine.model.rows} == {SOFIE}
    assert mine.counts_label.text().startswith("Sofie Lindqvist: 4 open · 1 overdue")
    people.set_current_user(demo_ctx, ELEANOR)  # owns nothing open
    theirs = make_tab(qtbot, demo_ctx)
    assert theirs.owner.currentData() is None and theirs.model.rowCount() == 8


def test_owner_filter(tab, demo_ctx):
    labels = [tab.owner.itemText(i) for i in range(tab.owner.count())]
    assert labels[0] == "All owners"
    assert "Sofie Lindqvist — 4 open, 1 overdue" in labels
    assert "Tomás Quintero — 1 open" in labels
    tab.select_item(12)  # Aoife's: not in Sofie's view, so the selection starts at the top
    pick_owner(tab, SOFIE)
    assert {f.owner_id for f in tab.model.rows} == {SOFIE} and tab.selected().id == ids(tab)[0]
    tab.select_item(13)  # still in view after the next filter change: it stays selected
    pick_status(tab, "all")
    assert tab.model.rowCount() == 6 and tab.selected().id == 13
    pick_status(tab, "open")
    pick_owner(tab, TOMAS)
    assert [f.owner_name for f in tab.model.rows] == ["Tomás Quintero"]
    assert tab.counts_label.text().startswith("Tomás Quintero: 1 open · 0 overdue")
    # A promise nobody owns gets its own entry.
    followups.reassign(demo_ctx, 12, None)
    tab.refresh()
    assert tab.owner.currentData() == TOMAS  # the choice survives a reload
    pick_owner(tab, NO_OWNER)
    assert ids(tab) == [12]
    assert cell(tab, 12, 1) == "(no owner)"


def test_overdue_only(tab):
    tab.overdue_only.setChecked(True)
    assert ids(tab) == [OVERDUE_ITEM]
    tab.overdue_only.setChecked(False)
    assert tab.model.rowCount() == 8
    pick_status(tab, "done")
    tab.overdue_only.setChecked(True)  # overdue means open: the status follows
    assert tab.status.currentData() == "open" and ids(tab) == [OVERDUE_ITEM]


def test_search_is_debounced_and_finds_the_customer(qtbot, tab):
    tab.search.setFocus()
    qtbot.keyClicks(tab.search, "harbour")
    assert tab._search_timer.isActive() and tab.model.rowCount() == 8  # waits for a pause
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.model.row_at(0).company == "Harbourline Foods Ltd"
    assert tab.shown_label.text() == "1 shown"
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)  # Enter goes to the list
    assert tab.table.hasFocus() and tab.selected().company == "Harbourline Foods Ltd"
    tab.search.clear()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 8)
    tab.search.setText("nobody-like-this")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)
    assert tab.selected() is None and not tab.done_button.isEnabled()
    assert "match" in tab.details.title.text()


def test_mark_done_with_a_note_by_keyboard(qtbot, tab, demo_ctx, monkeypatch):
    asked = []
    note = "Review booked for the 1st of each month; Amélie has the invite & agenda"

    def fake_note(parent, title, label, text=""):
        asked.append((title, label, text))
        return note, True

    monkeypatch.setattr(NoteDialog, "ask", staticmethod(fake_note))
    changed = []
    tab.changed.connect(lambda: changed.append(True))
    assert tab.select_item(OVERDUE_ITEM)
    row = tab.table.currentIndex().row()
    next_id = ids(tab)[row + 1]
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_D, CTRL)
    settle(qtbot, tab)
    assert len(asked) == 1 and "Café Lumière" in asked[0][1]
    # It leaves the Open view; the next item takes its place in the selection.
    assert OVERDUE_ITEM not in ids(tab) and tab.model.rowCount() == 7
    assert tab.selected().id == next_id and tab.table.currentIndex().row() == row
    assert changed == [True]
    assert tab.counts_label.text().startswith("7 open · 0 overdue")
    done = followups.get(demo_ctx, OVERDUE_ITEM)
    assert done.status == "done" and done.done_note == note and done.done_at is not None
    # Under Done, with its note.
    pick_status(tab, "done")
    assert OVERDUE_ITEM in ids(tab)
    assert cell(tab, OVERDUE_ITEM, STATUS).startswith("done ")
    assert "Amélie has the invite &amp; agenda" in cell(tab, OVERDUE_ITEM, 0, Qt.ItemDataRole.ToolTipRole)
    tab.select_item(OVERDUE_ITEM)
    assert "Amélie has the invite &amp; agenda" in tab.details.note.text()
    assert not tab.done_button.isEnabled() and tab.reopen_button.isEnabled()


def settle(qtbot, tab) -> None:
    """Until the change made on a worker thread is in, and the board has read it."""
    qtbot.waitUntil(lambda: tab.job is None, timeout=5000)


def test_enter_on_a_row_marks_it_done_and_cancel_keeps_it_open(qtbot, tab, demo_ctx, monkeypatch):
    answers = iter([("", False), ("", True)])
    monkeypatch.setattr(NoteDialog, "ask", staticmethod(lambda *a, **k: next(answers)))
    first = ids(tab)[0]
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)  # the dialog is cancelled: nothing changes
    assert followups.get(demo_ctx, first).status == "open" and ids(tab)[0] == first
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)  # confirmed with no note: empty is fine
    settle(qtbot, tab)
    assert followups.get(demo_ctx, first).status == "done" and first not in ids(tab)
    assert tab.selected() is not None and tab.table.currentIndex().row() == 0


def test_reopen_keeps_the_note(qtbot, tab, demo_ctx):
    pick_status(tab, "done")
    assert tab.model.rowCount() == 6
    tab.select_item(5)  # the credit note for Café Lumière
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_O, CTRL | SHIFT)
    settle(qtbot, tab)
    assert 5 not in ids(tab) and tab.model.rowCount() == 5
    item = followups.get(demo_ctx, 5)
    assert item.status == "open" and item.done_note.startswith("Credit note issued")
    pick_status(tab, "open")
    assert 5 in ids(tab)
    tab.select_item(5)
    assert not tab.reopen_button.isEnabled()


def test_reassign_to_someone_else(qtbot, tab, demo_ctx, monkeypatch):
    offered = []

    def fake_pick(parent, title, label, items, current=0, editable=True):
        offered.append((items, current))
        return next(i for i in items if i.startswith("Daniel Okonkwo")), True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(fake_pick))
    tab.select_item(8)  # Tomás's call-again item
    tab.reassign_button.click()
    settle(qtbot, tab)
    items, current = offered[0]
    assert items[current].startswith("Tomás Quintero") and items[-1] == "(no owner)"
    assert followups.get(demo_ctx, 8).owner_id == DANIEL
    assert tab.selected().id == 8 and cell(tab, 8, 1) == "Daniel Okonkwo"  # still selected
    assert tab.owner.findData(TOMAS) < 0  # Tomás has nothing open any more
    # Seen from the old owner's filter, the item leaves the view.
    followups.reassign(demo_ctx, 8, TOMAS)
    tab.refresh()
    pick_owner(tab, TOMAS)
    tab.select_item(8)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_R, CTRL | SHIFT)
    settle(qtbot, tab)
    assert followups.get(demo_ctx, 8).owner_id == DANIEL
    assert tab.model.rowCount() == 0 and tab.owner.currentData() == TOMAS
    assert "Nothing open for Tomás Quintero" in tab.details.title.text()


def test_a_refused_change_is_explained(qtbot, tab, demo_ctx, monkeypatch):
    warnings = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, title, text, *a: warnings.append(text))
    )
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda _p, _t, _l, items, *a: (items[0], True)))

    def refuse(*_args):
        raise ValueError("Aoife Brennan is retired: give the item to someone active")

    monkeypatch.setattr(followups, "reassign", refuse)
    tab.select_item(4)
    assert tab.reassign()  # on its way, on a worker thread
    settle(qtbot, tab)
    [said] = warnings
    assert said.startswith(
        "Reassign: nothing was saved: Aoife Brennan is retired: give the item to someone active."
    )
    assert followups.get(demo_ctx, 4).owner_id == DANIEL and tab.selected().id == 4


def test_due_date_change_and_the_dialog(qtbot, tab, demo_ctx, monkeypatch):
    new_due = dt.date.today() + dt.timedelta(days=3)
    monkeypatch.setattr(
        DueDateDialog, "ask", classmethod(lambda cls, parent, current, what="": (new_due, True))
    )
    tab.select_item(OVERDUE_ITEM)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_T, CTRL | SHIFT)
    settle(qtbot, tab)
    item = followups.get(demo_ctx, OVERDUE_ITEM)
    assert item.due_date == new_due and not item.overdue
    assert tab.selected().id == OVERDUE_ITEM and cell(tab, OVERDUE_ITEM, STATUS) == "open"
    assert tab.counts_label.text().startswith("8 open · 0 overdue")

    dialog = DueDateDialog(dt.date(2026, 12, 1), "Send the price list")
    qtbot.addWidget(dialog)
    assert dialog.value() == dt.date(2026, 12, 1)
    dialog.week_later.click()
    assert dialog.value() == dt.date(2026, 12, 8)
    dialog.none.setChecked(True)
    assert dialog.value() is None and not dialog.date.isEnabled()


def test_delete_cancels_an_item_with_a_reason(qtbot, tab, demo_ctx, monkeypatch):
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: ("They moved to a rival", True))
    )
    tab.select_item(14)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    settle(qtbot, tab)
    item = followups.get(demo_ctx, 14)
    assert item.status == "cancelled" and item.done_note == "They moved to a rival"
    pick_status(tab, "cancelled")
    assert ids(tab) == [14] and cell(tab, 14, STATUS) == "cancelled"


def test_export_writes_the_filtered_board_as_csv(qtbot, tab, tmp_path, monkeypatch):
    out = tmp_path / "sofie"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "CSV (*.csv)"))
    )
    messages = []
    tab.message.connect(messages.append)
    pick_owner(tab, SOFIE)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_E, CTRL | SHIFT)
    written = out.with_suffix(".csv")
    with written.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == CSV_HEADER
    assert [int(r[0]) for r in rows[1:]] == ids(tab) and len(rows) == 5
    assert {r[CSV_HEADER.index("owner")] for r in rows[1:]} == {"Sofie Lindqvist"}
    late = [r for r in rows[1:] if r[CSV_HEADER.index("overdue_days")]]
    assert [int(r[0]) for r in late] == [OVERDUE_ITEM]
    assert messages == [f"Exported 4 follow-ups to {written}"]
    # A cancelled file dialog writes nothing.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    assert tab.export_csv() is None


def test_shortcuts_only_act_while_the_board_is_shown(qtbot, demo_ctx, monkeypatch):
    asked = []
    monkeypatch.setattr(NoteDialog, "ask", staticmethod(lambda *a, **k: asked.append(a) or ("", True)))
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    other = QLineEdit()
    board = FollowUpsTab(demo_ctx)
    tabs.addTab(other, "Customers")
    tabs.addTab(board, "Follow-ups")
    tabs.show()
    qtbot.waitExposed(tabs)
    tabs.activateWindow()
    qtbot.waitUntil(tabs.isActiveWindow)
    other.setFocus()
    qtbot.keyClick(other, Qt.Key.Key_D, CTRL)  # another workspace: not ours
    assert asked == [] and followups.counts(demo_ctx).open == 8
    tabs.setCurrentWidget(board)
    board.setFocus()
    assert board.table.hasFocus()  # the table is the focus proxy
    qtbot.keyClick(board.table, Qt.Key.Key_D, CTRL)
    settle(qtbot, board)
    assert len(asked) == 1 and followups.counts(demo_ctx).open == 7
    assert "Ctrl+D" in board.done_button.toolTip() and "Ctrl+Shift+E" in board.export_button.toolTip()


def test_an_empty_database_shows_an_empty_board(qtbot, ctx):
    empty = make_tab(qtbot, ctx)
    assert empty.model.rowCount() == 0
    assert empty.counts_label.text() == "0 open · 0 overdue · 0 due this week · 0 done in the last 30 days"
    assert [empty.owner.itemText(i) for i in range(empty.owner.count())] == ["All owners"]
    assert not empty.export_button.isEnabled() and not empty.done_button.isEnabled()
    assert "Nothing open" in empty.details.title.text()


def test_board_shortcuts_do_not_clash_with_the_main_window(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    board = window.followups  # built when first used
    assert window.findChild(FollowUpsTab) is board
    ours = {a.shortcut().toString() for a in board.actions() if not a.shortcut().isEmpty()}
    assert ours == {"Ctrl+D", "Ctrl+Shift+O", "Ctrl+Shift+R", "Ctrl+Shift+T", "Ctrl+Shift+E", "Ctrl+O"}
    theirs = {
        key.toString()
        for a in window.findChildren(QAction)
        if a not in board.actions()
        for key in a.shortcuts()
    }
    assert not ours & theirs


def test_mark_done_needs_no_mouse_tab_moves_on_and_ctrl_return_saves(qtbot, tab, demo_ctx):
    """The real note dialog, driven by keys only: typing, Tab to the buttons, Ctrl+Return."""
    seen: dict[str, object] = {}

    def type_into_the_dialog(left: int = 400) -> None:
        dialog = QApplication.activeModalWidget()
        if not (isinstance(dialog, NoteDialog) and dialog.isVisible()):
            if left:
                QTimer.singleShot(10, lambda: type_into_the_dialog(left - 1))
            return
        editor = dialog.editor
        try:
            editor.setFocus()
            qtbot.keyClicks(editor, "Called back, all settled")
            qtbot.keyClick(editor, Qt.Key.Key_Tab)
            seen["after_tab"] = dialog.focusWidget()
            seen["text_after_tab"] = editor.toPlainText()
            editor.setFocus()
            qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)
        finally:
            if dialog.isVisible():  # a failure fails the test instead of hanging it
                seen["left_open"] = True
                dialog.reject()

    assert tab.select_item(OVERDUE_ITEM)
    tab.table.setFocus()
    QTimer.singleShot(0, type_into_the_dialog)
    qtbot.keyClick(tab.table, Qt.Key.Key_D, CTRL)
    assert "left_open" not in seen  # Ctrl+Return saved it
    assert seen["text_after_tab"] == "Called back, all settled"  # no tab typed into the note
    assert isinstance(seen["after_tab"], QPushButton)  # the focus went on, to the buttons
    settle(qtbot, tab)  # saved on a worker thread
    done = followups.get(demo_ctx, OVERDUE_ITEM)
    assert done.status == "done" and done.done_note == "Called back, all settled"
