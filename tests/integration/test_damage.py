"""Real damage on real files: zeroed pages in a large database after a clean exit, an index out
of step with its table, an empty file and a deleted one beside good backups, a damaged or cut
write-ahead log. The database is never written to; the user is told what, where, and what to
do, in the same words by the desktop app's start-up and by every command."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.helpers.faults import page_size_of, unindexed_change, zero_pages
from tests.helpers.paths import ROOT
from winback_desktop import app
from winback_desktop.bootstrap import DatabaseDamagedError, Kind, open_app
from winback_desktop.cli.entry import main
from winback_desktop.paths import Paths
from winback_desktop.services.demo import load_demo
from winback_desktop.services.maintenance import backups as maintenance
from winback_desktop.services.maintenance import health
from winback_desktop.services.people import team
from winback_desktop.services.roster import card
from winback_desktop.store import integrity
from winback_desktop.store.backup import EmptyDatabaseError
from winback_desktop.store.integrity import WritesStoppedError

pytestmark = pytest.mark.sqlite_only  # damaged SQLite files, their write-ahead log


def env() -> dict[str, str]:
    """This test's environment (its own data and config dirs) for a child process."""
    return dict(os.environ, PYTHONPATH=str(ROOT))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checkpoint(ctx) -> None:
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture
def demo_paths(paths: Paths) -> Paths:
    ctx = open_app(paths)
    load_demo(ctx)
    checkpoint(ctx)
    ctx.close()
    return paths


def closed_cleanly_an_hour_ago(db: Path) -> None:
    """What run_gui leaves at a clean exit (the file's times set back, so that a change made
    by the test in the same clock tick still shows)."""
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(db, ns=(hour_ago, hour_ago))
    integrity.record_clean_close(db)


def answers(record: list, answer: bool):
    def ask(problem, label):
        record.append((problem, label))
        return answer

    return ask


def cli(paths: Paths, *words: str, capsys) -> tuple[int, str, str]:
    code = main(["--data-dir", str(paths.data_dir), *words])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- a large database with zeroed pages ----------------------------------------------------------


def grow_past_the_always_checked_size(paths: Paths) -> None:
    """Random blobs to take the file past 64 MiB, quickly (about half a second)."""
    conn = sqlite3.connect(paths.database, isolation_level=None)
    conn.execute("CREATE TABLE ballast(b BLOB)")
    conn.execute(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 17500) "
        "INSERT INTO ballast SELECT randomblob(3900) FROM k"
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert paths.database.stat().st_size > app.QUICK_CHECK_ALWAYS_BELOW


