"""store/integrity.py on real files: the header check, SQLite's checks, the damage note that
stops every write, the clean-close note, a log kept aside, a database open in another process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.helpers.faults import page_size_of, unindexed_change, zero_pages
from tests.helpers.paths import ROOT
from winback_desktop.store import integrity
from winback_desktop.store.connection import check_file, make_engine, make_session_factory, transaction
from winback_desktop.store.integrity import WritesStoppedError


def plain_db(path: Path, rows: int = 2000, wal: bool = False) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER)")
    conn.execute("CREATE INDEX t_name ON t(name)")
    conn.execute(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?) "
        "INSERT INTO t(name, n) SELECT hex(randomblob(20)), i FROM k",
        (rows,),
    )
    conn.close()
    return path


def test_a_sound_file_has_a_sound_header(tmp_path):
    db = plain_db(tmp_path / "a.db")
    assert integrity.header_problem(db) is None and integrity.find_damage(db) is None
    assert check_file(db) == "ok"


def overwrite(db: Path, offset: int, data: bytes) -> None:
    with open(db, "r+b") as f:
        f.seek(offset)
        f.write(data)


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda db: overwrite(db, 0, b"\0" * 16), "not a database"),
        (lambda db: overwrite(db, 16, b"\x03\x00"), "header is damaged"),
        (lambda db: zero_pages(db, 1), "not a database"),
        (lambda db: overwrite(db, 100, b"\0"), "first page"),
        (lambda db: os.truncate(db, db.stat().st_size - 100), "not a whole number"),
        (lambda db: os.truncate(db, db.stat().st_size - page_size_of(db)), "cut short: it holds"),
        (lambda db: overwrite(db, 32, (10**6).to_bytes(4, "big")), "free pages"),
    ],
)
def test_the_header_check_sees_what_a_bad_disk_does(tmp_path, damage, said):
    db = plain_db(tmp_path / "a.db", rows=200)
    damage(db)
    problem = integrity.header_problem(db)
    assert problem is not None and said in problem
    assert check_file(db) != "ok"


def test_zeroed_pages_fail_the_quick_check(tmp_path):
    db = plain_db(tmp_path / "a.db", rows=5000)
    zero_pages(db, 3, 2)
    assert integrity.header_problem(db) is None  # the header cannot see it...
    assert integrity.find_damage(db, full=False) is not None  # ...every page read does


def test_an_index_out_of_step_with_its_table_passes_the_quick_check_only(tmp_path):
    db = plain_db(tmp_path / "a.db")
    unindexed_change(db, "t_name", "UPDATE t SET name = 'changed' WHERE id % 7 = 0")
    with sqlite3.connect(db) as conn:  # the schema is exactly as before
        assert conn.execute("SELECT sql FROM sqlite_master WHERE name = 't_name'").fetchone()[0]
    assert integrity.find_damage(db, full=False) is None
    found = integrity.find_damage(db, full=True)
    assert found is not None and "t_name" in found


def test_an_empty_file_is_not_a_good_database(tmp_path):
    db = tmp_path / "a.db"
    db.write_bytes(b"")
    assert integrity.presence(db) is integrity.Kind.EMPTY
    assert check_file(db) == "the file is empty (0 bytes)"
    assert integrity.presence(tmp_path / "none.db") is integrity.Kind.MISSING


def test_a_damage_note_stops_every_write_and_reading_goes_on(tmp_path):
    db = tmp_path / "a.db"
    engine = make_engine(db)
    sessions = make_session_factory(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t(x)"))
    with transaction(sessions) as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
    integrity.mark_damaged(db, "page 7 is zeroed")
    before = db.read_bytes(), Path(f"{db}-wal").read_bytes()
    with pytest.raises(WritesStoppedError, match="page 7 is zeroed"), transaction(sessions) as s:
        s.execute(text("INSERT INTO t VALUES (2)"))
    with pytest.raises(Exception, match="readonly"), engine.begin() as conn:  # not marked as a write
        conn.execute(text("INSERT INTO t VALUES (3)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1  # reading still works
    assert (db.read_bytes(), Path(f"{db}-wal").read_bytes()) == before  # not a byte written
    integrity.clear_damage(db)  # a restore or a passing full check
    with transaction(sessions) as s:
        s.execute(text("INSERT INTO t VALUES (4)"))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (5)"))
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 3
    engine.dispose()


def test_a_damage_note_written_by_another_process_stops_this_one_at_once(tmp_path):
    db = tmp_path / "a.db"
    engine = make_engine(db)
    sessions = make_session_factory(engine)
    with transaction(sessions) as s:
        s.execute(text("CREATE TABLE t(x)"))
    code = "import sys; from pathlib import Path; from winback_desktop.store import integrity; "
    code += "integrity.mark_damaged(Path(sys.argv[1]), 'found elsewhere')"
    subprocess.run(
        [sys.executable, "-c", code, str(db)], check=True, env=dict(os.environ, PYTHONPATH=str(ROOT))
    )
    with pytest.raises(WritesStoppedError, match="found elsewhere"), transaction(sessions) as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
    engine.dispose()


def test_the_clean_close_note_sees_any_change_since(tmp_path):
    db = plain_db(tmp_path / "a.db", rows=100)
    assert not integrity.left_as_closed(db)  # never closed by the app
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(db, ns=(hour_ago, hour_ago))
    integrity.record_clean_close(db)
    assert integrity.left_as_closed(db)
    Path(f"{db}-wal").write_bytes(b"x" * 100)  # something wrote a log since
    assert not integrity.left_as_closed(db)
    Path(f"{db}-wal").unlink()
    zero_pages(db, 2)
    assert not integrity.left_as_closed(db)
    os.utime(db, ns=(hour_ago, hour_ago))  # even with its old times put back (cp -p, rsync -t)
    assert not integrity.left_as_closed(db)
    integrity.mark_damaged(db, "x")
    integrity.record_clean_close(db)  # nothing is recorded for a damaged file
    assert not integrity.left_as_closed(db)


HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM t").fetchone()
print("open", flush=True)
sys.stdin.readline()
"""


