"""Starting Win-Back Desk on a full disk, a read-only folder, a linked or foreign database file:
the real faults (a small tmpfs filled up, a read-only bind mount), the real start-up (the GUI's
``app.start_gui`` in a child process, the CLI's ``main``).

What must hold: the fault is named as such, never "damaged" and never "already open"; on a full
or read-only disk the data is shown read-only (doctor, export, lapsed and sheet work; the window
shows the roster with editing off and says why; no lock, no backup, no re-rank); and nothing is
written to the database.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.faults import fill_to, read_only_folder, small_disk, snapshot
from tests.helpers.paths import ROOT
from winback_desktop.bootstrap import open_app
from winback_desktop.cli.entry import main
from winback_desktop.paths import DB_FILE_NAME, Paths
from winback_desktop.store import disk

pytestmark = pytest.mark.sqlite_only  # the disk under the SQLite file

WRONG_WORDS = ("damaged", "already open", "unexpected", "Traceback", "Restore")


@pytest.fixture(autouse=True)
def keep_umask():
    """main() sets a private umask for the whole process; put the test runner's back."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from winback_desktop.services.demo import load_demo

    folder = tmp_path_factory.mktemp("demo")
    ctx = open_app(Paths(folder, custom=True))
    load_demo(ctx)
    ctx.close()
    return folder / DB_FILE_NAME