def test_zeroed_pages_in_a_large_file_after_a_clean_exit_are_found_before_anything_is_written(demo_paths):
    maintenance.backup_now(demo_paths)
    grow_past_the_always_checked_size(demo_paths)
    db = demo_paths.database
    closed_cleanly_an_hour_ago(db)
    assert not app.startup_check_needed(demo_paths)  # large, and as the app left it
    pages = db.stat().st_size // page_size_of(db)
    zero_pages(db, pages // 2, 3)  # ten minutes of notes once went into such a file
    before = digest(db)
    assert app.startup_check_needed(demo_paths)  # written by something else since
    offered: list = []
    assert (
        app.open_or_recover(demo_paths, answers(offered, False), check=app.startup_check_needed(demo_paths))
        is None
    )
    ((problem, label),) = offered
    assert problem.kind is Kind.DAMAGED and label is not None
    assert digest(db) == before  # never written to


def test_damage_the_clean_close_note_cannot_see_is_found_by_the_background_check_and_stops_writes(
    demo_paths, capsys
):
    """A page gone bad under a file that still looks as the app left it (no check at start):
    the full check in the child job finds it, and from that moment nothing is written."""
    good = maintenance.backup_now(demo_paths)
    grow_past_the_always_checked_size(demo_paths)
    db = demo_paths.database
    zero_pages(db, db.stat().st_size // page_size_of(db) // 2)
    closed_cleanly_an_hour_ago(db)  # the note taken as if the page went bad after it
    assert not app.startup_check_needed(demo_paths)
    ctx = open_app(demo_paths, check=False)  # what the start-up does for such a file
    try:
        before = digest(db)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "winback_desktop.jobs.check", str(demo_paths.data_dir)],
            env=env(), capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        assert time.monotonic() - started < 30
        found = json.loads(done.stdout)
        assert found["damage"] and found["backup"] == str(good)
        with pytest.raises(WritesStoppedError, match="damaged"):
            team.add_person(ctx, "Written after the damage", "caller")
        assert card.count(ctx) == 50  # reading goes on
        assert digest(db) == before
    finally:
        ctx.close()
    code, _out, err = cli(demo_paths, "lapsed", capsys=capsys)  # every command says the same
    assert code == 1 and err.count("\n") == 1
    assert "is damaged" in err and f"winback restore {good}" in err


# --- an index out of step with its table ---------------------------------------------------------


def test_an_index_out_of_step_is_caught_by_the_full_check_and_every_command_says_so(demo_paths, capsys):
    good = maintenance.backup_now(demo_paths)
    db = demo_paths.database
    unindexed_change(
        db, "ix_customers_company", "UPDATE customers SET company = company || ' Ltd' WHERE id % 3 = 0"
    )
    assert integrity.find_damage(db, full=False) is None  # quick_check passes
    ctx = open_app(demo_paths)  # and so the app opens it
    try:
        outcome = health.full_check(demo_paths)  # the background job's work
        assert outcome.damage is not None and "ix_customers_company" in outcome.damage
        assert outcome.backup == good
        before = digest(db)
        with pytest.raises(WritesStoppedError):
            team.add_person(ctx, "Nobody", "caller")
        assert digest(db) == before
    finally:
        ctx.close()
    code, out, doctor_err = cli(demo_paths, "doctor", capsys=capsys)
    assert code == 1 and str(db) in out and doctor_err.count("\n") == 1
    assert "ix_customers_company" in doctor_err and f"winback restore {good}" in doctor_err
    code, _out, err = cli(
        demo_paths, "export", "calls", "-o", str(demo_paths.exports / "c.csv"), capsys=capsys
    )
    assert code == 1 and "is damaged" in err and f"winback restore {good}" in err
    with pytest.raises(DatabaseDamagedError):
        open_app(demo_paths)  # the next start too, until restored
    offered: list = []
    ctx = app.open_or_recover(demo_paths, answers(offered, True))
    assert ctx is not None and offered[0][1] is not None
    try:
        team.add_person(ctx, "Written after the restore", "caller")  # the note went with the file
    finally:
        ctx.close()
    assert cli(demo_paths, "doctor", capsys=capsys)[0] == 0


def test_doctor_removes_a_note_the_file_no_longer_deserves(demo_paths, capsys):
    integrity.mark_damaged(demo_paths.database, "found by an earlier check")
    code, out, _err = cli(demo_paths, "doctor", capsys=capsys)
    assert code == 0 and "damage note is removed" in out
    open_app(demo_paths).close()


# --- empty and missing files beside good backups -------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.EMPTY, Kind.MISSING])
def test_an_empty_or_deleted_database_beside_backups_is_never_taken_for_a_new_one(demo_paths, kind, capsys):
    good = maintenance.backup_now(demo_paths)
    db = demo_paths.database
    if kind is Kind.EMPTY:
        db.write_bytes(b"")
    else:
        db.unlink()
    backups_before = sorted(p.name for p in demo_paths.backups.iterdir())

    offered: list = []
    assert app.open_or_recover(demo_paths, answers(offered, False)) is None
    ((problem, label),) = offered
    assert problem.kind is kind and label is not None and problem.backup == good
    assert (db.exists() and db.stat().st_size == 0) if kind is Kind.EMPTY else not db.exists()
    with pytest.raises(EmptyDatabaseError if kind is Kind.EMPTY else FileNotFoundError):
        maintenance.backup_now(demo_paths)  # no empty backup to become the newest
    assert sorted(p.name for p in demo_paths.backups.iterdir()) == backups_before

    code, _out, err = cli(demo_paths, "lapsed", capsys=capsys)
    assert code == 1 and err.count("\n") == 1
    assert f"is {kind.value}" in err and f"winback restore {good}" in err
    code, _out, doctor_err = cli(demo_paths, "doctor", capsys=capsys)
    assert code == 1 and f"winback restore {good}" in doctor_err

    ctx = app.open_or_recover(demo_paths, answers([], True))
    assert ctx is not None
    try:
        assert card.count(ctx) == 50
    finally:
        ctx.close()


def test_an_empty_file_with_no_backup_is_a_new_database(paths):
    paths.ensure()
    paths.database.write_bytes(b"")  # e.g. made, then the first start stopped
    ctx = open_app(paths)
    try:
        assert card.count(ctx) == 0
    finally:
        ctx.close()


def test_an_empty_or_tableless_backup_is_never_the_newest_good_one(demo_paths):
    good = maintenance.backup_now(demo_paths)
    later = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() + 60))
    (demo_paths.backups / f"winback-{later}-daily.sqlite3").write_bytes(b"")
    sqlite3.connect(demo_paths.backups / f"winback-{later}-manual.sqlite3").close()  # a file, no tables
    assert maintenance.list_backups(demo_paths)[0].path != good
    newest = maintenance.newest_good_backup(demo_paths)
    assert newest is not None and newest.path == good


