"""File ▸ Imports…: the list of imports and their undo, on a real database file, with the real
dialog driven by keys and buttons, and the undo run by the real child job.

The database is read back with plain sqlite3 (tests/helpers/imports); the message boxes are
answered as a user would (tests/helpers/dialogs); a second process holding the write lock
(tests/helpers/faults) keeps the job waiting, to show the window answers meanwhile.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.helpers.dialogs import Answerer
from tests.helpers.faults import write_lock_held
from tests.helpers.imports import counts, query, write_csv
from winback_desktop.bootstrap import open_app
from winback_desktop.services.imports import batches
from winback_desktop.services.imports.importer import import_customers, import_orders
from winback_desktop.ui.main_window import MainWindow
from winback_desktop.ui.roster.imports_view import ImportsDialog, state

ORDERS = ["Customer ID", "Order date", "Amount", "Order ID"]
YES, OK = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Ok
JOB_TIMEOUT = 60_000  # ms: a child process on a loaded 2-core machine


@pytest.fixture
def window(qtbot, ctx):
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def open_imports(qtbot, window: MainWindow) -> ImportsDialog:
    dialog = window.roster_menu.show_imports()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)  # its keys reach it
    dialog.table.setFocus()
    return dialog


def two_order_files(ctx, tmp_path):
    """#1 creates A1 and B2 with two orders; #2 comes with A1's order X1 changed (replacing it)."""
    import_orders(
        ctx,
        write_csv(
            tmp_path / "first.csv",
            [ORDERS, ["A1", "2024-03-04", "50", "X1"], ["B2", "2024-05-06", "70", "X2"]],
        ),
    )
    import_orders(ctx, write_csv(tmp_path / "fixed.csv", [ORDERS, ["A1", "2024-03-04", "55", "X1"]]))


def test_every_import_is_listed_newest_first_with_its_state(qtbot, ctx, window, tmp_path, qtmodeltester):
    import_customers(ctx, write_csv(tmp_path / "crm.csv", [["Customer ID", "Company"], ["A1", "Alpha"]]))
    two_order_files(ctx, tmp_path)
    import_orders(ctx, write_csv(tmp_path / "later.csv", [ORDERS, ["C3", "2024-06-01", "9", ""]]))
    batches.undo(ctx, 4)
    dialog = open_imports(qtbot, window)
    qtmodeltester.check(dialog.model)
    m = dialog.model
    cells = [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]
    assert [row[:3] for row in cells] == [
        ["4", "Order history", "later.csv"],
        ["3", "Order history", "fixed.csv"],
        ["2", "Order history", "first.csv"],
        ["1", "Customers", "crm.csv"],
    ]
    assert [row[4:6] for row in cells] == [["1", "1"], ["1", "1"], ["2", "2"], ["1", "1"]]
    assert cells[0][6].startswith("undone ") and cells[1][6] == "applied"
    assert cells[2][6] == "cannot be undone: undo #3 first"  # #3 replaced an order #2 wrote
    assert "Import #3 (fixed.csv) replaced orders" in m.data(m.index(2, 6), Qt.ItemDataRole.ToolTipRole)
    assert cells[3][6] == "applied"
    # Enter on a row: what it brought and what undoing it would do, read off the GUI thread.
    dialog.table.selectRow(2 - 1)  # #3
    answerer = Answerer([OK]).start()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(answerer.seen), timeout=JOB_TIMEOUT)
    title, text = answerer.seen[0]
    assert title == "Import #3" and "from fixed.csv" in text and "1 rows, 1 customers" in text
    assert "1 order lines are removed and 1 lines it replaced are put back" in text
    assert dialog.isVisible()  # Enter did not close the dialog


def test_nothing_imported_shows_the_empty_state(qtbot, window):
    dialog = open_imports(qtbot, window)
    assert dialog.pages.currentWidget() is dialog.empty
    assert dialog.empty.isVisible() and dialog.empty.button.text() == "&Import customers…"


def test_undo_takes_the_import_back_and_every_screen_follows(qtbot, ctx, window, tmp_path):
    import_orders(
        ctx,
        write_csv(
            tmp_path / "wrong.csv", [ORDERS, ["K1", "03/04/2024", "50", ""], ["K2", "05/06/2024", "7", ""]]
        ),
        date_order="dmy",
    )
    window.refresh()
    assert window.model.rowCount() == 2
    plan = batches.undo_plan(ctx, 1)
    dialog = open_imports(qtbot, window)
    answerer = Answerer([YES]).start()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=JOB_TIMEOUT)
    assert answerer.seen == [("Undo import #1", plan.describe())]
    # In the database: the lines and the customers the import created are gone, the batch undone.
    assert (counts(ctx)["orders"], counts(ctx)["customers"]) == (0, 0)
    assert query(ctx, "SELECT undone_at IS NOT NULL, applied_sha256 FROM imports") == [(1, None)]
    said = "Import #1 (wrong.csv) is undone: 2 order lines removed; 2 customers it created removed."
    assert dialog.message.text().startswith(said)
    assert window.statusBar().currentMessage().startswith(said)
    assert window.model.rowCount() == 0  # the roster read again (the change signal)
    assert state(dialog.model.row_at(0)).startswith("undone ")
    assert not dialog.undo_button.isEnabled()  # undone: nothing left to undo


