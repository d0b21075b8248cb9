"""The disk under the data folder, with real faults: a full tmpfs, a read-only bind mount, a
shared 1777 folder, a linked database file, another program's SQLite file.

Each fault is named as what it is (never "damaged", never "already open"), and nothing is
written where it should not be.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.helpers.faults import fill_to, read_only_folder, small_disk, snapshot
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import DB_FILE_NAME, Paths
from winback_desktop.store import disk
from winback_desktop.store.connection import check_file, connect_read_only, make_engine
from winback_desktop.store.errors import KnownError, Problem, known_problem
from winback_desktop.store.identity import NotOurDatabaseError, foreign_tables


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Win-Back database with the sample data, closed cleanly (no -wal, no -shm)."""
    from winback_desktop.services.demo import load_demo

    folder = tmp_path_factory.mktemp("demo")
    ctx = open_app(Paths(folder, custom=True))
    load_demo(ctx)
    ctx.close()
    db = folder / DB_FILE_NAME
    assert not db.with_name(db.name + "-wal").exists()
    return db


def copy_db(demo_db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(demo_db, folder / DB_FILE_NAME))


# --- a full disk ---------------------------------------------------------------------------------


@pytest.mark.parametrize("free_kib", [0, 4, 8, 36])
def test_a_full_disk_reads_the_database_and_calls_it_full_not_damaged(demo_db, tmp_path, free_kib):
    with small_disk(tmp_path / "disk", "2m") as mount:
        db = copy_db(demo_db, mount / "data")
        fill_to(mount, free_kib * 1024)
        before = db.read_bytes()
        # SQLite's own read-only open cannot size a -shm index on so little room ("disk I/O
        # error"): the start-up check once took that for damage.
        assert check_file(db, full=False) == "ok"
        assert check_file(db) == "ok"
        conn = connect_read_only(db)
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] > 0
        conn.close()
        state = disk.probe(db.parent, db)
        assert state.full and state.read_only is None
        left = disk.size_text(state.free or 0)  # reading made the -shm index if it fitted
        assert state.why_read_only() == f"the disk holding {db.parent} is full ({left} free)"
        writer = sqlite3.connect(db)
        with pytest.raises(sqlite3.Error) as failed:  # the ordinary open for writing fails
            writer.execute("PRAGMA journal_mode=WAL")
            writer.execute("CREATE TABLE x(a)")
            writer.execute("INSERT INTO x VALUES (randomblob(100000))")
            writer.commit()
        writer.close()
        known = known_problem(failed.value, db)
        assert known is not None and known.problem == Problem.DISK_FULL, known
        assert f"the disk holding {db.parent} is full" in known.message
        assert db.read_bytes() == before


def test_a_full_disk_with_an_empty_wal_left_beside_the_file_is_still_read(demo_db, tmp_path):
    """An empty -wal (a crash between checkpoint and delete): SQLite's mode=ro is tried, cannot
    size its -shm index, and the file is read as immutable: the -wal holds nothing to miss."""
    with small_disk(tmp_path / "disk", "2m") as mount:
        db = copy_db(demo_db, mount / "data")
        db.with_name(db.name + "-wal").touch()
        fill_to(mount, 0)
        assert check_file(db) == "ok"


def test_an_os_error_of_a_full_disk_names_the_folder(tmp_path):
    with small_disk(tmp_path / "disk", "64k") as mount:
        with pytest.raises(OSError) as failed:
            (mount / "big.csv").write_bytes(b"x" * 200_000)
        assert failed.value.errno == errno.ENOSPC
        known = known_problem(failed.value, mount / "big.csv")  # a failed write names no file
        assert known is not None and known.problem == Problem.DISK_FULL
        assert known.message == f"the disk holding {mount} is full (0 bytes free)"
        assert known.sentence == f"The disk holding {mount} is full (0 bytes free)."
        # Not told where, or told a folder on a disk with room: it does not guess which disk.
        assert known_problem(failed.value).message == "the disk is full (No space left on device)"
        assert known_problem(failed.value, tmp_path / "x.csv").message == (
            "the disk is full (No space left on device)"
        )


