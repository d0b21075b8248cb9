"""Backups leave nothing half-written behind, and a wrong clock cannot stop the daily backup."""

from __future__ import annotations

import datetime as dt
import errno
import os
import time

import pytest

from tests.helpers.faults import small_disk
from winback_desktop.services.maintenance import backups as maintenance

# Backups of the SQLite file; a team database is the server's to back up (the app refuses it:
# tests/ui/test_team_backups.py).
pytestmark = pytest.mark.sqlite_only


def _age(path, minutes: float) -> None:
    then = time.time() - minutes * 60
    os.utime(path, (then, then))


def test_interrupted_backups_are_cleaned_up_but_a_running_one_is_not(demo_ctx, paths):
    paths.backups.mkdir(parents=True, exist_ok=True)
    stale = paths.backups / "winback-20261101-101010-daily.sqlite3.part"
    stale.write_bytes(b"half a copy of customer data")
    _age(stale, 60)
    running = paths.backups / "winback-20261201-101010-daily.sqlite3.part"
    running.write_bytes(b"a copy being written right now")
    assert maintenance.remove_partial_backups(paths) == [stale]
    assert not stale.exists() and running.exists()


def test_a_backup_cleans_up_what_an_earlier_one_left(demo_ctx, paths):
    paths.backups.mkdir(parents=True, exist_ok=True)
    stale = paths.backups / "winback-20261101-101010-daily.sqlite3.part"
    stale.write_bytes(b"x" * 1000)
    _age(stale, 30)
    target = maintenance.backup_now(paths)
    assert target.is_file()
    assert list(paths.backups.glob("*.part")) == []


def test_a_backup_on_a_full_disk_fails_clearly_and_leaves_no_partial_copy(demo_ctx, paths):
    with small_disk(paths.backups, "64k"):
        with pytest.raises(OSError) as failed:
            maintenance.backup_now(paths)
        assert "full" in str(failed.value).lower() or failed.value.errno == errno.ENOSPC
        assert list(paths.backups.iterdir()) == []


def test_a_backup_named_by_a_wrong_clock_does_not_stop_the_daily_backup(demo_ctx, paths):
    now = dt.datetime.now()
    first = maintenance.backup_now(paths, "daily", now - dt.timedelta(days=2))
    future = first.with_name("winback-20300101-090000-daily.sqlite3")
    first.rename(future)
    _age(future, 2 * 24 * 60)  # really written two days ago
    infos = maintenance.list_backups(paths, now)
    assert infos[0].path == future
    assert now - infos[0].taken_at >= dt.timedelta(days=2) - dt.timedelta(minutes=1)
    assert maintenance.backup_due(paths, now)
    made = maintenance.backup_if_due(paths, now)
    assert made is not None
    assert maintenance.list_backups(paths, now)[0].path == made  # the new one is the newest
    assert not maintenance.backup_due(paths, now)


def test_a_backup_from_the_future_by_name_and_file_time_sorts_last(demo_ctx, paths):
    now = dt.datetime.now()
    real = maintenance.backup_now(paths, "daily", now - dt.timedelta(hours=3))
    future = paths.backups / "winback-20300101-090000-daily.sqlite3"
    future.write_bytes(real.read_bytes())
    later = time.time() + 3 * 365 * 86400
    os.utime(future, (later, later))
    assert [b.path for b in maintenance.list_backups(paths, now)] == [real, future]
    assert not maintenance.backup_due(paths, now)  # the real one is three hours old
