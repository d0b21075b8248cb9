"""store/wal.py against real write-ahead logs written by SQLite, damaged byte by byte: whatever
the damage, what the reader says SQLite will apply is what SQLite then applies."""

from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from winback_desktop.store.wal import FRAME_HEADER, HEADER, checksum, read_wal

HYPOTHESIS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def crash_image(
    folder: Path, commits: int, *, blob: int = 300, earlier_round: int = 0, open_rows: int = 0
) -> Path:
    """A database and its log as a kill leaves them: ``commits`` transactions of one row each
    in the log. ``earlier_round``: that many big transactions first, checkpointed, so that the
    log is reused from its start and their frames stay behind the current ones. ``open_rows``:
    a transaction left open with that many rows, spilled into the log but never committed."""
    folder.mkdir(parents=True, exist_ok=True)
    live = folder / "live.db"
    conn = sqlite3.connect(live, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for _ in range(earlier_round):
        conn.execute("INSERT INTO t(b) VALUES (randomblob(20000))")
    if earlier_round:
        assert conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[0] == 0
    for _ in range(commits):
        conn.execute("INSERT INTO t(b) VALUES (randomblob(?))", (blob,))
    if open_rows:
        conn.execute("PRAGMA cache_size=2")  # pages: the open transaction spills into the log
        conn.execute("BEGIN")
        for _ in range(open_rows):
            conn.execute("INSERT INTO t(b) VALUES (randomblob(3000))")
    image = folder / "crash.db"
    shutil.copyfile(live, image)
    shutil.copyfile(folder / "live.db-wal", folder / "crash.db-wal")
    conn.close()
    return image


def rows_applied(db: Path, wal_bytes: bytes | None) -> int:
    """The rows SQLite reads from a copy of ``db`` with ``wal_bytes`` as its log."""
    folder = db.parent / "opened"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    copy = folder / "x.db"
    shutil.copyfile(db, copy)
    if wal_bytes is not None:
        (folder / "x.db-wal").write_bytes(wal_bytes)
    conn = sqlite3.connect(copy)
    try:
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        conn.close()


def frame_size(wal: bytes) -> int:
    return FRAME_HEADER + struct.unpack(">I", wal[8:12])[0]


def current_end(wal: bytes) -> int:
    """The end of the last frame of the log's current round (its salts are the header's)."""
    size, end = frame_size(wal), HEADER
    for offset in range(HEADER, len(wal) - size + 1, size):
        if wal[offset + 8 : offset + 16] == wal[16:24]:
            end = offset + size
    return end


def test_a_whole_log_is_whole_and_counted(tmp_path):
    db = crash_image(tmp_path, 7)
    wal = db.with_name("crash.db-wal")
    report = read_wal(wal)
    assert not report.damaged and report.commits == 7 and report.page_size == 4096
    assert rows_applied(db, None) == 0 and rows_applied(db, wal.read_bytes()) == 7


def test_no_log_and_an_empty_log_are_whole(tmp_path):
    assert not read_wal(tmp_path / "none-wal").damaged
    (tmp_path / "empty-wal").write_bytes(b"")
    assert not read_wal(tmp_path / "empty-wal").damaged


@HYPOTHESIS
@given(
    commits=st.integers(1, 10),
    blob=st.sampled_from([50, 1000, 6000]),
    earlier=st.sampled_from([0, 0, 6]),
    where=st.floats(0, 1, exclude_max=True),
    xor=st.integers(1, 255),
)
@example(commits=1, blob=50, earlier=0, where=0.009765625, xor=1)  # the first frame's salt
def test_a_flipped_byte_is_found_and_what_sqlite_keeps_is_what_was_said(
    tmp_path_factory, commits, blob, earlier, where, xor
):
    db = crash_image(tmp_path_factory.mktemp("wal"), commits, blob=blob, earlier_round=earlier)
    whole = db.with_name("crash.db-wal").read_bytes()
    base = rows_applied(db, None)
    pos = int(where * len(whole))
    damaged = bytearray(whole)
    damaged[pos] ^= xor
    target = db.with_name("damaged-wal")
    target.write_bytes(bytes(damaged))
    report = read_wal(target)
    applied = rows_applied(db, bytes(damaged)) - base
    assert applied == report.commits  # what the reader says SQLite keeps, SQLite keeps
    if pos < current_end(whole):
        assert report.damaged and report.lost_commits != 0
        assert applied < commits
    else:  # a frame left from the earlier round: nothing current is touched
        assert not report.damaged and applied == commits


@pytest.mark.parametrize(("commits", "earlier"), [(1, 0), (3, 0), (3, 6)])
def test_every_byte_of_every_header_flipped_is_found(tmp_path, commits, earlier):
    """The whole class the example above belongs to: each byte of the log's header and of every
    current frame's header (salts included, which no checksum covers), flipped three ways."""
    db = crash_image(tmp_path, commits, blob=50, earlier_round=earlier)
    whole = db.with_name("crash.db-wal").read_bytes()
    base, end, size = rows_applied(db, None), current_end(whole), frame_size(whole)
    positions = [*range(HEADER), *(o + k for o in range(HEADER, end, size) for k in range(24))]
    missed = []
    for pos in positions:
        for xor in (0x01, 0x80, 0xFF):
            damaged = bytearray(whole)
            damaged[pos] ^= xor
            target = db.with_name("damaged-wal")
            target.write_bytes(bytes(damaged))
            report = read_wal(target)
            applied = rows_applied(db, bytes(damaged)) - base
            if applied != report.commits or not report.damaged or applied == commits:
                missed.append((pos, xor, applied, report.commits, report.problem))
    assert missed == []


@HYPOTHESIS
@given(commits=st.integers(1, 8), where=st.floats(0, 1, exclude_min=True, exclude_max=True))
def test_a_log_cut_short_is_found_unless_cut_at_a_frame_boundary(tmp_path_factory, commits, where):
    db = crash_image(tmp_path_factory.mktemp("wal"), commits, blob=2000)
    whole = db.with_name("crash.db-wal").read_bytes()
    cut = max(1, int(where * len(whole)))
    target = db.with_name("cut-wal")
    target.write_bytes(whole[:cut])
    report = read_wal(target)
    assert rows_applied(db, whole[:cut]) == report.commits
    rest = (cut - HEADER) % frame_size(whole) if cut >= HEADER else -1
    if rest not in (0, FRAME_HEADER):
        assert report.damaged, (cut, rest)
    if report.commits == commits:
        assert not report.damaged  # a cut after the last commit loses nothing saved


def test_an_unfinished_transaction_and_a_frame_header_alone_are_not_damage(tmp_path):
    db = crash_image(tmp_path, 3, open_rows=20)
    wal = db.with_name("crash.db-wal")
    data = wal.read_bytes()
    assert len(data) > HEADER + 10 * frame_size(data)  # the open transaction did reach the log
    report = read_wal(wal)
    assert not report.damaged and report.commits == 3 == rows_applied(db, data)
    last = len(data) - frame_size(data)
    wal.write_bytes(data + data[last : last + FRAME_HEADER])  # killed between header and page
    assert not read_wal(wal).damaged


def test_a_damaged_header_loses_the_whole_log_and_says_so(tmp_path):
    db = crash_image(tmp_path, 4)
    wal = db.with_name("crash.db-wal")
    data = bytearray(wal.read_bytes())
    data[20] ^= 0xFF  # a salt: the header's checksum no longer holds
    wal.write_bytes(bytes(data))
    report = read_wal(wal)
    assert report.damaged and "header" in (report.problem or "")
    assert report.commits == 0 and report.lost_commits == 4
    assert rows_applied(db, bytes(data)) == 0


def _reencoded_big_endian(data: bytes) -> bytes:
    """The same log as a big-endian machine would have written it."""
    out = bytearray(data)
    out[0:4] = struct.pack(">I", 0x377F0683)
    s = checksum(bytes(out[:24]), True)
    out[24:32] = struct.pack(">II", *s)
    size = frame_size(data)
    for offset in range(HEADER, len(out) - size + 1, size):
        s = checksum(bytes(out[offset : offset + 8]), True, *s)
        s = checksum(bytes(out[offset + FRAME_HEADER : offset + size]), True, *s)
        out[offset + 16 : offset + 24] = struct.pack(">II", *s)
    return bytes(out)


def test_both_checksum_byte_orders_read_as_sqlite_reads_them(tmp_path):
    db = crash_image(tmp_path, 5)
    wal = db.with_name("crash.db-wal")
    big = _reencoded_big_endian(wal.read_bytes())
    wal.write_bytes(big)
    report = read_wal(wal)
    assert not report.damaged and report.commits == 5
    assert rows_applied(db, big) == 5  # SQLite accepts our checksums: they are its own


@pytest.mark.parametrize("size", [1, 31])
def test_a_log_shorter_than_its_header_is_damage(tmp_path, size):
    wal = tmp_path / "short-wal"
    wal.write_bytes(b"\x37" * size)
    assert read_wal(wal).damaged
