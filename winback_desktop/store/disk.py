"""The disk under the data folder: can we write there, is there room, is the file ours to use.

Asked before anything is written at start-up, so that a full or read-only disk is named as such
(and the app opens read-only) instead of surfacing later as an odd SQLite error: with a few KiB
free, SQLite's read-only open of a WAL database cannot size its ``-shm`` index and says "disk
I/O error", which the start-up check once took for a damaged file; the instance lock file cannot
be written, which once read as "already open".

Also how such a file is read (:func:`connect_read_only`, used by every read-only open: the
start-up checks, the first paint, backups) and which SQLite errors mean the file itself is
damaged (:func:`is_damage`). Imports neither SQLAlchemy nor Qt, nor any other store module:
the start-up asks before either is loaded, and the checks (store/integrity.py) use it too.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Below this much free space the disk counts as full and the app opens read-only: the WAL alone
# grows to about 4 MiB between checkpoints (1000 pages of 4 KiB), so with less than twice that
# the saves of an ordinary call could start failing within minutes of typing.
FULL_BELOW = 8 * 1024 * 1024
SIDECARS = ("-wal", "-shm", "-journal")  # the files SQLite makes beside a database


@dataclass(frozen=True)
class DiskState:
    """What the disk lets us do in ``folder`` (the data folder, or where it would be made)."""

    folder: Path
    read_only: str | None  # why nothing can be written there, naming the folder or the file
    free: int | None  # bytes free for this user; None when unknown

    @property
    def full(self) -> bool:
        return self.free is not None and self.free < FULL_BELOW

    def why_read_only(self) -> str | None:
        """The user's words for why the app must open read-only here, or None: it may write."""
        if self.read_only:
            return self.read_only
        if self.full and self.free is not None and self.free >= 1024 * 1024:
            return (
                f"the disk holding {self.folder} is nearly full ({size_text(self.free)} free; "
                f"Win-Back Desk needs {size_text(FULL_BELOW)} to save safely)"
            )
        if self.full:
            return full_disk(self.folder, self.free)
        return None


def existing(folder: Path) -> Path:
    """``folder``, or its nearest ancestor that exists (where a new folder would be made)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def free_bytes(folder: Path) -> int | None:
    try:
        st = os.statvfs(existing(folder))
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def probe(folder: Path, database: Path | None = None) -> DiskState:
    """Can the app write in ``folder`` (and to ``database``, when given)? Reads only."""
    here = existing(folder)
    try:
        st = os.statvfs(here)
    except OSError:
        return DiskState(folder, None, None)
    free = st.f_bavail * st.f_frsize
    if st.f_flag & os.ST_RDONLY:
        return DiskState(folder, f"the folder {here} is on a read-only disk", free)
    if not os.access(here, os.W_OK | os.X_OK):  # root may write anywhere but a read-only disk
        return DiskState(folder, f"the folder {here} is not writable for this user", free)
    if database is not None and database.exists() and not os.access(database, os.W_OK):
        return DiskState(folder, f"the database file {database} is read-only for this user", free)
    return DiskState(folder, None, free)


def size_text(n: int) -> str:
    """Bytes in words: ``36 KiB``, ``5.2 MiB``, ``0 bytes``."""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n // 1024} KiB"
    if n < 1024**3:
        return f"{n / 1024 / 1024:.1f} MiB"
    return f"{n / 1024**3:.1f} GiB"


def full_disk(folder: Path, free: int | None) -> str:
    """The words for a full disk, naming the folder (and what is left, when it is little)."""
    left = f" ({size_text(free)} free)" if free is not None and free < FULL_BELOW else ""
    return f"the disk holding {folder} is full{left}"


class UnsafeDatabasePath(OSError):
    """The database file (or a file SQLite would make beside it) is a symbolic link.

    Refused rather than followed: SQLite puts the ``-wal`` and ``-shm`` files beside the link's
    target, the backups and restores work on the link, and a link planted in a shared folder
    would have us write customer data wherever it points. Win-Back Desk keeps its database as
    a real file in its data folder; ``--data-dir`` chooses that folder (a linked *folder* is
    fine: it is resolved once, in paths.py).
    """

    def __init__(self, link: Path):
        self.link = link
        try:
            target = f" (it points to {os.readlink(link)})"
        except OSError:
            target = ""
        self.message = (
            f"the database file {link} is a symbolic link{target}; Win-Back Desk only uses a real "
            f"file in its data folder. Move the file itself into {link.parent}, or start with "
            "--data-dir set to the folder that holds it"
        )
        super().__init__(errno.ELOOP, self.message, str(link))

    def __str__(self) -> str:
        return self.message


def refuse_links(database: Path) -> None:
    """Raise :class:`UnsafeDatabasePath` when the database or a file beside it is a link."""
    for path in (database, *(database.with_name(database.name + s) for s in SIDECARS)):
        if path.is_symlink():
            raise UnsafeDatabasePath(path)


# --- reading a database on such a disk ---------------------------------------------------------


def connect_read_only(path: Path, **kwargs: Any) -> sqlite3.Connection:
    """The file opened with the standard driver so that SQLite refuses to write to it.

    A WAL database needs its ``-shm`` index even to be read; on a read-only folder, or a disk
    too full to size it, SQLite cannot make one ("unable to open database file", "disk I/O
    error"). When no ``-wal`` holds changes (so no other connection has the file open) it is
    then read as immutable: no index, no lock, nothing made beside it.
    """
    refuse_links(path)
    if _no_sidecars(path) and probe(path.parent).why_read_only():
        # Straight to immutable: trying mode=ro first would leave a -shm there, taking a full
        # disk's last pages.
        return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, **kwargs)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, **kwargs)
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # reads page 1: opens the -shm if WAL
    except sqlite3.OperationalError as exc:
        conn.close()
        if not _readable_as_immutable(path, exc):
            raise
        return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, **kwargs)
    except BaseException:
        conn.close()
        raise
    return conn


_CANTOPEN, _IOERR = 14, 10  # SQLite's primary result codes (https://sqlite.org/rescode.html)


def _readable_as_immutable(path: Path, exc: sqlite3.Error) -> bool:
    if (exc.sqlite_errorcode & 0xFF) not in (_CANTOPEN, _IOERR):
        return False
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size == 0
    except FileNotFoundError:
        return True


def _no_sidecars(path: Path) -> bool:
    """No -wal or -shm beside the file: no connection has it open in WAL mode."""
    return not any(path.with_name(path.name + s).exists() for s in ("-wal", "-shm"))


_DAMAGE = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB


def is_damage(exc: sqlite3.Error) -> bool:
    """Does this error say the file itself is damaged (rather than the disk, a lock...)?"""
    code = getattr(exc, "sqlite_errorcode", None)
    return not isinstance(code, int) or (code & 0xFF) in _DAMAGE