def test_the_log_of_a_deleted_database_is_kept_and_not_replayed_onto_the_restored_one(demo_paths):
    maintenance.backup_now(demo_paths)
    backed_up = crash_with_saved_changes(demo_paths, 3) - 3
    demo_paths.database.unlink()
    with pytest.raises(DatabaseDamagedError) as err:
        open_app(demo_paths)
    assert err.value.kind is Kind.MISSING and "kept at" in err.value.notices[0]
    kept = next(demo_paths.backups.glob("damaged-wal-*"))
    ctx = app.open_or_recover(demo_paths, answers([], True))
    assert ctx is not None
    try:
        assert card.count(ctx) == 50 and len(team.list_people(ctx)) == backed_up
    finally:
        ctx.close()
    assert kept.exists()


# --- a damaged write-ahead log -------------------------------------------------------------------

CRASH = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths
    from winback_desktop.services.people import team
    ctx = open_app(Paths(Path(sys.argv[1]), custom=True))
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    for i in range(int(sys.argv[2])):
        team.add_person(ctx, f"Saved {i}", "caller")  # one transaction each
    print(len(team.list_people(ctx)), flush=True)
    os._exit(0)  # as a kill: no close, no checkpoint; the changes are in the log only
    """
)


def crash_with_saved_changes(paths: Paths, n: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", CRASH, str(paths.data_dir), str(n)],
        env=env(), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert integrity.wal_path(paths.database).stat().st_size > 0
    return int(done.stdout)


def frame_offsets(wal: Path) -> list[int]:
    data = wal.read_bytes()
    size = 24 + int.from_bytes(data[8:12], "big")
    return list(range(32, len(data) - size + 1, size))


def test_a_flipped_byte_in_the_log_is_named_kept_aside_and_what_may_be_missing_said(demo_paths, capsys):
    people = crash_with_saved_changes(demo_paths, 5)
    wal = integrity.wal_path(demo_paths.database)
    data = bytearray(wal.read_bytes())
    last = frame_offsets(wal)[-1]
    data[last + 24 + 1000] ^= 0x01  # one bit, in the page of the last frame: the last save
    wal.write_bytes(bytes(data))

    code, _out, err = cli(demo_paths, "doctor", capsys=capsys)
    assert code == 1 and "winback: warning: The database's write-ahead log is damaged" in err
    assert wal.read_bytes() == bytes(data)  # doctor reads only
    ctx = open_app(demo_paths)  # SQLite now drops the damaged frame; the copy was made first
    try:
        (notice,) = ctx.notices
        assert "the last saved change" in notice and "may be missing" in notice
        kept = next(demo_paths.backups.glob("damaged-wal-*"))
        assert kept.read_bytes() == bytes(data) and str(kept) in notice
        assert len(team.list_people(ctx)) == people - 1  # exactly the change said to be missing
    finally:
        ctx.close()
    assert cli(demo_paths, "doctor", capsys=capsys)[0] == 0  # the log is checkpointed away


def test_a_log_cut_short_is_named_and_the_cli_warns_in_one_line(demo_paths, capsys):
    crash_with_saved_changes(demo_paths, 4)
    wal = integrity.wal_path(demo_paths.database)
    frames = frame_offsets(wal)
    os.truncate(wal, frames[len(frames) // 2] + 1000)  # inside a frame, half the log gone
    code, _out, err = cli(demo_paths, "lapsed", capsys=capsys)
    assert code == 0
    (warning,) = [line for line in err.splitlines() if line.startswith("winback: warning:")]
    assert "cut short" in warning and "may be missing" in warning and "damaged-wal-" in warning


def test_a_whole_log_after_a_kill_says_nothing(demo_paths, capsys):
    people = crash_with_saved_changes(demo_paths, 3)
    ctx = open_app(demo_paths)
    try:
        assert ctx.notices == [] and len(team.list_people(ctx)) == people
    finally:
        ctx.close()
    assert not list(demo_paths.backups.glob("damaged-wal-*"))


def test_a_log_in_use_by_the_running_app_is_left_alone(demo_paths):
    """A command or child job opening the database while the app writes must not take the log
    being written for a damaged one."""
    ctx = open_app(demo_paths)
    try:
        team.add_person(ctx, "Live", "caller")
        script = "import sys; from winback_desktop.store import integrity; from pathlib import Path;"
        script += f"print(integrity.in_use_elsewhere(Path({str(demo_paths.database)!r})))"
        out = subprocess.run(
            [sys.executable, "-c", script], env=env(), capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "True"
    finally:
        ctx.close()


GUI_START = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from winback_desktop import app
    from winback_desktop.ui.main_window import MainWindow

    def warning(parent, title, text, *args, **kwargs):
        print("DIALOG", title, "|", " ".join(text.split()), flush=True)
        QTimer.singleShot(0, QApplication.instance().quit)
        return QMessageBox.StandardButton.Ok

    QMessageBox.warning = warning  # the user reads it and presses OK
    MainWindow.ask_who_is_here = lambda self: None
    print("exit", app.run_gui(sys.argv[1]), flush=True)
    """
)


