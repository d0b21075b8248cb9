"""Backups, restore and health checks of the database file (SQLite; a server DB has its own tools)."""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from winback_desktop.paths import Paths
from winback_desktop.store import integrity
from winback_desktop.store.backup import BackupCheckError, backup_database
from winback_desktop.store.connection import check_file

log = logging.getLogger(__name__)
BACKUP_RE = re.compile(r"^(?:winback|pre-migrate-\w+)-(\d{8}-\d{6})(?:-[\w-]+)?\.sqlite3$")
STAMP = "%Y%m%d-%H%M%S"
AUTO_BACKUP_AGE = dt.timedelta(days=1)
CLOCK_SLACK = dt.timedelta(minutes=5)  # a backup dated later than now + this came from a wrong clock
PARTIAL_AGE = dt.timedelta(minutes=10)  # a .part untouched this long belongs to no running backup
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 5, 12
# What a desk on a team database says instead of backing up a file it does not use.
SERVER_BACKUPS = (
    'Backups of the team database are the server\'s: ask whoever runs it, or run "winback db dump".'
)
SERVER_RESTORE = (
    "This desk uses the team database: its backups are the server's, and so is restoring one "
    "(pg_restore, by whoever runs the server)."
)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    size: int


def list_backups(paths: Paths, now: dt.datetime | None = None) -> list[BackupInfo]:
    """Backups in the backups folder, newest first, by when each was really taken.

    The name carries the time the backup was written; a clock that was wrong then may have
    written a time still to come (a backup "from 2030" would otherwise stay the newest for
    years and stop the daily backups). Such a backup is dated by its file's time instead, or,
    when that is in the future too, placed last: its age is unknown.
    """
    now = now or dt.datetime.now()
    latest = now + CLOCK_SLACK
    found = []
    if paths.backups.is_dir():
        for p in paths.backups.iterdir():
            m = BACKUP_RE.match(p.name)
            if not (m and p.is_file()):
                continue
            stat = p.stat()
            taken = dt.datetime.strptime(m.group(1), STAMP)
            if taken > latest:
                written = dt.datetime.fromtimestamp(stat.st_mtime)
                taken = written if written <= latest else dt.datetime.min
            found.append(BackupInfo(p, taken, stat.st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def remove_partial_backups(paths: Paths, now: dt.datetime | None = None) -> list[Path]:
    """Delete the ``.part`` files that interrupted backups left behind (each a full copy of
    customer data). One written to in the last minutes may be a backup still running in
    another process, and is left alone."""
    now = now or dt.datetime.now()
    removed = []
    if paths.backups.is_dir():
        for p in paths.backups.glob("*.part"):
            try:
                if now - dt.datetime.fromtimestamp(p.stat().st_mtime) >= PARTIAL_AGE:
                    p.unlink()
                    removed.append(p)
                    log.info("partial backup removed: %s", p)
            except FileNotFoundError:  # another process finished or removed it meanwhile
                continue
    return removed


class ServerBackupsError(RuntimeError):
    """This desk uses a team database: there is no file of it here to back up."""

    def __init__(self) -> None:
        super().__init__(SERVER_BACKUPS)


def backup_now(paths: Paths, reason: str = "manual", now: dt.datetime | None = None) -> Path:
    """Write a checked backup now, then thin the old ones. Returns the new file. On a team
    database, :class:`ServerBackupsError`: its backups are the server's."""
    if paths.on_server:
        raise ServerBackupsError
    now = now or dt.datetime.now()
    remove_partial_backups(paths, now)
    if not paths.database.exists():
        raise FileNotFoundError(errno.ENOENT, f"There is no database at {paths.database} to back up")
    target = paths.backups / f"winback-{now.strftime(STAMP)}-{reason}.sqlite3"
    n = 1
    while target.exists():  # two backups in the same second keep both
        target = paths.backups / f"winback-{now.strftime(STAMP)}-{reason}-{n}.sqlite3"
        n += 1
    try:
        backup_database(paths.database, target)
    except BackupCheckError:
        # The copy is page for page the file: its damage is the file's, unless the disk that
        # took the copy spoiled it. The file itself says which; damage stops every write.
        damage = integrity.find_damage(paths.database)
        if damage is None:
            raise
        integrity.mark_damaged(paths.database, damage)
        log.error("the database failed its check while being backed up: %s", damage)
        raise integrity.DatabaseDamagedError(paths.database, damage) from None
    log.info("backup written: %s", target)
    for old in backups_to_thin(list_backups(paths, now), now):
        old.path.unlink(missing_ok=True)
        log.info("old backup thinned: %s", old.path)
    return target


def copy_to(paths: Paths, target: Path) -> Path:
    """A checked copy of the database at ``target`` (``winback db dump`` on the SQLite file)."""
    if not paths.database.exists():
        raise FileNotFoundError(errno.ENOENT, f"There is no database at {paths.database} to copy")
    if target.exists() and target.is_dir():
        raise IsADirectoryError(errno.EISDIR, f"{target} is a folder: name the file to write")
    return backup_database(paths.database, target.expanduser().absolute())


def backup_due(paths: Paths, now: dt.datetime | None = None) -> bool:
    """Is a start-up backup due: a database, and no backup younger than a day? Never on a team
    database (its backups are the server's)."""
    now = now or dt.datetime.now()
    if paths.on_server or not paths.database.exists():
        return False
    backups = [b for b in list_backups(paths, now) if b.size > 0]  # an empty file backs up nothing
    return not backups or now - backups[0].taken_at >= AUTO_BACKUP_AGE


def backup_if_due(paths: Paths, now: dt.datetime | None = None) -> Path | None:
    """At start-up: back up when the newest backup is older than a day (or there is none)."""
    now = now or dt.datetime.now()
    return backup_now(paths, "daily", now) if backup_due(paths, now) else None


def backups_to_thin(backups: list[BackupInfo], now: dt.datetime) -> list[BackupInfo]:
    """Keep everything from the last day, then the newest backup of each of the last 7 days,
    5 weeks and 12 months; the rest may go. The newest backup is always kept."""
    keep: set[Path] = set()
    newest_first = sorted(backups, key=lambda b: b.taken_at, reverse=True)
    if newest_first:
        keep.add(newest_first[0].path)
    buckets: dict[tuple, Path] = {}
    for b in newest_first:
        age = now - b.taken_at
        if age < dt.timedelta(days=1):
            keep.add(b.path)
            continue
        day = b.taken_at.date()
        iso = day.isocalendar()
        for key, limit in (
            (("d", day), dt.timedelta(days=KEEP_DAILY)),
            (("w", iso.year, iso.week), dt.timedelta(weeks=KEEP_WEEKLY)),
            (("m", day.year, day.month), dt.timedelta(days=31 * KEEP_MONTHLY)),
        ):
            if age <= limit and key not in buckets:
                buckets[key] = b.path  # newest first: the first seen is the newest of its bucket
    keep.update(buckets.values())
    return [b for b in newest_first if b.path not in keep]


def backup_problem(path: Path) -> str | None:
    """Why ``path`` cannot be restored, or None: it must pass the full check and hold tables
    (an empty file passes SQLite's check; restoring it would restore nothing)."""
    problem = check_file(path)
    if problem != "ok":
        return problem
    if not integrity.has_tables(path):
        return "it holds no tables"
    return None


def newest_good_backup(paths: Paths) -> BackupInfo | None:
    """The newest backup that passes :func:`backup_problem` (each is checked in full: about
    1.6 s at 312 MiB, so asked only when one is needed)."""
    for b in list_backups(paths):
        if b.size > 0 and backup_problem(b.path) is None:
            return b
    return None


def _sidecars(db: Path) -> list[Path]:
    return [db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def restore_backup(paths: Paths, backup: Path, aside_label: str = "replaced") -> Path | None:
    """Replace the database with ``backup`` (checked first). The file it replaces, with its WAL,
    is kept in the backups folder; returns where. The database must not be open."""
    problem = backup_problem(backup)
    if problem is not None:
        raise ValueError(f"{backup} is not a usable backup: {problem}")
    db = paths.database
    stamp = dt.datetime.now().strftime(STAMP)
    kept = paths.backups / f"{aside_label}-{stamp}.sqlite3"
    paths.backups.mkdir(parents=True, exist_ok=True)
    if db.exists():
        shutil.copy2(db, kept)
    for side in _sidecars(db):  # a stale WAL would be replayed onto the restored file
        if side.exists():  # (also when the database itself is gone)
            shutil.copy2(side, kept.with_name(kept.name + side.name[len(db.name) :]))
            side.unlink()
    aside = kept if kept.exists() else None
    tmp = db.with_name(db.name + ".restoring")
    shutil.copyfile(backup, tmp)
    os.chmod(tmp, 0o600)
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, db)
    integrity.clear_damage(db)  # the damage was the replaced file's
    integrity.forget_clean_close(db)
    log.info("restored %s from %s (previous file kept as %s)", db, backup, aside)
    return aside
