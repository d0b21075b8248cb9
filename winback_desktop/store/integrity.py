"""Is the database file fit to be written to? The checks that keep a damaged file untouched.

No SQLAlchemy here: the start-up runs these before it is loaded (see app.py).

- :func:`header_problem`: the 100-byte header and what it says of the file (page size, page
  count against the file's size, the free list), read in microseconds whatever the size.
- :func:`find_damage`: SQLite's own check, read-only: ``quick_check`` (every page read, about
  0.3 s at 312 MiB) or ``integrity_check`` (also every index against its table, about 1.6 s at
  312 MiB, so it runs in a child job once the window shows: jobs/check.py).
- The *damage note* beside the database (``winback.sqlite3.damaged``): written the moment a
  check finds damage. While it is there every write transaction, in every process, is refused
  (store/connection.py) and every start says so; a restore or a passing full check removes it.
- The *clean-close note* (``winback.sqlite3.closed``): the file's size, time and inode when the
  app last closed it cleanly. A file that no longer matches it was written by something else
  since (a copy, a disk tool, a crash) and is checked at start whatever its size.
- :func:`vet_wal`: a damaged write-ahead log is copied aside before SQLite drops it
  (store/wal.py reads it).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from winback_desktop.store.disk import connect_read_only, existing, probe
from winback_desktop.store.wal import WalReport, read_wal

# SQLite's result codes that mean the file itself is damaged (https://sqlite.org/rescode.html).
_DAMAGE_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_SHM_DMS_BYTE = 128  # every connection holds a read lock on this byte of the -shm file
_HEADER_MAGIC = b"SQLite format 3\x00"
_CANNOT_WRITE = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM}


class Kind(StrEnum):
    DAMAGED = "damaged"
    EMPTY = "empty"  # zero bytes, while backups of it exist
    MISSING = "missing"  # gone, while backups of it exist


class DatabaseDamagedError(RuntimeError):
    """The database file must not be written to: damaged, or empty or missing while backups of
    it exist (then it is never taken for a new database). ``backup`` is the newest good backup
    when the raiser looked for one."""

    def __init__(self, path: str | Path, detail: str, kind: Kind = Kind.DAMAGED, backup: Path | None = None):
        self.path, self.detail, self.kind, self.backup = str(path), detail, kind, backup
        self.notices: list[str] = []  # what else the user must be told (a damaged log kept aside)
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.kind is Kind.EMPTY:
            return (
                f"The database {self.path} is empty (0 bytes), but there are backups of it. "
                "Nothing was written to it."
            )
        if self.kind is Kind.MISSING:
            return (
                f"The database {self.path} is missing, but there are backups of it. No new database was made."
            )
        return f"The database {self.path} is damaged ({self.detail}). Nothing was written to it."


class WritesStoppedError(DatabaseDamagedError):
    """A write refused because a check found the database damaged while it was in use."""

    def describe(self) -> str:
        return f"The database {self.path} is damaged ({self.detail}): nothing more is written to it."


# --- the file itself -----------------------------------------------------------------------------


def presence(db: Path) -> Kind | None:
    """MISSING, EMPTY, or None when the file has something in it."""
    try:
        return Kind.EMPTY if db.stat().st_size == 0 else None
    except FileNotFoundError:
        return Kind.MISSING


def wal_path(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


def header_problem(db: Path) -> str | None:
    """What the header says is wrong with the file, or None. The page count and the free list
    are compared with the file's size only when no write-ahead log has content: a checkpoint in
    another process writes page 1 first and grows the file after."""
    wal = wal_path(db)
    quiet = not wal.exists() or wal.stat().st_size == 0
    with open(db, "rb") as f:
        head = f.read(101)
        size = os.fstat(f.fileno()).st_size
    if len(head) < 101 or head[:16] != _HEADER_MAGIC:
        return "the file is not a database (its SQLite header is missing or overwritten)"
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1) or head[21:24] != b"\x40\x20\x20":
        return "the file's header is damaged"
    if size % page_size:
        return f"the file is cut short: {size} bytes is not a whole number of {page_size}-byte pages"
    if head[100] not in (0x05, 0x0D):
        return "the first page (the list of tables) is damaged"
    counter, pages, trunk, free = struct.unpack(">IIII", head[24:40])
    valid_for = struct.unpack(">I", head[92:96])[0]
    if quiet and pages and counter == valid_for:
        if size // page_size < pages:
            return f"the file is cut short: it holds {size // page_size} of its {pages} pages"
        if trunk > pages or free >= pages:
            return "the file's list of free pages is damaged"
    return None


def find_damage(db: Path, full: bool = True) -> str | None:
    """What SQLite finds wrong with the file (opened read-only: never written), or None.

    ``full``: ``integrity_check`` (every index against its table too) and the references
    between rows; else ``quick_check``. Other trouble (the file locked, unreadable, missing)
    raises the driver's error: it is no sign of damage."""
    problem = header_problem(db)
    if problem is not None:
        return problem
    try:
        conn = connect_read_only(db)  # read even on a full or read-only disk (see there)
        try:
            rows = conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
            problems = [str(r[0]) for r in rows]
            if problems != ["ok"]:
                return "; ".join(problems[:5])
            if full:
                fk = conn.execute("PRAGMA foreign_key_check").fetchall()
                if fk:
                    return f"{len(fk)} rows point at missing rows (first in table {fk[0][0]})"
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _DAMAGE_CODES:
            return str(exc)
        raise
    return None


