"""Closing never throws typed words away, and another writer never freezes typing.

Real faults: a second process holds the SQLite write lock (``BEGIN IMMEDIATE``) for longer than
the busy timeout, or the disk holding the database is full (a small tmpfs). The dialogs are the
real ones, answered by clicking their buttons.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.helpers.dialogs import answer
from tests.helpers.faults import fill_disk, small_disk, write_lock_held
from tests.services.calls.test_writer import saved_text
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import Paths
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.journal import owed
from winback_desktop.services.demo import load_demo
from winback_desktop.store import connection
from winback_desktop.ui.call.window import CallWindow
from winback_desktop.ui.main_window import MainWindow

SENTENCE = "They waited three weeks for the credit note"


@pytest.fixture
def busy_ms(request) -> int:
    return getattr(request, "param", 300)


@pytest.fixture
def app_ctx(monkeypatch, paths, busy_ms):
    """The sample data, with a busy timeout of 0.3 s (the app's is 5 s) so that a lock can be
    held for longer than it without slow tests; set before the engine makes a connection."""
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", busy_ms)
    ctx = open_app(paths)
    load_demo(ctx)
    yield ctx
    ctx.close()


@pytest.fixture
def main_window(qtbot, app_ctx):
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_call(qtbot, window: MainWindow, ctx) -> CallWindow:
    customer_id = next(c for c in calls_customers(ctx))
    call = window.open_call(calls.start_call(ctx, customer_id))
    qtbot.waitExposed(call)
    return call


def calls_customers(ctx):
    from winback_desktop.services import roster

    return [c.id for c in roster.roster_page(ctx, limit=5)]


def type_while_locked(qtbot, call: CallWindow, text: str = SENTENCE) -> None:
    editor = call.editor("what_happened")
    qtbot.keyClicks(editor, text)
    qtbot.waitUntil(lambda: call.saved_label.text().startswith("Not saved yet"), timeout=5000)
    assert "busy" in call.saved_label.text()
    assert any(e.save.args.get("value") == text for e in owed(call.ctx.paths.journal))


@pytest.mark.sqlite_only  # the SQLite file's write lock, held by another process
@pytest.mark.parametrize("busy_ms", [2000], indirect=True)  # each refused save waits 2 s
def test_typing_stays_fluid_while_another_process_holds_the_lock(qtbot, main_window, app_ctx, paths):
    call = open_call(qtbot, main_window, app_ctx)
    editor = call.editor("what_happened")
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    beat = QTimer(interval=10)
    beat.timeout.connect(tick)
    with write_lock_held(paths.database) as release:
        beat.start()
        slowest = 0.0
        for ch in SENTENCE:  # one key at a time, as typed, for about two seconds
            t0 = time.perf_counter()
            qtbot.keyClicks(editor, ch)
            slowest = max(slowest, time.perf_counter() - t0)
            qtbot.wait(40)
        beat.stop()
        # Every save was refused (the lock outlived several busy timeouts) and none waited.
        qtbot.waitUntil(lambda: call.saved_label.text().startswith("Not saved yet"), timeout=6000)
        # Saving on the GUI thread stalled it for the whole busy timeout (2 s) at each save.
        assert slowest < 0.5, f"a key took {slowest:.3f} s"
        assert max(gaps) < 0.5, f"the event loop stalled for {max(gaps):.3f} s"
        journaled = lambda: [e.save.args["value"] for e in owed(paths.journal)]  # noqa: E731
        qtbot.waitUntil(lambda: journaled() == [SENTENCE], timeout=3000)
        assert saved_text(paths, call.call_id, "what_happened") is None
        release()
        qtbot.waitUntil(lambda: call.saved_label.text().startswith("Saved"), timeout=5000)
    assert saved_text(paths, call.call_id, "what_happened") == SENTENCE
    assert owed(paths.journal) == []


@pytest.mark.sqlite_only  # the SQLite file's write lock, held by another process
def test_closing_while_saves_fail_asks_and_keep_trying_keeps_the_window(qtbot, main_window, app_ctx, paths):
    call = open_call(qtbot, main_window, app_ctx)
    with write_lock_held(paths.database) as release:
        type_while_locked(qtbot, call)
        seen: list[str] = []
        answer("Keep trying", seen)
        assert not call.close()
        assert seen and "have not reached the database" in seen[0] and "busy" in seen[0]
        assert str(paths.journal) in seen[0]
        assert call.isVisible() and call.editor("what_happened").value() == SENTENCE
        release()
        qtbot.waitUntil(lambda: call.saved_label.text().startswith("Saved"), timeout=5000)
    assert call.close()  # nothing failing: closes without a question
    assert saved_text(paths, call.call_id, "what_happened") == SENTENCE


@pytest.mark.sqlite_only  # the SQLite file's write lock, held by another process
def test_closing_while_saves_fail_can_save_the_notes_to_a_file(
    qtbot, main_window, app_ctx, paths, tmp_path, monkeypatch
):
    call = open_call(qtbot, main_window, app_ctx)
    target = tmp_path / "elsewhere" / "notes.txt"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Text (*.txt)"))
    with write_lock_held(paths.database) as release:
        type_while_locked(qtbot, call)
        seen: list[str] = []
        answer("Save the notes", seen)
        assert call.close()
        assert seen
        text = target.read_text(encoding="utf-8")
        assert SENTENCE in text and call.detail.customer.company in text
        # The journal still keeps them, and the writer still tries: the app is running.
        assert any(e.save.args.get("value") == SENTENCE for e in owed(paths.journal))
        release()
        assert main_window.notes is not None and main_window.notes.wait(None, 5)
    assert saved_text(paths, call.call_id, "what_happened") == SENTENCE


@pytest.mark.sqlite_only  # the SQLite file's write lock, held by another process
def test_close_anyway_then_the_next_start_puts_the_words_back_exactly_once(
    qtbot, main_window, app_ctx, paths
):
    call = open_call(qtbot, main_window, app_ctx)
    call_id, company = call.call_id, call.detail.customer.company
    label = app_ctx.script.field("what_happened")[1].label
    with write_lock_held(paths.database):
        type_while_locked(qtbot, call)
        seen: list[str] = []
        answer("Close anyway", seen)
        assert call.close() and seen
        answer("Close anyway", seen)  # quitting asks again: a closed call's notes still fail
        assert main_window.close()
        assert len(seen) == 2 and "closed call" in seen[1]
        app_ctx.close()  # the app has ended; the lock holder goes next
    assert saved_text(paths, call_id, "what_happened") is None

    offered = restart_and_answer(qtbot, paths, "Put them back")
    assert len(offered) == 1 and company in offered[0] and label in offered[0]
    assert saved_text(paths, call_id, "what_happened") == SENTENCE
    assert restart_and_answer(qtbot, paths, "Put them back") == []  # not offered twice


@pytest.mark.sqlite_only  # the SQLite file's write lock, held by another process
def test_a_call_reopened_while_its_notes_still_fail_shows_them_and_builds_on_them(
    qtbot, main_window, app_ctx, paths
):
    call = open_call(qtbot, main_window, app_ctx)
    call_id = call.call_id
    with write_lock_held(paths.database) as release:
        type_while_locked(qtbot, call)
        seen: list[str] = []
        answer("Close anyway", seen)
        assert call.close() and seen
        again = main_window.open_call(call_id)  # the database still has no word of it
        qtbot.waitExposed(again)
        editor = again.editor("what_happened")
        assert editor.value() == SENTENCE  # what is on its way, not the older text
        editor.setFocus()
        qtbot.keyClicks(editor, ", twice.")
        release()
        assert again.autosave.flush(5)
    assert saved_text(paths, call_id, "what_happened") == SENTENCE + ", twice."
    # the writer marks the journal done just after the database took the words: wait for it
    qtbot.waitUntil(lambda: owed(paths.journal) == [], timeout=5000)


def restart_and_answer(qtbot, paths: Paths, button: str) -> list[str]:
    """A new start on the same data folder: the main window offers what the journal kept."""
    ctx = open_app(paths)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        seen: list[str] = []
        answer(button, seen, attempts=30)
        window.offer_recovered()
        if window.notes is not None:
            assert window.notes.wait(None, 5)
        window.close()
        return seen
    finally:
        ctx.close()


@pytest.mark.sqlite_only  # the SQLite file's write lock, held by another process
def test_quitting_with_a_failing_call_asks_and_keep_trying_keeps_the_app_open(
    qtbot, main_window, app_ctx, paths
):
    call = open_call(qtbot, main_window, app_ctx)
    with write_lock_held(paths.database) as release:
        type_while_locked(qtbot, call)
        seen: list[str] = []
        answer("Keep trying", seen)
        assert not main_window.close()
        assert seen and main_window.isVisible() and call.isVisible()
        release()
        qtbot.waitUntil(lambda: call.saved_label.text().startswith("Saved"), timeout=5000)
    assert main_window.close()


@pytest.mark.sqlite_only  # the SQLite file's write lock, held by another process
def test_the_recovered_notes_can_be_saved_to_a_file_instead(qtbot, paths, tmp_path, monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 300)
    ctx = open_app(paths)
    load_demo(ctx)
    customer_id = calls_customers(ctx)[0]
    call_id = calls.start_call(ctx, customer_id)
    from winback_desktop.services.calls.journal import field_save
    from winback_desktop.services.calls.writer import notes_writer

    with write_lock_held(paths.database):
        notes_writer(ctx).submit([field_save(call_id, "probe", "their_story", "Kept for later")])
        ctx.close()
    target = tmp_path / "kept.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Text (*.txt)"))
    seen = restart_and_answer(qtbot, paths, "Save them to a file")
    assert seen and "Kept for later" not in seen[0]  # the text is behind "Show Details..."
    assert "Kept for later" in target.read_text(encoding="utf-8")
    assert saved_text(paths, call_id, "their_story") is None  # kept in the file, not put back
    assert restart_and_answer(qtbot, paths, "Put them back") == []  # and not offered again


@pytest.mark.sqlite_only  # the SQLite file's disk filling up
def test_end_call_on_a_full_disk_says_so_and_loses_nothing(qtbot, paths, monkeypatch):
    with small_disk(paths.data_dir, "16m"):
        ctx = open_app(paths)
        try:
            load_demo(ctx)
            window = MainWindow(ctx)
            qtbot.addWidget(window)
            call = open_call(qtbot, window, ctx)
            with ctx.engine.connect() as conn:  # an empty -wal: the next write must grow it
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            filler = fill_disk(paths.data_dir)
            qtbot.keyClicks(call.editor("what_happened"), SENTENCE)
            qtbot.waitUntil(lambda: call.saved_label.text().startswith("Not saved yet"), timeout=5000)
            assert "full" in call.saved_label.text()
            warned: list[str] = []
            monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
            monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
            call.end_call()
            qtbot.waitUntil(lambda: call.ending is None, timeout=10000)  # tried on a worker thread
            assert warned and "not ended" in warned[0] and "is full" in warned[0]
            assert str(paths.journal) in warned[0]  # where the words are meanwhile
            assert call.isVisible() and call.editor("what_happened").value() == SENTENCE
            assert calls.detail(ctx, call.call_id).status == "in_progress"
            filler.unlink()
            call.guard.banner.check_button.click()  # read-only since the disk filled: room again
            qtbot.waitUntil(lambda: call.saved_label.text().startswith("Saved"), timeout=5000)
            call.end_call()
            qtbot.waitUntil(lambda: call.ending is None, timeout=10000)
            assert calls.detail(ctx, call.call_id).status == "completed"
            assert calls.detail(ctx, call.call_id).answers["what_happened"] == SENTENCE
            window.close()
        finally:
            ctx.close()


def test_a_resumed_call_puts_the_cursor_at_the_end_of_each_note(qtbot, demo_ctx):
    call_id = calls.start_call(demo_ctx, 1)
    calls.save_field(demo_ctx, call_id, "initiate", "what_happened", "Late deliveries.")
    calls.save_field(demo_ctx, call_id, "partner", "partner_notes", "Courier on Tuesday.")
    window = CallWindow(demo_ctx, call_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    note = window.editor("what_happened")
    note.setFocus()
    qtbot.keyClicks(note, " Twice.")
    assert note.value() == "Late deliveries. Twice."
    window.partner_notes.editor.setFocus()
    qtbot.keyClicks(window.partner_notes.editor, " Then Friday.")
    assert window.partner_notes.editor.toPlainText() == "Courier on Tuesday. Then Friday."
    assert window.autosave.flush()


def test_the_dialogs_render(qtbot, app_ctx, tmp_path: Path):
    """Look at them: python -m pytest ... --basetemp=DIR keeps the PNGs."""
    from winback_desktop.services.calls.writer import notes_writer
    from winback_desktop.ui.call import recovery

    writer = notes_writer(app_ctx)
    box = recovery.unsaved_box(None, "The latest notes of this call", "the database is busy", writer)
    qtbot.addWidget(box)
    box.show()
    box.grab().save(str(tmp_path / "unsaved.png"))
    assert box.defaultButton().text() == "Keep trying" and box.escapeButton() is box.defaultButton()
    assert {b.text() for b in box.buttons()} == {"Keep trying", "Save the notes to a file…", "Close anyway"}

    from winback_desktop.services.calls.journal import field_save
    from winback_desktop.services.calls.unsaved import as_text, describe

    call_id = calls.start_call(app_ctx, calls_customers(app_ctx)[0])
    saves = [
        field_save(call_id, "initiate", "what_happened", SENTENCE),
        field_save(call_id, "partner", "partner_notes", "Courier on Tuesday"),
    ]
    notes = describe(app_ctx, saves)
    offer = recovery.recovered_box(None, notes, as_text(notes, "Notes kept"))
    qtbot.addWidget(offer)
    offer.show()
    offer.grab().save(str(tmp_path / "recovered.png"))
    assert offer.defaultButton().text() == "Put them back"
    assert SENTENCE in offer.detailedText() and "Partner's logistics notes" in offer.informativeText()