def test_the_desktop_app_keeps_a_damaged_log_before_its_first_read_and_says_what_may_be_missing(demo_paths):
    """The real start-up: the lock, the quick check and the first paint (read-only), then the
    open; the log is copied before SQLite drops its damaged frames, and the window says so."""
    people = crash_with_saved_changes(demo_paths, 4)
    wal = integrity.wal_path(demo_paths.database)
    data = bytearray(wal.read_bytes())
    frames = frame_offsets(wal)
    data[frames[-3] + 24 + 10] ^= 0x80  # the second-last save's frames on: two saves
    wal.write_bytes(bytes(data))
    done = subprocess.run(
        [sys.executable, "-c", GUI_START, str(demo_paths.data_dir)],
        env=dict(env(), QT_QPA_PLATFORM="offscreen"), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "exit 0" in done.stdout, done.stdout + done.stderr
    (dialog,) = [line for line in done.stdout.splitlines() if line.startswith("DIALOG")]
    assert "may be missing" in dialog and "write-ahead log is damaged" in dialog
    kept = next(demo_paths.backups.glob("damaged-wal-*"))
    assert kept.read_bytes() == bytes(data) and str(kept) in dialog
    ctx = open_app(demo_paths)
    try:
        lost = people - len(team.list_people(ctx))  # what SQLite dropped is what was said
        assert lost >= 1
        assert ("the last saved change" if lost == 1 else f"the last {lost} saved changes") in dialog
    finally:
        ctx.close()