def has_tables(db: Path) -> bool:
    """Does the file hold any table (a zero-length or new file holds none)?"""
    conn = connect_read_only(db)
    try:
        return bool(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
    finally:
        conn.close()


# --- the damage note -----------------------------------------------------------------------------


def damage_note(db: Path) -> Path:
    return db.with_name(db.name + ".damaged")


def mark_damaged(db: Path, detail: str) -> None:
    """From now on no process writes to ``db`` (see store/connection.py) and every start says
    so, until a restore or a passing full check removes the note."""
    note = {"detail": detail, "found": dt.datetime.now().isoformat(timespec="seconds")}
    tmp = damage_note(db).with_suffix(".damaged.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(note, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, damage_note(db))


def note_damage(db: Path, detail: str) -> bool:
    """:func:`mark_damaged` wherever damage is found (the start-up's quick check, the header,
    the full check), so that the next start refuses writes too. False when the note cannot be
    written (a read-only or full disk: nothing is written there anyway)."""
    try:
        mark_damaged(db, detail)
    except OSError:
        try:
            damage_note(db).with_suffix(".damaged.tmp").unlink(missing_ok=True)
        except OSError:
            pass
        return False
    return True


def recorded_damage(db: Path) -> str | None:
    """What the last check found wrong, when it found damage; else None. One failed stat when
    there is no note: cheap enough for every write transaction."""
    try:
        text = damage_note(db).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        note = json.loads(text)
        return f"{note['detail']}; found {note['found'].replace('T', ' ')}"
    except (ValueError, KeyError, TypeError, AttributeError):
        return "a check found it damaged"


def clear_damage(db: Path) -> None:
    _remove(damage_note(db))


# --- the clean-close note ------------------------------------------------------------------------


def _closed_note(db: Path) -> Path:
    return db.with_name(db.name + ".closed")


def _identity(db: Path) -> dict[str, int]:
    # ctime too: a copy that keeps the times (cp -p, rsync -t) still changes it.
    st = db.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns, "inode": st.st_ino}


def record_clean_close(db: Path) -> None:
    """The app closed ``db`` cleanly (its writes done, the log checkpointed): remember the file
    as it was left. Nothing is recorded for a damaged file."""
    if not db.exists() or recorded_damage(db) is not None:
        return
    note = _closed_note(db)
    tmp = note.with_suffix(".closed.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(_identity(db), f)
    os.replace(tmp, note)


def left_as_closed(db: Path) -> bool:
    """Is the file exactly as the app left it at its last clean close, with no log since?"""
    try:
        recorded = json.loads(_closed_note(db).read_text(encoding="utf-8"))
        wal = wal_path(db)
        return recorded == _identity(db) and (not wal.exists() or wal.stat().st_size == 0)
    except (OSError, ValueError):
        return False


def forget_clean_close(db: Path) -> None:
    _remove(_closed_note(db))


def _remove(note: Path) -> None:
    """Remove a note if there is one: on a read-only disk even removing a missing file fails
    (EROFS), and ``doctor`` must work there."""
    if note.exists():
        note.unlink(missing_ok=True)


# --- the write-ahead log -------------------------------------------------------------------------

_held: dict[Path, tuple[tuple[int, int], int]] = {}  # -shm file -> ((device, inode), our descriptor)


def in_use_elsewhere(db: Path) -> bool:
    """Has another process the database open (it holds the read lock every SQLite connection
    keeps on the -shm file)? Linux only; elsewhere False.

    The descriptor stays open while that -shm file does: closing any descriptor of a file drops
    every POSIX lock this process holds on it, SQLite's own included (SQLite keeps its
    descriptors for that reason). One for a -shm file since deleted or replaced is closed.
    """
    if not sys.platform.startswith("linux"):
        return False
    import fcntl  # POSIX only

    _let_go_of_replaced()
    shm = db.with_name(db.name + "-shm")
    try:
        st = shm.stat()
        key = (st.st_dev, st.st_ino)
        held = _held.get(shm)
        if held is None or held[0] != key:
            _held[shm] = held = (key, os.open(shm, os.O_RDONLY))
    except FileNotFoundError:
        return False
    query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, _SHM_DMS_BYTE, 1, 0)
    kind = struct.unpack("hhqqi4x", fcntl.fcntl(held[1], fcntl.F_GETLK, query))[0]
    return kind != fcntl.F_UNLCK


_SHM_WRITE_BYTE = 120  # SQLite's WAL write lock (https://sqlite.org/walformat.html#locks)


def write_lock_holder(db: Path) -> str | None:
    """Which other program holds ``db``'s write lock, in words ("winback import orders.csv,
    process 4242"); None when none does, it is this process, or it cannot be told (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    import fcntl  # POSIX only

    shm = db.with_name(db.name + "-shm")
    try:
        in_use_elsewhere(db)  # opens (and keeps) our descriptor of the -shm file
        held = _held.get(shm)
        if held is None:
            return None
        query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, _SHM_WRITE_BYTE, 1, 0)
        answer = fcntl.fcntl(held[1], fcntl.F_GETLK, query)
        kind, _whence, _start, _len, pid = struct.unpack("hhqqi4x", answer)
    except OSError:
        return None
    if kind == fcntl.F_UNLCK or pid <= 0:
        return None
    return f"{program_name(pid)}, process {pid}"


def program_name(pid: int) -> str:
    """A process's command line in short: the interpreter left out, at most 60 characters."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        argv = [a for a in raw.split("\0") if a]
    except OSError:
        return "another program"
    if len(argv) > 1 and Path(argv[0]).name.startswith("python"):
        if argv[1] == "-c":
            return "a Python script"
        argv = argv[2:] if argv[1] == "-m" else [Path(argv[1]).name, *argv[2:]]
    elif argv:
        argv = [Path(argv[0]).name, *argv[1:]]
    words = " ".join(argv) or "another program"
    return words if len(words) <= 60 else words[:59] + "…"


def _let_go_of_replaced() -> None:
    """Close the descriptors of -shm files that are gone or replaced: no connection of this
    process can still hold locks on those (SQLite removes the file after its last one)."""
    for shm, (key, fd) in list(_held.items()):
        try:
            st = shm.stat()
            current = (st.st_dev, st.st_ino) == key
        except FileNotFoundError:
            current = False
        if not current:
            os.close(fd)
            del _held[shm]


@dataclass(frozen=True)
class WalNotice:
    """A log that SQLite would have dropped (in part), and where its copy is kept."""

    report: WalReport
    kept: Path | None  # None: it could not be copied (see ``not_kept``)
    written: dt.datetime  # when the log was last written
    orphaned: bool = False  # the log of a missing or empty database (SQLite deletes it)
    not_kept: str | None = None  # why no copy could be made: the disk is read-only or full

    def _where(self) -> str:
        if self.kept is not None:
            return f"is kept at {self.kept}"
        return (
            f"could not be copied aside, because {self.not_kept}; it is left as it is, and "
            "nothing is written to the database until it can be kept"
        )

    def message(self) -> str:
        when = self.written.strftime("%H:%M" if self.written.date() == dt.date.today() else "%d %b %Y %H:%M")
        if self.orphaned:
            return (
                f"The database's write-ahead log was left without its database; SQLite would "
                f"delete it. It {self._where()} (last written {when})."
            )
        n = self.report.lost_commits
        changes = (
            "some of the last saved changes"
            if n < 0
            else ("the last saved change" if n == 1 else f"the last {n} saved changes")
        )
        return (
            f"The database's write-ahead log is damaged ({self.report.problem}): {changes}, made "
            f"before {when}, may be missing. The damaged log {self._where()}."
        )


def vet_wal(db: Path, keep_dir: Path) -> WalNotice | None:
    """Before SQLite opens ``db``: a damaged log (or the log of a missing or empty database) is
    copied into ``keep_dir`` and described; None when there is nothing to tell. A log another
    process has open is left alone: it is being written, and that process opened it first."""
    wal = wal_path(db)
    try:
        if wal.stat().st_size == 0 or in_use_elsewhere(db):
            return None
    except FileNotFoundError:
        return None
    report = read_wal(wal)
    orphaned = presence(db) is not None and report.frames > 0
    if not report.damaged and not orphaned:
        return None
    written = dt.datetime.fromtimestamp(wal.stat().st_mtime)
    try:
        kept = _keep_copy(wal, keep_dir)
    except OSError as exc:
        # A read-only or full disk: the log cannot be copied, but SQLite cannot reset it there
        # either (the database opens read-only), so it stays whole where it is. On a disk that
        # takes writes, a log we could not keep must not be opened: raised.
        why = probe(existing(keep_dir)).why_read_only()
        if exc.errno not in _CANNOT_WRITE or why is None:
            raise
        return WalNotice(report, None, written, orphaned, not_kept=why)
    return WalNotice(report, kept, written, orphaned)


def _keep_copy(wal: Path, keep_dir: Path) -> Path:
    """A private copy of the log in ``keep_dir``; the same log kept before is not copied again."""
    keep_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(wal.read_bytes()).hexdigest()
    for old in keep_dir.glob("damaged-wal-*"):
        if (
            old.stat().st_size == wal.stat().st_size
            and hashlib.sha256(old.read_bytes()).hexdigest() == digest
        ):
            return old
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = keep_dir / f"damaged-wal-{stamp}-{digest[:8]}.sqlite3-wal"
    tmp = target.with_name(target.name + ".part")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        shutil.copyfile(wal, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise OSError(
                errno.ENOSPC, f"The disk is full: no room to keep the damaged log {wal} in {keep_dir}"
            ) from exc
        raise
    return target
