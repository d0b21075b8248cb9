"""A disk that fills up in the middle of a call (a real small tmpfs): the app goes read-only in
every window with the banner naming the disk and the journal, nothing typed is lost, and Check
again gives editing back once there is room, writing what waited. And the journal's reserve
running out on a full disk is said at once in the call window."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPlainTextEdit

from tests.helpers.dialogs import answer
from tests.helpers.faults import fill_disk, small_disk, write_lock_held
from tests.services.calls.test_writer import saved_text
from tests.ui.call.test_unsaved import open_call
from winback_desktop.bootstrap import open_app
from winback_desktop.services.calls import journal
from winback_desktop.services.calls.journal import owed
from winback_desktop.services.demo import load_demo
from winback_desktop.store import connection
from winback_desktop.ui.kit.read_only import editing_state
from winback_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.sqlite_only  # the disk under the SQLite file filling up

BEFORE = "They waited three weeks for the credit note"
AFTER = ", and nobody called them back"


@pytest.fixture
def on_small_disk(qtbot, paths, monkeypatch):
    """The sample data on a 16 MiB tmpfs (room to start: more than 8 MiB free), the main window
    shown; the -wal emptied so that the next write must grow it."""
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 300)
    with small_disk(paths.data_dir, "16m"):
        ctx = open_app(paths)
        try:
            assert ctx.read_only is None
            load_demo(ctx)
            window = MainWindow(ctx)  # closed here, answering (pytest-qt's closing would hang)
            window.show()
            qtbot.waitExposed(window)
            yield ctx, window
            for call in list(window.call_windows.values()):  # a failed test may leave words owed
                answer("Close anyway", [], attempts=300)
                call.close()
            answer("Close anyway", [], attempts=300)
            window.close()
            window.deleteLater()
        finally:
            ctx.close()


def checkpoint(ctx) -> None:
    with ctx.engine.connect() as conn:  # an empty -wal: the next write must grow it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_disk_that_fills_mid_call_turns_every_window_read_only_until_check_again(
    qtbot, on_small_disk, paths
):
    ctx, window = on_small_disk
    call = open_call(qtbot, window, ctx)
    editor = call.editor("what_happened")
    assert isinstance(editor, QPlainTextEdit)
    assert not window.full_disk_banner.isVisible() and not call.guard.banner.isVisible()
    checkpoint(ctx)
    filler = fill_disk(paths.data_dir)
    qtbot.keyClicks(editor, BEFORE)  # typed as the disk fills up

    qtbot.waitUntil(lambda: call.guard.banner.isVisible(), timeout=10000)
    assert window.full_disk_banner.isVisible()
    for banner in (window.full_disk_banner, call.guard.banner):
        said = banner.label.text()
        assert f"the disk holding {paths.data_dir} is full" in said.lower()
        assert str(paths.journal) in said  # what is kept, and where
        assert banner.check_button.isVisible() and banner.check_button.isEnabled()
    # Editing is off everywhere: the notes take no typing, nothing that writes can be started.
    assert editor.isReadOnly()
    assert not call.end_action.isEnabled() and not call.end_button.isEnabled()
    assert not call.add_step_action.isEnabled()
    assert not window.start_action.isEnabled() and not window.start_button.isEnabled()
    assert not window.commands["schedule"].isEnabled()
    qtbot.keyClicks(editor, " (typed into a read-only note)")
    assert editor.value() == BEFORE
    # Every word typed before the switch is kept in the journal, not in the database.
    assert any(e.save.args.get("value") == BEFORE for e in owed(paths.journal))
    assert saved_text(paths, call.call_id, "what_happened") is None

    call.guard.banner.check_button.click()  # still full: stays read-only, and says so
    assert call.guard.banner.isVisible() and editor.isReadOnly()
    assert call.statusBar().currentMessage().startswith("Still read-only: the disk holding")

    filler.unlink()  # space freed
    window.full_disk_banner.check_button.click()  # either window's button asks for both
    assert not call.guard.banner.isVisible() and not window.full_disk_banner.isVisible()
    assert not editor.isReadOnly()
    assert call.end_action.isEnabled() and call.end_button.isEnabled() and window.start_action.isEnabled()
    qtbot.waitUntil(lambda: saved_text(paths, call.call_id, "what_happened") == BEFORE, timeout=5000)
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, AFTER)  # typing goes on, and reaches the database
    qtbot.waitUntil(lambda: saved_text(paths, call.call_id, "what_happened") == BEFORE + AFTER, timeout=5000)
    qtbot.waitUntil(lambda: owed(paths.journal) == [], timeout=5000)
    assert not editing_state(ctx).paused


def test_the_journal_running_out_of_its_reserve_is_said_at_once(qtbot, on_small_disk, paths, monkeypatch):
    ctx, window = on_small_disk
    # A small reserve (the app's is 1 MiB) so that a few notes use it up; set before the
    # journal is opened (with the first call window).
    monkeypatch.setattr(journal, "RESERVE", 8192)
    from winback_desktop.services.calls.writer import notes_writer

    notes_writer(ctx).close()  # the writer the main window started: opened with the old reserve
    assert owed(paths.journal) == []
    paths.journal.unlink()  # made again, with the small reserve
    window.notes = notes_writer(ctx)
    assert window.notes.journal.reserve == 8192
    call = open_call(qtbot, window, ctx)
    editor = call.editor("what_happened")
    assert not call.guard.warning.isVisible()
    with write_lock_held(paths.database):  # the database refuses (busy), so the journal fills
        filler = fill_disk(paths.data_dir)
        for i in range(12):  # ~700 bytes a save: past 8 KiB
            qtbot.keyClicks(editor, f" Sentence {i} about the late deliveries and the credit notes." * 10)
            call.autosave.hand_over()
        qtbot.waitUntil(lambda: call.guard.warning.isVisible(), timeout=5000)
        said = call.guard.warning.label.text()
        assert "NOT being kept" in said
        assert f"The disk holding {paths.data_dir} is full" in said
        assert str(paths.journal) in said and "free space" in said and "file" in said
        assert call.guard.warning.save_button.isVisible()
        assert not editor.isReadOnly()  # the database is busy, not full: typing goes on, on screen
        filler.unlink()
    qtbot.waitUntil(lambda: saved_text(paths, call.call_id, "what_happened") == editor.value(), timeout=10000)
    call.autosave.hand_over()  # the journal takes the next save again: the warning goes
    qtbot.keyClicks(editor, ".")
    call.autosave.hand_over()
    assert not call.guard.warning.isVisible()
