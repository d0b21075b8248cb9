"""Commands on the data folder and the database file itself, which never open (or migrate) it.

    winback paths
    winback doctor         (on a team database: the connection, the schema, the server's view)
    winback backup         (the SQLite file's; a team database's are the server's: winback db dump)
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
        f"data dir: {paths.data_dir}\ndatabase: {paths.shown}\nbackups:  {paths.backups}\n"
        f"logs:     {paths.logs}"
    )


def _paths(args: argparse.Namespace, paths: Paths) -> int:
    _print_paths(paths)
    print(f"desk:     {paths.desk_config}")  # this desk's own config (doctor's output stays as it was)
    return 0


def _doctor(args: argparse.Namespace, paths: Paths) -> int:
    from winback_desktop.formats import iso_date_time

    if paths.on_server:
        return _doctor_server(paths)
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


def _doctor_server(paths: Paths) -> int:
    """On a team database: the connection, the schema, and the data as the server sees it."""
    from winback_desktop.formats import count
    from winback_desktop.services.maintenance import server

    assert paths.database_url is not None
    print(f"data dir: {paths.data_dir}\ndatabase: {server.urls.redact(paths.database_url)} (team database)")
    print(f"logs:     {paths.logs}\nbackups:  the server's own (ask whoever runs it), or winback db dump")
    try:
        found = server.examine_server(paths.database_url)
    except server.ServerUnreachableError as exc:
        return fail(str(exc))
    print(f"server:   PostgreSQL {found.server_version}, {found.latency_ms:.1f} ms a round trip")
    print(f"schema:   {found.revision or 'none'} (this version's: {found.head}; {found.schema_state})")
    rows = found.counts
    data = ", ".join(count(rows.get(t, 0), one, many) for t, one, many in server.COUNTED)
    print(f"data:     {data}; {found.size_bytes / 1e6:.1f} MB on the server")
    print(
        f"indexes:  one open call per customer: {_present(found.one_open_call_index)}; "
        f"pg_trgm search: {_present(found.trigram_installed and found.trigram_index)}"
    )
    for problem in found.problems:
        fail(problem)
    if found.problems:
        return 1
    print("database: ok (reachable, schema current, indexes present)")
    return 0


def _present(there: bool) -> str:
    return "present" if there else "MISSING"


def _backup(args: argparse.Namespace, paths: Paths) -> int:
    from winback_desktop.services.maintenance import backups as maintenance

    if paths.on_server:
        return fail(maintenance.SERVER_BACKUPS)
    paths.ensure()
    if not paths.database.exists():
        return fail(f"there is no database at {paths.database} to back up")
    wrote(maintenance.backup_now(paths))
    return 0


def _restore(args: argparse.Namespace, paths: Paths) -> int:
    from winback_desktop.instance import InstanceLock
    from winback_desktop.services.maintenance import backups as maintenance

    if paths.on_server:
        return fail(maintenance.SERVER_RESTORE)
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
