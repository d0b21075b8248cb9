"""Real faults for the tests: a small disk that fills up (a tmpfs mounted for the test), a
read-only folder (a read-only bind mount), another process holding a database's write lock,
pages zeroed in a database file, an index that no longer matches its table, and a snapshot
to show nothing was written."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_disk(mountpoint: Path, size: str = "64k") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``mountpoint`` for the block: writes past it fail with
    ENOSPC, as on a full disk. Needs root (CI and the dev machines run as root); skips
    the test elsewhere."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mountpoint.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


# --- damage to a database file ------------------------------------------------------------------


def zero_pages(db: Path, first: int, count: int = 1) -> None:
    """Overwrite pages ``first`` .. ``first + count - 1`` (1-based, as SQLite counts) with zeros,
    in place, as a bad disk or a failed copy leaves them."""
    page_size = page_size_of(db)
    with open(db, "r+b") as f:
        f.seek((first - 1) * page_size)
        f.write(bytes(page_size * count))
        f.flush()
        os.fsync(f.fileno())


def page_size_of(db: Path) -> int:
    with open(db, "rb") as f:
        f.seek(16)
        size = int.from_bytes(f.read(2), "big")
    return 65536 if size == 1 else size


def unindexed_change(db: Path, index: str, change: str, params: tuple = ()) -> None:
    """Run ``change`` on ``db`` while SQLite does not know of ``index``, then put the index back
    exactly as it was: its entries no longer match its table (what a bad disk or an old SQLite
    bug can leave), while every page is sound, so ``quick_check`` passes and only
    ``integrity_check`` sees it. The file must not be open elsewhere."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        row = conn.execute(
            "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master WHERE name = ?", (index,)
        ).fetchone()
        assert row is not None and row[0] == "index", f"no index {index} in {db}"
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute("DELETE FROM sqlite_master WHERE name = ?", (index,))
        conn.execute("PRAGMA writable_schema=OFF")
    finally:
        conn.close()
    conn = sqlite3.connect(db, isolation_level=None)  # a new connection: the schema without it
    try:
        conn.execute(change, params)
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute(
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES (?, ?, ?, ?, ?)", row
        )
        conn.execute("PRAGMA writable_schema=OFF")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def fill_disk(directory: Path, name: str = "filler.bin") -> Path:
    """Write a file in ``directory`` until its disk is full (ENOSPC); returns the file, whose
    removal gives the space back."""
    filler = directory / name
    chunk = b"\0" * 65536
    with filler.open("wb", buffering=0) as fh:
        for size in (65536, 4096, 512, 1):
            while True:
                try:
                    fh.write(chunk[:size])
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    return filler


_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
print("released", flush=True)
"""


@contextmanager
def write_lock_held(database: Path) -> Iterator[Callable[[], None]]:
    """Another process holds ``database``'s write lock (``BEGIN IMMEDIATE``, as an import does)
    for the block, or until the ``release()`` it yields is called."""
    child = subprocess.Popen(
        [sys.executable, "-c", _LOCKER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    line = child.stdout.readline().strip()
    if line != "locked":
        child.kill()
        pytest.fail(f"the lock holder did not take the lock: {line!r}")

    def release() -> None:
        if child.poll() is None:
            child.stdin.write("\n")
            child.stdin.flush()
            child.wait(timeout=30)

    try:
        yield release
    finally:
        try:
            release()
        finally:
            if child.poll() is None:
                child.kill()


def fill_to(mountpoint: Path, free: int) -> Path:
    """Fill the disk mounted at ``mountpoint`` until ``free`` bytes are left (a filler file in
    it, written page by page); returns the filler. A tmpfs counts in 4 KiB pages."""
    filler = mountpoint / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        while True:
            st = os.statvfs(mountpoint)
            left = st.f_bavail * st.f_frsize
            if left <= free:
                break
            try:
                os.write(fd, b"\0" * min(4096, left - free))
            except OSError:  # full: nothing more fits
                break
    finally:
        os.close(fd)
    st = os.statvfs(mountpoint)
    assert st.f_bavail * st.f_frsize == free, f"could not leave exactly {free} bytes free"
    return filler


@contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """``folder`` bind-mounted over itself read-only for the block: a real read-only file
    system (EROFS) for everyone, root included, which chmod is not. Needs root; skips elsewhere."""
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    done = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
    try:
        ro = subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, text=True, check=False
        )
        if ro.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {ro.stderr.strip()}")
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under ``folder``: (mode, mtime in ns, bytes), to show nothing was written."""
    found = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
        found[str(path.relative_to(folder))] = (st.st_mode, st.st_mtime_ns, data)
    return found