def test_a_nearly_full_disk_opens_read_only_and_says_how_much_it_needs(tmp_path):
    with small_disk(tmp_path / "disk", "8m") as mount:
        fill_to(mount, 3 * 1024 * 1024)
        state = disk.probe(mount)
        assert state.full
        assert state.why_read_only() == (
            f"the disk holding {mount} is nearly full "
            "(3.0 MiB free; Win-Back Desk needs 8.0 MiB to save safely)"
        )


def test_room_enough_is_no_fault(tmp_path):
    state = disk.probe(tmp_path)
    if state.free is not None and state.free < disk.FULL_BELOW:
        pytest.skip("the test machine's own disk is nearly full")
    assert state.why_read_only() is None


# --- a read-only disk ----------------------------------------------------------------------------


def test_a_read_only_folder_is_read_and_named(demo_db, tmp_path):
    folder = tmp_path / "data"
    db = copy_db(demo_db, folder)
    before = snapshot(folder)
    with read_only_folder(folder):
        assert disk.probe(folder, db).why_read_only() == f"the folder {folder} is on a read-only disk"
        # A WAL database with no -shm beside it: SQLite's mode=ro cannot open it here.
        assert check_file(db) == "ok"
        conn = connect_read_only(db)
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] > 0
        conn.close()
        with pytest.raises(OSError) as failed:
            (folder / "exports").mkdir()
        known = known_problem(failed.value)
        assert known is not None and known.problem == Problem.READ_ONLY
        assert known.message == f"the folder {folder} is on a read-only disk"
        raw = sqlite3.connect(db)
        with pytest.raises(sqlite3.Error) as refused:
            raw.execute("SELECT 1 FROM customers")
        raw.close()
        known = known_problem(refused.value, db)
        assert known is not None and known.problem == Problem.READ_ONLY
        assert known.message == f"the folder {folder} is on a read-only disk"
        ctx = open_app(Paths(folder, custom=True))
        try:
            assert ctx.read_only == f"the folder {folder} is on a read-only disk"
            from winback_desktop.services.roster import card

            assert card.count(ctx) > 0
            from winback_desktop.services.people import team

            with pytest.raises(KnownError) as no_write:
                team.add_person(ctx, "Someone New", "caller")
            assert no_write.value.problem == Problem.READ_ONLY
            assert str(folder) in no_write.value.message
        finally:
            ctx.close()
    assert snapshot(folder) == before