def a_call_id(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT min(id) FROM calls").fetchone()[0])
    finally:
        conn.close()


def start_gui_in_child(data: Path) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.pop("WINBACK_EXIT_WHEN_SHOWN", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "helpers" / "children" / "start.py"), str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["stderr"] = done.stderr
    return out


def cli(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def no_wrong_words(*texts: str) -> None:
    for text in texts:
        for word in WRONG_WORDS:
            assert word not in text, f"{word!r} in {text!r}"


def check_read_only_commands(capsys, data: Path, db: Path, tmp_path: Path, why: str) -> None:
    """doctor, lapsed, export and sheet work; a write is refused, naming why."""
    code, out, err = cli(capsys, data, "doctor")
    assert code == 0 and "database: ok (full integrity check passed)" in out, out + err
    code, out, err = cli(capsys, data, "lapsed")
    assert code == 0 and "customers lapsed as of" in out, out + err
    assert err == f"winback: statuses and priorities as last stored ({why})\n"
    code, out, err = cli(capsys, data, "export", "calls", "-o", str(tmp_path / "calls.csv"))
    assert code == 0 and (tmp_path / "calls.csv").stat().st_size > 0, out + err
    code, out, err = cli(capsys, data, "sheet", str(a_call_id(db)), "-o", str(tmp_path / "sheet.pdf"))
    assert code == 0 and (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF"), out + err
    code, out, err = cli(capsys, data, "demo")
    assert code == 1 and err == f"winback: cannot use the database {db}: nothing can be saved: {why}\n"
    no_wrong_words(out, err)


def check_read_only_window(shown: dict[str, Any], why: str) -> None:
    assert shown["code"] is None, shown
    assert shown["read_only"] == why
    assert why[:1].upper() + why[1:] in shown["banner"]
    assert shown["rows"] > 0  # the data is there to look at
    assert shown["editing_on"] == [] and shown["start_button"] is False
    assert shown["jobs"] == 0 and shown["ranking"] is False  # no backup, no re-rank
    assert shown["dialogs"] == []  # not "damaged… restore?", not "already open"
    no_wrong_words(shown["stderr"], shown["banner"])


@pytest.mark.parametrize("free_kib", [4, 8, 36])
def test_a_full_disk_is_named_and_the_data_shown_read_only(demo_db, tmp_path, capsys, free_kib):
    with small_disk(tmp_path / "disk", "2m") as mount:
        data = mount / "data"
        data.mkdir()
        db = Path(shutil.copy2(demo_db, data / DB_FILE_NAME))
        fill_to(mount, free_kib * 1024)
        before = db.read_bytes()

        shown = start_gui_in_child(data)
        why = shown["read_only"]
        assert why is not None and why.startswith(f"the disk holding {data} is full (")
        check_read_only_window(shown, why)
        assert db.read_bytes() == before

        left = disk.size_text(disk.free_bytes(data) or 0)  # the window's -shm may have taken some
        check_read_only_commands(capsys, data, db, tmp_path, f"the disk holding {data} is full ({left} free)")
        assert db.read_bytes() == before


def test_a_read_only_folder_shows_the_data_read_only_and_writes_nothing(demo_db, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    db = Path(shutil.copy2(demo_db, data / DB_FILE_NAME))  # no backups, logs, exports folders
    before = snapshot(data)
    why = f"the folder {data} is on a read-only disk"
    with read_only_folder(data):
        shown = start_gui_in_child(data)
        check_read_only_window(shown, why)
        assert shown["lock"] is False
        check_read_only_commands(capsys, data, db, tmp_path, why)
    assert snapshot(data) == before


def test_a_linked_database_is_refused_by_the_window_and_the_commands(demo_db, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = Path(shutil.copy2(demo_db, elsewhere / "shared.sqlite3"))
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_FILE_NAME).symlink_to(target)
    before = snapshot(elsewhere)
    shown = start_gui_in_child(data)
    assert shown["code"] == 1
    [dialog] = shown["dialogs"]
    assert dialog["kind"] == "critical" and f"{data / DB_FILE_NAME} is a symbolic link" in dialog["text"]
    code, _out, err = cli(capsys, data, "lapsed")
    assert code == 1 and f"{data / DB_FILE_NAME} is a symbolic link (it points to {target})" in err
    code, _out, err = cli(capsys, data, "doctor")
    assert code == 1 and "symbolic link" in err
    no_wrong_words(dialog["text"], err)
    assert snapshot(elsewhere) == before  # no -wal, -shm, journal or backup beside the target


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    db = data / DB_FILE_NAME
    other = sqlite3.connect(db)
    other.execute("PRAGMA journal_mode=WAL")  # WAL or not, its bytes must stay as they are
    other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    other.execute("INSERT INTO notes (body) VALUES ('not ours')")
    other.commit()
    other.close()
    before = db.read_bytes(), db.stat().st_mode, db.stat().st_mtime_ns
    shown = start_gui_in_child(data)
    assert shown["code"] == 1
    [dialog] = shown["dialogs"]
    assert f"{db} is not a Win-Back Desk database (it holds the tables notes" in dialog["text"]
    code, _out, err = cli(capsys, data, "lapsed")
    assert code == 1 and err.startswith(f"winback: {db} is not a Win-Back Desk database")
    no_wrong_words(dialog["text"], err)
    assert (db.read_bytes(), db.stat().st_mode, db.stat().st_mtime_ns) == before
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]
    conn.close()


def test_the_daily_backup_job_on_a_full_disk_says_so_in_one_line(demo_db, tmp_path):
    with small_disk(tmp_path / "disk", "12m") as mount:
        data = mount / "data"
        (data / "backups").mkdir(parents=True)
        shutil.copy2(demo_db, data / DB_FILE_NAME)
        fill_to(mount, 100 * 1024)  # room to start, none for a copy
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-m", "winback_desktop.jobs.backup", str(data)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1
        assert done.stderr == f"winback: the disk holding {data / 'backups'} is full (100 KiB free)\n"
        assert list((data / "backups").iterdir()) == []


def test_a_shared_1777_folder_as_data_dir_keeps_its_mode(tmp_path, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    assert cli(capsys, shared, "demo")[0] == 0
    shown = start_gui_in_child(shared)
    assert shown["code"] is None and shown["read_only"] is None
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    for made in ("backups", "exports", "logs"):
        assert stat.S_IMODE((shared / made).stat().st_mode) == 0o700


def test_a_disk_io_error_on_a_full_disk_is_called_full_in_the_call_windows_words(demo_db, tmp_path):
    """SQLite says "disk I/O error" when a full disk cannot size the -shm index: the words the
    call window gives (services/calls/writer.py) name the full disk, not a disk error."""
    from types import SimpleNamespace

    from winback_desktop.services.calls.writer import why_not_saved

    with small_disk(tmp_path / "disk", "2m") as mount:
        data = mount / "data"
        data.mkdir()
        db = Path(shutil.copy2(demo_db, data / DB_FILE_NAME))
        fill_to(mount, 0)
        conn = sqlite3.connect(db)
        with pytest.raises(sqlite3.Error) as failed:
            conn.execute("SELECT count(*) FROM customers")
        conn.close()
        assert failed.value.sqlite_errorcode & 0xFF == 10  # SQLITE_IOERR
        ctx = SimpleNamespace(paths=Paths(data, custom=True))
        assert why_not_saved(failed.value, ctx) == (f"the disk holding the database ({db}) is full", True)