def test_a_refused_undo_says_why_and_changes_nothing(qtbot, ctx, window, tmp_path):
    two_order_files(ctx, tmp_path)
    before = query(
        ctx, "SELECT customer_id, order_ref, order_date, amount, import_id FROM orders ORDER BY id"
    )
    dialog = open_imports(qtbot, window)
    dialog.table.selectRow(1)  # #1, whose order X1 import #2 replaced
    assert dialog.undo_button.isEnabled()  # pressing it says why
    answerer = Answerer([OK]).start()
    dialog.undo_button.click()
    qtbot.waitUntil(lambda: bool(answerer.seen), timeout=JOB_TIMEOUT)
    reason = "Import #2 (fixed.csv) replaced orders that import #1 wrote; undo #2 first."
    assert answerer.seen == [("Import #1 cannot be undone", reason)]
    assert dialog.message.text() == reason
    assert (
        query(ctx, "SELECT customer_id, order_ref, order_date, amount, import_id FROM orders ORDER BY id")
        == before
    )
    assert query(ctx, "SELECT count(*) FROM imports WHERE undone_at IS NOT NULL") == [(0,)]


def test_read_only_offers_no_undo(qtbot, ctx, paths, tmp_path):
    two_order_files(ctx, tmp_path)
    ctx.close()
    reading = open_app(paths, read_only="the test opened it read-only")
    try:
        w = MainWindow(reading)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        dialog = open_imports(qtbot, w)
        assert dialog.model.rowCount() == 2  # the list is there to read
        assert dialog.details_button.isEnabled()
        assert not dialog.undo_button.isEnabled() and not dialog.commands["undo"].isEnabled()
        dialog.table.selectRow(0)  # selecting does not bring it back
        assert not dialog.undo_button.isEnabled() and not dialog.commands["undo"].isEnabled()
        qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
        assert not dialog.undoing
        assert query(reading, "SELECT count(*) FROM imports WHERE undone_at IS NOT NULL") == [(0,)]
    finally:
        reading.close()


@pytest.mark.sqlite_only  # the SQLite file's write lock, held by another process
def test_the_window_answers_while_the_undo_runs(qtbot, ctx, window, paths, tmp_path):
    two_order_files(ctx, tmp_path)
    dialog = open_imports(qtbot, window)
    assert dialog.selected_id() == 2
    with write_lock_held(paths.database) as release:  # the job waits for the lock, meanwhile:
        answerer = Answerer([YES]).start()  # held: a timer keeps no strong reference
        qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
        qtbot.waitUntil(lambda: dialog.undoing, timeout=JOB_TIMEOUT)
        assert dialog.busy.isVisible() and "Undoing import #2 (fixed.csv)" in dialog.message.text()
        assert not dialog.undo_button.isEnabled()  # one undo at a time
        qtbot.keyClick(dialog.table, Qt.Key.Key_Down)  # the GUI thread takes keys
        assert dialog.selected_id() == 1
        window.search.setFocus()
        qtbot.keyClicks(window.search, "A1")
        assert window.search.text() == "A1"
        assert dialog.undoing and query(ctx, "SELECT count(*) FROM imports WHERE undone_at IS NOT NULL") == [
            (0,)
        ]
        release()
        qtbot.waitUntil(lambda: not dialog.undoing, timeout=JOB_TIMEOUT)
    assert dialog.last_result is not None and dialog.last_result["id"] == 2
    assert [title for title, _text in answerer.seen] == ["Undo import #2"]
    assert query(ctx, "SELECT order_ref, amount FROM orders ORDER BY order_ref") == [("X1", 50), ("X2", 70)]
    assert not dialog.busy.isVisible()


@pytest.mark.sqlite_only  # the SQLite file's write lock, held by another process
def test_a_database_busy_too_long_is_said_in_words(qtbot, ctx, window, paths, tmp_path):
    two_order_files(ctx, tmp_path)
    dialog = open_imports(qtbot, window)
    with write_lock_held(paths.database):  # held past the busy timeout (5 s)
        answerer = Answerer([YES, OK]).start()
        qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
        qtbot.waitUntil(lambda: len(answerer.seen) == 2, timeout=JOB_TIMEOUT)
    title, text = answerer.seen[1]
    assert title == "Import #2 not undone"
    assert text.startswith("Nothing was undone: the database is busy")
    assert dialog.message.text() == text and dialog.last_result is None
    assert query(ctx, "SELECT count(*) FROM imports WHERE undone_at IS NOT NULL") == [(0,)]
    assert dialog.undo_button.isEnabled()  # it can be tried again
