"""Every finding of damage leaves the note that stops writes at the next start; a damaged
write-ahead log on a read-only disk is named as both."""

from __future__ import annotations

import pytest

from tests.helpers.faults import page_size_of, read_only_folder, zero_pages
from tests.integration.test_damage import cli, crash_with_saved_changes, demo_paths, frame_offsets
from winback_desktop.bootstrap import DatabaseDamagedError, open_app
from winback_desktop.paths import Paths
from winback_desktop.services.people import team
from winback_desktop.store import integrity

pytestmark = pytest.mark.sqlite_only  # damage found in the SQLite file

__all__ = ["demo_paths"]  # the fixture, shared with test_damage.py


def test_a_damaged_log_on_a_read_only_disk_says_both_and_the_data_opens_read_only(demo_paths: Paths, capsys):
    people = crash_with_saved_changes(demo_paths, 4)
    wal = integrity.wal_path(demo_paths.database)
    data = bytearray(wal.read_bytes())
    data[frame_offsets(wal)[-1] + 24 + 100] ^= 0x01  # the last save's page
    wal.write_bytes(bytes(data))
    why = f"the folder {demo_paths.data_dir} is on a read-only disk"
    with read_only_folder(demo_paths.data_dir):
        code, out, err = cli(demo_paths, "lapsed", capsys=capsys)
        assert code == 0 and "customers lapsed as of" in out, out + err
        (warning,) = [line for line in err.splitlines() if line.startswith("winback: warning:")]
        assert "write-ahead log is damaged" in warning and "the last saved change" in warning
        assert "could not be copied aside, because the folder" in warning
        assert "is on a read-only disk; it is left as it is" in warning
        ctx = open_app(demo_paths)
        try:
            assert ctx.read_only == why and len(ctx.notices) == 1
            assert len(team.list_people(ctx)) == people - 1  # SQLite reads up to the damage
        finally:
            ctx.close()
        assert wal.read_bytes() == bytes(data)  # left as it was: nothing could reset it
    ctx = open_app(demo_paths)  # writable again: now it is kept aside first
    try:
        (notice,) = ctx.notices
        kept = next(demo_paths.backups.glob("damaged-wal-*"))
        assert kept.read_bytes() == bytes(data) and str(kept) in notice
    finally:
        ctx.close()


def test_damage_found_by_the_start_up_quick_check_stops_the_next_start_too(demo_paths: Paths):
    db = demo_paths.database
    zero_pages(db, page_size_of_middle(db))  # a page in the middle: the header is still whole
    with pytest.raises(DatabaseDamagedError) as found:
        open_app(demo_paths)  # the quick check finds it
    assert integrity.recorded_damage(db) is not None
    assert found.value.detail in (integrity.recorded_damage(db) or "")
    with pytest.raises(DatabaseDamagedError):  # a start that skips the check (a big file
        open_app(demo_paths, check=False)  # left as it was closed) is refused by the note


def test_a_damaged_header_leaves_the_note_too(demo_paths: Paths):
    db = demo_paths.database
    with open(db, "r+b") as f:
        f.seek(100)
        f.write(b"\x00")  # the first page's type: the list of tables is damaged
    with pytest.raises(DatabaseDamagedError, match="first page"):
        open_app(demo_paths, check=False)
    assert "first page" in (integrity.recorded_damage(db) or "")


def page_size_of_middle(db) -> int:
    return (db.stat().st_size // page_size_of(db)) // 2
