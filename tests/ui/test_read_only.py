"""The window on a read-only folder (a real read-only bind mount) and on a disk that fills up
(a real tmpfs): the data is shown with every editing action off and the reason on screen; a
fault met while working (End call or Back up now on a disk that filled up) is named, not
reported as an unexpected error. (Back up now on a damaged file: tests/integration/test_damage.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QMessageBox

from tests.helpers.faults import fill_to, read_only_folder, small_disk, snapshot
from tests.ui.call.test_call_flow import open_call_by_keyboard
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import DB_FILE_NAME, Paths
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.ui.followups.tab import FollowUpsTab
from winback_desktop.ui.kit.read_only import is_editing
from winback_desktop.ui.main_window import MainWindow


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from winback_desktop.services.demo import load_demo

    folder = tmp_path_factory.mktemp("demo")
    ctx = open_app(Paths(folder, custom=True))
    load_demo(ctx)
    ctx.close()
    return folder / DB_FILE_NAME


def editing_left_on(window: MainWindow) -> list[str]:
    """Every marked action and button under the window that is still enabled."""
    on = [a.text() for a in window.findChildren(QAction) if is_editing(a) and a.isEnabled()]
    return on + [b.text() for b in window.findChildren(QAbstractButton) if is_editing(b) and b.isEnabled()]


def test_a_read_only_folder_shows_everything_and_changes_nothing(qtbot, demo_db, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy2(demo_db, data / DB_FILE_NAME)
    before = snapshot(data)
    with read_only_folder(data):
        ctx = open_app(Paths(data, custom=True))
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.read_only_banner is not None and window.read_only_banner.isVisible()
        assert f"The folder {data} is on a read-only disk." in window.read_only_banner.text()
        assert window.model.rowCount() > 0
        for i in range(4):  # every workspace built, and locked as it is built
            window.show_tab(i)
        assert editing_left_on(window) == []
        assert window.commands["export_calls"].isEnabled()  # reading and exporting stay on

        # Choosing rows enables a screen's buttons again in ordinary use: not here.
        window.show_tab(0)
        window.table.selectRow(1)
        qtbot.waitUntil(lambda: window.roster.details.row is not None)
        board = window.followups
        window.show_tab(2)
        qtbot.waitUntil(lambda: board.model.rowCount() > 0)
        board.table.selectRow(0)
        assert editing_left_on(window) == []

        asked: list[str] = []
        monkeypatch.setattr(FollowUpsTab, "mark_done", lambda _self: asked.append("done") or False)
        board.table.setFocus()
        qtbot.keyClick(board.table, Qt.Key.Key_Return)  # Enter on a row marks it done, elsewhere
        assert asked == []
        window.show_tab(0)
        window.table.setFocus()
        qtbot.keyClick(window.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(window.table, Qt.Key.Key_Return)  # both start a call, elsewhere
        assert window.call_windows == {}
        assert window.start_call() is None  # asked for all the same (a double click): refused
        assert window.statusBar().currentMessage() == f"Read-only: the folder {data} is on a read-only disk."
        assert window.start_booked_call(window.selected_customer_id() or 1) is None
        assert window.offer_resume() is None
        window.close()
        ctx.close()
    assert snapshot(data) == before


@pytest.fixture
def roomy_disk(demo_db, tmp_path):
    """The data folder on a small disk that still has room (more than the 8 MiB start-up needs)."""
    with small_disk(tmp_path / "disk", "12m") as mount:
        data = mount / "data"
        data.mkdir()
        shutil.copy2(demo_db, data / DB_FILE_NAME)
        yield mount, Paths(data, custom=True)


def test_end_call_on_a_disk_that_filled_up_is_named_and_loses_nothing(qtbot, roomy_disk, monkeypatch):
    mount, paths = roomy_disk
    ctx = open_app(paths)
    assert ctx.read_only is None
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    call = open_call_by_keyboard(qtbot, window, "Harbourline")
    editor = call.editor("what_happened")
    qtbot.keyClicks(editor, "Typed just before the disk filled up")
    assert call.autosave.flush()
    filler = fill_to(mount, 0)
    qtbot.keyClicks(editor, ", and this after")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    shown: dict[str, list[str]] = {"warning": [], "critical": []}
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown["warning"].append(a[2]))
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown["critical"].append(a[2]))
    call.end_call()  # the call stays open, and says why: no exception, no "unexpected error"
    qtbot.waitUntil(lambda: call.ending is None, timeout=10000)  # tried on a worker thread
    assert shown["critical"] == []
    [said] = shown["warning"]
    assert "The call was not ended" in said and "is full" in said and str(paths.database) in said
    assert call.isVisible()
    assert editor.value() == "Typed just before the disk filled up, and this after"  # on screen

    assert call.guard.banner.isVisible() and not call.end_action.isEnabled()  # read-only now
    filler.unlink()  # space freed: Check again, and the same End call now goes through, with every word
    call.guard.banner.check_button.click()
    assert call.end_action.isEnabled()
    call.end_call()
    qtbot.waitUntil(lambda: call.ending is None, timeout=10000)
    detail = calls.detail(ctx, call.call_id)
    assert detail.status == "completed"
    assert detail.answers["what_happened"] == "Typed just before the disk filled up, and this after"
    window.close()
    ctx.close()


def test_back_up_now_on_a_full_disk_says_so(qtbot, roomy_disk, monkeypatch):
    mount, paths = roomy_disk
    ctx = open_app(paths)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
    filler = fill_to(mount, 100 * 1024)  # less room than a copy of the database needs
    assert window.backup_now() is None
    assert warned == [
        f"The backup could not be written:\nThe disk holding {paths.backups} is full (100 KiB free)."
    ]
    assert list(paths.backups.iterdir()) == []  # no partial copy left behind
    filler.unlink()
    window.close()
