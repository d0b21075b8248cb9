"""Damage is detected and never written to; backups are checked, thinned and restorable."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winback_desktop.app import open_or_recover
from winback_desktop.bootstrap import DatabaseDamagedError, open_app
from winback_desktop.cli.entry import main
from winback_desktop.paths import Paths
from winback_desktop.services import roster
from winback_desktop.services.demo import load_demo
from winback_desktop.services.maintenance import backups as maintenance
from winback_desktop.services.roster import card as customers

pytestmark = pytest.mark.sqlite_only  # the SQLite file's damage and its file backups


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corrupt(path: Path) -> None:
    """Overwrite a run of pages in the middle of the file, as a bad disk or a bad copy would."""
    data = bytearray(path.read_bytes())
    for i in range(4096 * 2, min(4096 * 6, len(data))):
        data[i] = 0x5A
    path.write_bytes(bytes(data))


@pytest.fixture
def demo_paths(paths: Paths) -> Paths:
    ctx = open_app(paths)
    load_demo(ctx)
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.close()
    return paths


def test_backup_is_checked_single_file_and_private(demo_paths):
    target = maintenance.backup_now(demo_paths)
    assert target.parent == demo_paths.backups
    assert maintenance.check_file(target) == "ok"
    assert target.stat().st_mode & 0o777 == 0o600
    assert not Path(str(target) + "-wal").exists()
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 50


def test_damaged_database_is_refused_and_doctor_fails(demo_paths, capsys):
    maintenance.backup_now(demo_paths)
    corrupt(demo_paths.database)
    before = digest(demo_paths.database)
    with pytest.raises(DatabaseDamagedError) as err:
        open_app(demo_paths)
    assert str(demo_paths.database) in str(err.value)
    assert main(["--data-dir", str(demo_paths.data_dir), "doctor"]) == 1
    out = capsys.readouterr()
    assert str(demo_paths.database) in out.out  # doctor prints the paths in use
    assert "damaged" in out.err and "winback restore" in out.err
    assert digest(demo_paths.database) == before  # never written to


def test_recovery_offers_newest_good_backup_and_keeps_damaged_file(demo_paths):
    older = maintenance.backup_now(demo_paths, now=dt.datetime.now() - dt.timedelta(hours=3))
    newest = maintenance.backup_now(demo_paths)
    corrupt(newest)  # the newest backup is bad too: the older good one must be chosen
    corrupt(demo_paths.database)
    damaged = demo_paths.database.read_bytes()

    declined = open_or_recover(demo_paths, ask=lambda *_: False)
    assert declined is None and demo_paths.database.read_bytes() == damaged

    offers = []
    ctx = open_or_recover(
        demo_paths, ask=lambda problem, label: offers.append((Path(problem.path), label)) or True
    )
    assert ctx is not None
    assert offers[0][0] == demo_paths.database
    assert older.name[8:21] == dt.datetime.strptime(offers[0][1], "%d %b %Y %H:%M").strftime("%Y%m%d-%H%M")
    assert customers.count(ctx) == 50
    ctx.close()
    kept = list(demo_paths.backups.glob("damaged-*.sqlite3"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged


def test_backup_and_restore_commands(demo_paths, capsys):
    d = str(demo_paths.data_dir)
    assert main(["--data-dir", d, "backup"]) == 0
    backup = maintenance.list_backups(demo_paths)[0].path
    ctx = open_app(demo_paths)
    cid = roster.roster_page(ctx, text="Meridian")[0].id
    from winback_desktop.services.calls import lifecycle as calls

    calls.start_call(ctx, cid)
    ctx.close()
    before = digest(demo_paths.database)
    assert main(["--data-dir", d, "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    kept = next(demo_paths.backups.glob("replaced-*.sqlite3"))
    assert str(kept) in out
    assert digest(kept) == before  # what it replaced is kept
    ctx = open_app(demo_paths)
    assert calls.unfinished_calls(ctx) == []  # the restored data is the backup's
    ctx.close()


def test_restore_refuses_a_bad_backup_and_changes_nothing(demo_paths, tmp_path, capsys):
    bad = tmp_path / "winback-20240101-000000-manual.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    before = digest(demo_paths.database)
    assert main(["--data-dir", str(demo_paths.data_dir), "restore", str(bad)]) == 1
    assert "not a usable backup" in capsys.readouterr().err
    assert digest(demo_paths.database) == before


def test_backup_if_due_only_once_a_day(demo_paths):
    now = dt.datetime(2026, 3, 10, 9, 0)
    first = maintenance.backup_if_due(demo_paths, now)
    assert first is not None
    assert maintenance.backup_if_due(demo_paths, now + dt.timedelta(hours=5)) is None
    assert maintenance.backup_if_due(demo_paths, now + dt.timedelta(days=1, minutes=1)) is not None


def _infos(times: list[dt.datetime]) -> list[maintenance.BackupInfo]:
    return [maintenance.BackupInfo(Path(f"b{i}"), t, 1) for i, t in enumerate(times)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 3, 10)),
        min_size=1,
        max_size=200,
        unique=True,
    )
)
def test_thinning_keeps_recent_newest_and_bounded_history(times):
    now = dt.datetime(2026, 3, 10, 12, 0)
    backups = _infos(times)
    dropped = {b.path for b in maintenance.backups_to_thin(backups, now)}
    kept = [b for b in backups if b.path not in dropped]
    newest = max(backups, key=lambda b: b.taken_at)
    assert newest in kept
    assert all(b in kept for b in backups if now - b.taken_at < dt.timedelta(days=1))
    older = [b for b in kept if now - b.taken_at >= dt.timedelta(days=1)]
    assert (
        len(older) <= maintenance.KEEP_DAILY + maintenance.KEEP_WEEKLY + 1 + maintenance.KEEP_MONTHLY + 1 + 1
    )
    # Every day of the last week that has a backup keeps one.
    for day in {
        b.taken_at.date() for b in backups if dt.timedelta(days=1) <= now - b.taken_at <= dt.timedelta(days=7)
    }:
        assert any(b.taken_at.date() == day for b in kept)


def test_start_up_check_for_small_files_always_and_large_ones_when_not_as_left(demo_paths, monkeypatch):
    from winback_desktop import app
    from winback_desktop.store import integrity

    db = demo_paths.database
    assert app.startup_check_needed(demo_paths)  # a small file: every start
    monkeypatch.setattr(app, "QUICK_CHECK_ALWAYS_BELOW", 1)  # pretend it is large
    assert app.startup_check_needed(demo_paths)  # never closed cleanly by the app: checked
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(db, ns=(hour_ago, hour_ago))  # the app closed it an hour ago...
    integrity.record_clean_close(db)
    assert not app.startup_check_needed(demo_paths)  # ...and nothing touched it since
    demo_paths.session_marker.touch()  # the last session never ended cleanly
    assert app.startup_check_needed(demo_paths)
    demo_paths.session_marker.unlink()
    corrupt(db)  # a clean exit, then something else wrote the file
    assert app.startup_check_needed(demo_paths)
    assert (
        app.open_or_recover(demo_paths, ask=lambda *_: False, check=app.startup_check_needed(demo_paths))
        is None
    )
