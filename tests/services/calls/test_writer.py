"""The notes writer under real faults: another process holding the write lock for longer than
the busy timeout, and a full disk. Saves never wait for the database, are on disk in the
journal at once, reach the database when it takes them, and are put back exactly once."""

from __future__ import annotations

import time

import pytest

from tests.helpers.faults import fill_disk, small_disk, write_lock_held
from tests.helpers.roster import add_customer
from tests.helpers.test_database import PlainConnection, server_url
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import Paths
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.journal import Journal, field_save, owed
from winback_desktop.services.calls.writer import NotesWriter, notes_writer
from winback_desktop.store import connection


def saved_text(paths: Paths, call_id: int, key: str) -> str | None:
    with PlainConnection(paths) as conn:  # another reader, as after a restart
        rows = conn.rows("SELECT value FROM stage_answers WHERE call_id = ? AND field = ?", call_id, key)
    return rows[0][0] if rows else None


@pytest.fixture
def short_busy(monkeypatch):
    """A busy timeout of 0.3 s (the app's is 5 s), so the lock is held longer than it quickly.
    Set before the engine connects: the pragma is applied to each new connection."""
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 300)


@pytest.mark.sqlite_only  # the SQLite file's write lock and busy timeout
def test_a_lock_held_past_the_busy_timeout_never_blocks_a_save(monkeypatch, paths):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 1500)  # the app's is 5 s
    ctx = open_app(paths)
    try:
        call_id = calls.start_call(ctx, add_customer(ctx, "Harbourline Foods Ltd"))
        writer = notes_writer(ctx)
        with write_lock_held(paths.database) as release:
            t0 = time.perf_counter()
            assert writer.submit([field_save(call_id, "initiate", "what_happened", "Late again")]) is None
            # On disk in the journal, not waiting for the lock (a GUI-thread save waited 1.5 s).
            assert time.perf_counter() - t0 < 0.5
            assert [e.save.args["value"] for e in owed(paths.journal)] == ["Late again"]
            deadline = time.monotonic() + 10
            while writer.state(call_id).problem is None and time.monotonic() < deadline:
                time.sleep(0.02)
            problem = writer.state(call_id).problem or ""
            assert problem.startswith("the database is busy: another program (a Python script, process ")
            assert problem.endswith(") is writing to it")  # the lock holder named (store/integrity.py)
            assert saved_text(paths, call_id, "what_happened") is None
            assert not writer.wait(call_id, 2.0)  # longer than the busy timeout: still refused
            release()
            assert writer.wait(call_id, 10)
        assert saved_text(paths, call_id, "what_happened") == "Late again"
        assert writer.state(call_id).problem is None
        # Written, so no longer owed: the writer marks it done in the journal right after the
        # commit (a busy host may take a moment; a replay of a done save would be harmless).
        deadline = time.monotonic() + 10
        while owed(paths.journal) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert owed(paths.journal) == []
    finally:
        ctx.close()


def _on_a_full_disk(paths: Paths) -> tuple[int, object]:
    """A database made while there was room, then a disk with no byte left."""
    ctx = open_app(paths)
    call_id = calls.start_call(ctx, add_customer(ctx, "Harbourline Foods Ltd"))
    writer = notes_writer(ctx)  # its journal and reserve made while there is room
    with ctx.engine.connect() as conn:  # an empty -wal: the next write must grow it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = fill_disk(paths.data_dir)
    return call_id, (ctx, writer, filler)


@pytest.mark.sqlite_only  # the database file on a full disk (a server's disk is not ours)
def test_a_full_disk_keeps_the_words_in_the_journal_and_puts_them_back_once(paths):
    with small_disk(paths.data_dir, "24m"):  # freed, it has more than the 8 MiB a writable start needs
        call_id, (ctx, writer, filler) = _on_a_full_disk(paths)
        assert isinstance(writer, NotesWriter)
        try:
            problem = writer.submit(
                [field_save(call_id, "initiate", "what_happened", "Typed on a full disk")]
            )
            assert problem is None  # the journal's reserved space took it
            assert not writer.wait(call_id, 1.0)
            why = writer.state(call_id).problem
            assert why is not None and "is full" in why and str(paths.database) in why
        finally:
            ctx.close()  # the app closes with the save still failing ("close anyway")
        assert [e.save.args["value"] for e in owed(paths.journal)] == ["Typed on a full disk"]

        filler.unlink()  # space freed; the next start
        ctx = open_app(paths)
        try:
            writer = notes_writer(ctx)
            recovered = writer.recovered()
            assert [e.save.args["value"] for e in recovered] == ["Typed on a full disk"]
            writer.put_back(recovered)
            assert writer.wait(None, 10)
            assert saved_text(paths, call_id, "what_happened") == "Typed on a full disk"
            assert writer.recovered() == []
        finally:
            ctx.close()
        ctx = open_app(paths)  # and the start after: nothing is offered twice
        try:
            assert notes_writer(ctx).recovered() == []
        finally:
            ctx.close()


def test_newer_text_is_never_overwritten_by_what_the_journal_kept(short_busy, paths):
    ctx = open_app(paths)
    try:
        call_id = calls.start_call(ctx, add_customer(ctx))
        if server_url() is None:
            writer = notes_writer(ctx)
            with write_lock_held(paths.database):
                writer.submit([field_save(call_id, "probe", "their_story", "old words")])
                writer.close()  # killed, in effect: the journal owes "old words"
        else:  # a desk killed after its journal took the words and before the server did
            journal = Journal(paths.journal)
            assert journal.append([field_save(call_id, "probe", "their_story", "old words")])[1] is None
            assert journal.wait_synced(10)
            journal.close()
    finally:
        ctx.close()
    ctx = open_app(paths)
    try:
        writer = notes_writer(ctx)
        assert [e.save.args["value"] for e in writer.recovered()] == ["old words"]
        # Typed again before anything was put back (a call opened at once): the newer text wins.
        writer.submit([field_save(call_id, "probe", "their_story", "newer words")])
        assert writer.wait(call_id, 10)
        assert writer.recovered() == []
    finally:
        ctx.close()
    ctx = open_app(paths)
    try:
        assert notes_writer(ctx).recovered() == []
        assert saved_text(paths, call_id, "their_story") == "newer words"
    finally:
        ctx.close()


def test_a_read_only_journal_is_said_and_the_database_still_gets_the_words(paths):
    ctx = open_app(paths)
    try:
        call_id = calls.start_call(ctx, add_customer(ctx))
        paths.journal.mkdir()  # a journal that cannot be opened as a file
        writer = notes_writer(ctx)
        problem = writer.submit([field_save(call_id, "probe", "their_story", "only in memory")])
        assert problem is not None and str(paths.journal) in problem
        assert writer.wait(call_id, 10)
        assert saved_text(paths, call_id, "their_story") == "only in memory"
    finally:
        ctx.close()