def test_a_read_only_folder_without_a_database_says_there_is_none(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    with read_only_folder(folder):
        with pytest.raises(KnownError) as refused:
            open_app(Paths(folder, custom=True))
    assert refused.value.message == (
        f"there is no Win-Back Desk database in {folder} yet, and the folder {folder} is on a read-only disk"
    )
    assert list(folder.iterdir()) == []


# --- paths stay ours -----------------------------------------------------------------------------


def test_a_shared_folder_keeps_its_mode_and_only_new_folders_are_private(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    old = os.umask(0)  # a permissive umask: the new folders are private all the same
    try:
        ctx = open_app(Paths(shared, custom=True))
        ctx.close()
    finally:
        os.umask(old)
    assert mode(shared) == 0o1777  # the sticky bit and the others' write access stay
    for made in ("backups", "exports", "logs"):
        assert mode(shared / made) == 0o700
    assert mode(shared / DB_FILE_NAME) == 0o600


def test_missing_parents_of_the_data_folder_are_made_private(tmp_path):
    os.chmod(tmp_path, 0o755)
    old = os.umask(0)
    try:
        Paths(tmp_path / "a" / "b" / "data", custom=True).ensure()
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "data"):
        assert mode(folder) == 0o700, folder
    assert mode(tmp_path) == 0o755  # the folder that was there is not ours to change


@pytest.mark.parametrize("linked", [DB_FILE_NAME, DB_FILE_NAME + "-wal"])
def test_a_linked_database_file_is_refused_and_nothing_is_made_beside_its_target(demo_db, tmp_path, linked):
    elsewhere = tmp_path / "elsewhere"
    target = copy_db(demo_db, elsewhere)
    folder = tmp_path / "data"
    folder.mkdir()
    if linked == DB_FILE_NAME:
        (folder / DB_FILE_NAME).symlink_to(target)
    else:
        shutil.copy2(demo_db, folder / DB_FILE_NAME)
        (folder / linked).symlink_to(elsewhere / "planted-wal")
    before = snapshot(elsewhere)
    for attempt in (
        lambda: open_app(Paths(folder, custom=True)),
        lambda: make_engine(folder / DB_FILE_NAME),
        lambda: check_file(folder / DB_FILE_NAME),
    ):
        with pytest.raises(disk.UnsafeDatabasePath) as refused:
            attempt()
        assert refused.value.link == folder / linked
        known = known_problem(refused.value)
        assert known is not None and known.problem == Problem.LINKED
        assert f"{folder / linked} is a symbolic link" in known.message
    assert snapshot(elsewhere) == before  # no -wal, -shm or journal beside the target


def test_another_programs_sqlite_file_is_refused_and_left_byte_identical(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / DB_FILE_NAME
    other = sqlite3.connect(db)
    other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    other.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT)")
    other.execute("INSERT INTO invoices VALUES (1, 99.5)")
    other.commit()
    other.close()
    os.chmod(db, 0o644)  # its own mode, which we must not change either
    before = snapshot(folder)
    assert foreign_tables(db) == ["clients", "invoices"]
    with pytest.raises(NotOurDatabaseError) as refused:
        open_app(Paths(folder, custom=True))
    assert refused.value.problem == Problem.NOT_OURS
    assert refused.value.message.startswith(
        f"{db} is not a Win-Back Desk database (it holds the tables clients, invoices of another "
        "program); nothing was changed in it"
    )
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if k in before} == before
    assert before[DB_FILE_NAME][2][18:20] == b"\x01\x01"  # still a rollback-journal file, not WAL


def test_an_empty_or_new_file_and_our_own_database_are_ours(demo_db, tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert foreign_tables(empty) is None
    assert foreign_tables(demo_db) is None
    assert foreign_tables(tmp_path / "missing.sqlite3") is None


@pytest.mark.sqlite_only  # a damaged SQLite file's backup
def test_a_backup_of_a_damaged_file_is_refused_in_words_and_writes_no_backup(demo_db, tmp_path, capsys):
    """Malformed pages met while copying (SQLite raises instead of listing them) are sorted as
    the copy failing its check, which backup_now turns into the file's damage: a message."""
    from winback_desktop.cli.entry import main
    from winback_desktop.store.backup import BackupCheckError, backup_database

    folder = tmp_path / "data"
    db = copy_db(demo_db, folder)
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'customers'").fetchone()[0]
    conn.close()
    with db.open("r+b") as f:  # a zeroed table page
        f.seek((root - 1) * page_size)
        f.write(b"\0" * page_size)
    target = tmp_path / "backups" / "b.sqlite3"
    with pytest.raises(BackupCheckError):
        backup_database(db, target)
    assert list(target.parent.iterdir()) == []
    old = os.umask(0o022)
    try:
        code = main(["--data-dir", str(folder), "backup"])
    finally:
        os.umask(old)
    err = capsys.readouterr().err
    assert code == 1 and "damaged" in err and "Traceback" not in err
    assert not list((folder / "backups").glob("*.sqlite3*"))


@pytest.mark.parametrize(
    ("revision", "says"),
    [("0004", "must be upgraded for this version"), ("9999", "written by a newer version")],
)
def test_a_read_only_database_that_would_need_migrating_is_refused_by_name(demo_db, tmp_path, revision, says):
    from winback_desktop.store.migrate import SchemaTooNewError

    folder = tmp_path / "data"
    db = copy_db(demo_db, folder)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.commit()
    conn.close()
    with read_only_folder(folder):
        with pytest.raises((KnownError, SchemaTooNewError)) as refused:
            open_app(Paths(folder, custom=True))
    assert says in str(refused.value)
    if revision == "0004":
        assert str(refused.value) == (
            f"the database {db} must be upgraded for this version of Win-Back Desk, which writes to "
            f"it, and the folder {folder} is on a read-only disk"
        )
