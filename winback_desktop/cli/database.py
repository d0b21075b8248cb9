"""The database itself, for whoever looks after it: on a team server above all.

    winback db upgrade              bring the database to this version's schema
    winback db dump -o FILE         a team database through pg_dump (custom format, mode 0600);
                                    the SQLite file: a checked copy, as ``winback backup`` makes
    winback db copy --to URL        this desk's SQLite database into an EMPTY team database,
                                    all or nothing, checked by counts

``db upgrade`` is the one way a team database is upgraded: desks whose schema is behind say so
and do not write. It is run by the database's owner (the migration creates ``pg_trgm``).
Handlers take the paths (``common.runs_on_files``): none of them opens the database as a desk
would, so a server behind or ahead of this version can still be upgraded, dumped or named.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.cli.common import Commands, add_command, fail, print_table, runs_on_files, wrote

if TYPE_CHECKING:
    from winback_desktop.paths import Paths


def register(sub: Commands) -> None:
    """Add this area's sub-commands."""
    parser = add_command(sub, "db", "look after the database: upgrade it, dump it, copy it to a team server")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    upgrade = add_command(
        actions,
        "upgrade",
        "bring the database (the team database, or the SQLite file) to this version's schema",
    )
    runs_on_files(upgrade, _upgrade)
    dump = add_command(
        actions,
        "dump",
        "write the team database to FILE with pg_dump (custom format, for pg_restore); "
        "on the SQLite file, a checked copy of it",
    )
    dump.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    runs_on_files(dump, _dump)
    copy = add_command(
        actions,
        "copy",
        "copy this desk's own SQLite database into an empty team database (all or nothing)",
    )
    copy.add_argument(
        "--to", required=True, metavar="URL", help="the team database, e.g. postgresql://me@server/winback"
    )
    runs_on_files(copy, _copy)


def _sqlite_revision(database: Path) -> str | None:
    """The file's schema, read without changing it (None: no file, or no schema yet)."""
    import sqlite3

    if not database.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, TypeError):
        return None


def _said_upgrade(before: str | None, after: str | None, where: str) -> None:
    if before == after:
        print(f"{where}: schema {after}, this version's: nothing to do")
    else:
        print(f"{where}: schema {before or 'none'} -> {after}")


def _upgrade(args: argparse.Namespace, paths: Paths) -> int:
    from winback_desktop.store.migrate import current_revision

    if not paths.on_server:
        from winback_desktop.bootstrap import open_app

        before = _sqlite_revision(paths.database)
        ctx = open_app(paths)  # the file's checks, a backup before migrating, the migration
        try:
            _said_upgrade(before, current_revision(ctx.engine), str(paths.database))
        finally:
            ctx.close()
        return 0
    return _upgrade_server(paths)


def _upgrade_server(paths: Paths) -> int:
    from sqlalchemy import exc as sa_exc

    from winback_desktop.services.maintenance import server
    from winback_desktop.store.migrate import current_revision, migrate

    assert paths.database_url is not None
    where = server.urls.redact(paths.database_url)
    try:
        engine = server.open_server(paths.database_url)
    except server.ServerUnreachableError as exc:
        return fail(str(exc))
    try:
        before = current_revision(engine)
        migrate(engine, None)  # one transaction: a failing step leaves the schema as it was
        _said_upgrade(before, current_revision(engine), where)
    except sa_exc.ProgrammingError as exc:  # e.g. not allowed to create pg_trgm or a table
        why = server.unreachable(paths.database_url, exc).args[0].partition(": ")[2]
        return fail(
            f"cannot upgrade {where}: {why}. Run `winback db upgrade` as the database's owner "
            "(it creates tables and the pg_trgm extension); the schema was left as it was"
        )
    except sa_exc.OperationalError as exc:
        return fail(f"{server.unreachable(paths.database_url, exc)}; the schema was left as it was")
    finally:
        engine.dispose()
    return 0


def _dump(args: argparse.Namespace, paths: Paths) -> int:
    from winback_desktop.services.maintenance import backups, dump

    target: Path = args.output
    if not paths.on_server:
        try:
            written = backups.copy_to(paths, target)
        except (OSError, RuntimeError, ValueError) as exc:
            return fail(str(exc))
        wrote(written)
        print(f"(a checked copy of {paths.database}; `winback restore {written}` puts it back)")
        return 0
    assert paths.database_url is not None
    try:
        written = dump.dump(paths.database_url, target)
    except dump.DumpError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot write {target}: {exc.strerror or exc}")
    wrote(written)
    print(f"(pg_dump's custom format; restore it into an empty database with: pg_restore -d URL {written})")
    return 0


def _said_table(table: str, rows: int) -> None:
    """Progress on stderr, a table at a time (a large desk takes minutes); rolled back on failure."""
    print(f"  {table}: {rows:,} rows", file=sys.stderr, flush=True)


def _copy(args: argparse.Namespace, paths: Paths) -> int:
    from winback_desktop.bootstrap import open_app
    from winback_desktop.instance import InstanceLock
    from winback_desktop.services.maintenance import server, transfer

    local = replace(paths, database_url=None)  # the desk's own file, whatever it is connected to
    if not local.database.exists():
        return fail(f"there is no local database at {local.database} to copy")
    lock = InstanceLock(local)
    if not lock.acquire():
        return fail(
            "Win-Back Desk is open on this data folder: close it, then copy "
            "(what it saved afterwards would stay behind)"
        )
    try:
        ctx = open_app(local)  # the file's checks, and this version's schema
        print(
            f"copying {local.database} into {server.urls.redact(args.to)} (all or nothing)…", file=sys.stderr
        )
        try:
            copied = transfer.copy_to_server(ctx.engine, args.to, said=_said_table)
        finally:
            ctx.close()
    except (transfer.CopyRefusedError, server.ServerUnreachableError) as exc:
        return fail(str(exc))
    finally:
        lock.release()
    counts = copied.counts
    print_table(["table", "rows"], [[t, f"{n:,}"] for t, n in counts.items()], "-r")
    if copied.cleaned:  # PostgreSQL stores no NUL character: dropped, as the app drops it when typed
        shown = "; ".join(copied.cleaned[:5]) + ("; …" if len(copied.cleaned) > 5 else "")
        from winback_desktop.formats import count

        texts = count(len(copied.cleaned), "text")
        print(f"NUL characters dropped from {texts} (PostgreSQL stores none): {shown}")
    print(
        f"copied {sum(counts.values()):,} rows from {local.database} to {server.urls.redact(args.to)}, "
        "counts checked. This desk still uses its own file until connected: File ▸ Connect to a "
        "team database…, or --database-url URL"
    )
    return 0
