"""Commands on the data folder and the database file itself, which never open (or migrate) it.

    winback paths
    winback doctor
    winback backup
    winback restore FILE

Their handlers take the resolved paths, not an opened app (``common.runs_on_files``): a damaged
or newer database must still be checked, backed up or replaced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.cli.common import Commands, add_command, fail, runs_on_files, wrote

if TYPE_CHECKING:
    from winback_desktop.paths import Paths


def register(sub: Commands) -> None:
    """Add this area's sub-commands."""
    runs_on_files(add_command(sub, "paths", "print the paths in use"), _paths)
    doctor = add_command(
        sub, "doctor", "check the database fully and print the paths in use (non-zero exit when damaged)"
    )
    runs_on_files(doctor, _doctor)
    backup = add_command(sub, "backup", "write a checked backup of the database now, into the backups folder")
    runs_on_files(backup, _backup)
    restore = add_command(
        sub, "restore", "replace the database with a backup (the current file is kept aside)"
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    runs_on_files(restore, _restore)


def _print_paths(paths: Paths) -> None:
    print(
        f"data dir: {paths.data_dir}\ndatabase: {paths.database}\nbackups:  {paths.backups}\n"
        f"logs:     {paths.logs}"
    )


def _paths(args: argparse.Namespace, paths: Paths) -> int:
    _print_paths(paths)
    print(f"desk:     {paths.desk_config}")  # this desk's own config (doctor's output stays as it was)
    return 0


def _doctor(args: argparse.Namespace, paths: Paths) -> int:
    from winback_desktop.formats import iso_date_time
    from winback_desktop.services.maintenance import backups as maintenance
    from winback_desktop.services.maintenance import health

    _print_paths(paths)  # and no folder made: doctor works on a read-only or full disk too
    backups = maintenance.list_backups(paths)
    newest = f"{len(backups)}, newest {iso_date_time(backups[0].taken_at)}" if backups else "none"
    print(f"backups:  {newest}")
    found = health.examine(paths)
    for notice in found.notices:
        print(f"winback: warning: {' '.join(notice.split())}", file=sys.stderr)
    if found.problem is not None:
        return fail(health.advice(paths, found.problem))
    if found.state is not None:
        print(f"database: {found.state.value}, and no good backup: a new database is made at the next start")
        return 0
    if found.cleared:
        print("database: the earlier damage note is removed: the file passes its full check now")
    print("database: ok (full integrity check passed)")
    return 1 if found.notices else 0


def _backup(args: argparse.Namespace, paths: Paths) -> int:
    from winback_desktop.services.maintenance import backups as maintenance

    paths.ensure()
    if not paths.database.exists():
        return fail(f"there is no database at {paths.database} to back up")
    wrote(maintenance.backup_now(paths))
    return 0


def _restore(args: argparse.Namespace, paths: Paths) -> int:
    from winback_desktop.instance import InstanceLock
    from winback_desktop.services.maintenance import backups as maintenance

    paths.ensure()
    lock = InstanceLock(paths)
    if not lock.acquire():
        return fail("Win-Back Desk is open on this data folder: close it, then restore")
    try:
        aside = maintenance.restore_backup(paths, args.file.resolve())
    except ValueError as exc:
        return fail(str(exc))
    finally:
        lock.release()
    print(
        f"restored {paths.database} from {args.file}"
        + (f"; the replaced file is kept as {aside}" if aside else "")
    )
    return 0
