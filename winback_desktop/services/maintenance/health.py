"""Is the database fit to open and to write to, and what the user is told when it is not.

One owner for the answers the desktop app, the CLI (``doctor`` and every command that opens the
database) and the child jobs give: :func:`vet` before SQLite opens the file, :func:`full_check`
in the background once the window shows (and in ``doctor``), :func:`advice` for the one line
the CLI prints. The checks themselves are in store/integrity.py and store/wal.py.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from winback_desktop.paths import Paths
from winback_desktop.services.maintenance import backups
from winback_desktop.store import integrity
from winback_desktop.store.integrity import DatabaseDamagedError, Kind

__all__ = [
    "CheckOutcome",
    "DatabaseDamagedError",
    "Examination",
    "Kind",
    "advice",
    "examine",
    "full_check",
    "vet",
]

log = logging.getLogger(__name__)


def vet(paths: Paths) -> list[str]:
    """Before SQLite opens the database: what the user must be told (a damaged write-ahead log,
    kept aside). Raises :class:`DatabaseDamagedError` for a file a check found damaged, a
    header that is wrong, or a file that is empty or missing while a good backup exists (never
    taken for a new database then). Cheap: no page beyond the header is read, and the backups
    are checked only when the file is empty or missing."""
    db = paths.database
    notices = []
    wal = integrity.vet_wal(db, paths.backups)
    if wal is not None:
        log.warning("%s", wal.message())
        notices.append(wal.message())
    try:
        _refuse_if_unfit(paths)
    except DatabaseDamagedError as exc:
        exc.notices = notices
        raise
    return notices


def _refuse_if_unfit(paths: Paths) -> None:
    db = paths.database
    recorded = integrity.recorded_damage(db)
    if recorded is not None:
        raise DatabaseDamagedError(db, recorded)
    state = integrity.presence(db)
    if state is not None:
        good = backups.newest_good_backup(paths) if backups.list_backups(paths) else None
        if good is not None:
            raise DatabaseDamagedError(db, f"the file is {state.value}", state, good.path)
        return  # nothing to restore: a new database, as on a first start
    problem = integrity.header_problem(db)
    if problem is not None:
        integrity.note_damage(db, problem)  # the next start (and every write) refuses it too
        raise DatabaseDamagedError(db, problem)


def room_to_write(paths: Paths) -> str | None:
    """Why the data folder cannot be written now (a full or read-only disk, in words naming it),
    or None: there is room. Asked again while working, after a save met a full disk."""
    from winback_desktop.store import disk

    return disk.probe(paths.data_dir, paths.database).why_read_only()


def recorded_damage(db: Path) -> str | None:
    """What a check found wrong with ``db`` (writes to it are refused), or None."""
    return integrity.recorded_damage(db)


def is_new_database(paths: Paths) -> bool:
    """An empty or missing file that :func:`vet` let through: SQLite makes a new one."""
    return integrity.presence(paths.database) is not None


@dataclass(frozen=True)
class CheckOutcome:
    damage: str | None  # None: the full check passed
    backup: Path | None  # the newest good backup, when damaged
    seconds: float


def full_check(paths: Paths) -> CheckOutcome:
    """SQLite's full check, read-only (every page, every index against its table, the
    references between rows). Damage is noted at once, so that from that moment no process
    writes to the file; a pass removes an earlier note (the file was repaired or replaced)."""
    started = time.monotonic()
    db = paths.database
    damage = integrity.find_damage(db, full=True)
    if damage is None:
        if integrity.recorded_damage(db) is not None:
            log.warning("the database %s passes its full check now: the damage note is removed", db)
        integrity.clear_damage(db)
        return CheckOutcome(None, None, time.monotonic() - started)
    integrity.mark_damaged(db, damage)
    log.error("the database %s is damaged: %s; writes to it are stopped", db, damage)
    good = backups.newest_good_backup(paths)
    return CheckOutcome(damage, good.path if good else None, time.monotonic() - started)


@dataclass(frozen=True)
class Examination:
    """What ``winback doctor`` found."""

    notices: list[str]  # a damaged write-ahead log kept aside
    problem: DatabaseDamagedError | None  # damaged, or empty or missing while a good backup exists
    state: Kind | None  # EMPTY or MISSING (with or without backups), else None
    cleared: bool = False  # an earlier damage note was removed: the file passes now


def examine(paths: Paths) -> Examination:
    """Everything ``doctor`` checks: the log, the file's presence, its header and SQLite's full
    check. Read-only on the database; damage is noted (writes stop), an outdated note removed."""
    db = paths.database
    wal = integrity.vet_wal(db, paths.backups)
    notices = [wal.message()] if wal is not None else []
    state = integrity.presence(db)
    if state is not None:
        good = backups.newest_good_backup(paths)
        problem = DatabaseDamagedError(db, f"the file is {state.value}", state, good.path) if good else None
        return Examination(notices, problem, state)
    noted = integrity.recorded_damage(db) is not None
    outcome = full_check(paths)
    if outcome.damage is not None:
        return Examination(notices, DatabaseDamagedError(db, outcome.damage, backup=outcome.backup), None)
    return Examination(notices, None, None, cleared=noted)


def restore_hint(paths: Paths, backup: Path | None) -> str:
    if backup is not None:
        return f"Restore the newest good backup with: winback restore {backup}"
    return f"There is no good backup in {paths.backups}: keep the file safe and ask for help."


def advice(paths: Paths, exc: DatabaseDamagedError) -> str:
    """One line for the CLI: what is wrong, where, and what to do."""
    backup = exc.backup
    if backup is None and exc.kind is Kind.DAMAGED:
        good = backups.newest_good_backup(paths)
        backup = good.path if good else None
    return " ".join(f"{exc} {restore_hint(paths, backup)}".split())