def test_a_database_open_in_another_process_is_seen(tmp_path):
    db = plain_db(tmp_path / "a.db", rows=10, wal=True)
    assert not integrity.in_use_elsewhere(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert integrity.in_use_elsewhere(db)
    finally:
        holder.communicate("\n", timeout=30)
    assert not integrity.in_use_elsewhere(db)


def wal_image(folder: Path) -> Path:
    """A database with three saved transactions in its log, as a kill leaves it."""
    live = plain_db(folder / "live.db", rows=10, wal=True)
    conn = sqlite3.connect(live, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for i in range(3):
        conn.execute("INSERT INTO t(name, n) VALUES ('x', ?)", (i,))
    db = folder / "db" / "a.db"
    db.parent.mkdir()
    db.write_bytes(live.read_bytes())
    integrity.wal_path(db).write_bytes(integrity.wal_path(live).read_bytes())
    conn.close()
    return db


def test_a_damaged_log_is_kept_aside_once_and_named(tmp_path):
    db = wal_image(tmp_path)
    wal = integrity.wal_path(db)
    assert integrity.vet_wal(db, tmp_path / "keep") is None  # whole: nothing to tell
    data = bytearray(wal.read_bytes())
    data[-50] ^= 0x10  # in the last frame: the last saved change
    wal.write_bytes(bytes(data))
    notice = integrity.vet_wal(db, tmp_path / "keep")
    assert notice is not None and notice.report.lost_commits == 1
    assert notice.kept.read_bytes() == bytes(data) and notice.kept.stat().st_mode & 0o777 == 0o600
    message = notice.message()
    assert "the last saved change" in message and str(notice.kept) in message
    assert f"{notice.written:%H:%M}" in message
    again = integrity.vet_wal(db, tmp_path / "keep")
    assert again is not None and again.kept == notice.kept  # the same log is not copied twice
    assert list((tmp_path / "keep").iterdir()) == [notice.kept]


def test_the_log_of_a_missing_database_is_kept_before_sqlite_deletes_it(tmp_path):
    db = wal_image(tmp_path)
    db.write_bytes(b"")  # SQLite deletes the log of an empty database file when it opens it
    notice = integrity.vet_wal(db, tmp_path / "keep")
    assert notice is not None and notice.orphaned and notice.kept.exists()
    assert "kept at" in notice.message()
