"""The ``winback`` command: the app itself, and headless sub-commands sharing its services."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from winback_desktop import APP_NAME, __version__


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Accepted before or after the sub-command; SUPPRESS keeps a sub-parser from clearing a
    # value given at the top level.
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None if top else argparse.SUPPRESS,
        help="keep the database, backups and logs in DIR (default: the user data dir; also WINBACK_DATA_DIR)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="winback",
        description=f"{APP_NAME}: guided recovery calls to lost and lapsed customers. "
        "With no command, the desktop app starts.",
    )
    parser.add_argument("--version", action="version", version=f"winback {__version__}")
    _global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _global_options(p, top=False)
        return p

    add("gui", "start the desktop app (the default)")
    add("demo", "load realistic sample data: lapsed customers, people, calls and follow-ups")
    sheet = add("sheet", "write the partner's action sheet (PDF) for a call")
    sheet.add_argument("call_id", type=int, metavar="CALL_ID")
    sheet.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    export = add("export", "export data as CSV")
    export.add_argument("what", choices=["calls", "customers"], help="what to export")
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.csv")
    add("paths", "print the paths in use")
    add("doctor", "check the database fully and print the paths in use (non-zero exit when damaged)")
    add("backup", "write a checked backup of the database now, into the backups folder")
    restore = add("restore", "replace the database with a backup (the current file is kept aside)")
    restore.add_argument("file", type=Path, metavar="FILE")
    for module in _command_modules():
        module.register(add)
    return parser


# Feature areas keep their commands in their own modules: each has register(add), adding its
# sub-parsers, and run(args, ctx) -> exit code, or None when the command is not one of its own.
COMMAND_MODULES = (
    "winback_desktop.cli.imports",
    "winback_desktop.cli.roster",
    "winback_desktop.cli.team",
    "winback_desktop.cli.reports",
    "winback_desktop.cli.followups",
)


def _command_modules():
    import importlib

    return [importlib.import_module(name) for name in COMMAND_MODULES]


def _fail(message: str, code: int = 1) -> int:
    print(f"winback: {message}", file=sys.stderr)
    return code


def run_command(args: argparse.Namespace) -> int:
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import resolve

    paths = resolve(args.data_dir)
    if args.command == "paths":
        print(
            f"data dir: {paths.data_dir}\ndatabase: {paths.database}\nbackups:  {paths.backups}\n"
            f"logs:     {paths.logs}"
        )
        return 0
    if args.command in ("doctor", "backup", "restore"):
        return run_maintenance(args.command, paths, args)
    ctx = open_app(paths)
    try:
        for module in _command_modules():
            code = module.run(args, ctx)
            if code is not None:
                return code
        if args.command == "demo":
            from winback_desktop.services.demo import load_demo

            try:
                summary = load_demo(ctx)
            except ValueError as exc:
                return _fail(str(exc))
            print(summary)
            return 0
        if args.command == "sheet":
            from winback_desktop.reports.action_sheet import write_action_sheet
            from winback_desktop.services import catalogue
            from winback_desktop.services.calls import lifecycle as calls

            try:
                detail = calls.detail(ctx, args.call_id)
            except LookupError as exc:
                return _fail(str(exc))
            try:
                out = write_action_sheet(
                    detail, args.output, company_name=catalogue.configured_company_name(ctx)
                )
            except OSError as exc:  # name the file the user asked for, not our temporary one
                return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
            print(f"wrote {out}")
            return 0
        if args.command == "export":
            from winback_desktop.services.calls.export import export_calls

            n = export_calls(ctx, args.output)
            print(f"wrote {n} calls to {args.output}")
            return 0
    finally:
        ctx.close()
    return _fail(f"unknown command {args.command!r}", 2)


def run_maintenance(command: str, paths, args: argparse.Namespace) -> int:
    """Commands that work on the database file itself, without opening (or migrating) it."""
    from winback_desktop.instance import InstanceLock
    from winback_desktop.services.maintenance import backups as maintenance

    paths.ensure()
    if command == "doctor":
        print(
            f"data dir: {paths.data_dir}\ndatabase: {paths.database}\nbackups:  {paths.backups}\n"
            f"logs:     {paths.logs}"
        )
        result = maintenance.check_file(paths.database)
        backups = maintenance.list_backups(paths)
        newest = f"{len(backups)}, newest {backups[0].taken_at:%Y-%m-%d %H:%M}" if backups else "none"
        print(f"backups:  {newest}")
        if result != "ok":
            good = maintenance.newest_good_backup(paths)
            hint = f"; restore the newest good backup with: winback restore {good.path}" if good else ""
            return _fail(f"the database {paths.database} is damaged: {result}{hint}")
        print("database: ok (full integrity check passed)")
        return 0
    if command == "backup":
        if not paths.database.exists():
            return _fail(f"there is no database at {paths.database} to back up")
        print(f"wrote {maintenance.backup_now(paths)}")
        return 0
    lock = InstanceLock(paths)
    if not lock.acquire():
        return _fail("Win-Back Desk is open on this data folder: close it, then restore")
    try:
        aside = maintenance.restore_backup(paths, args.file.resolve())
    except ValueError as exc:
        return _fail(str(exc))
    finally:
        lock.release()
    print(
        f"restored {paths.database} from {args.file}"
        + (f"; the replaced file is kept as {aside}" if aside else "")
    )
    return 0


def gui_only(argv: list[str]) -> argparse.Namespace | None:
    """The desktop app's own arguments (``[gui] [--data-dir DIR]``), read without loading the
    sub-commands' modules (they import SQLAlchemy, which the start-up paints before); None for
    anything else (a command, --help, --version, a mistake): the full parser handles those."""
    args = argparse.Namespace(command=None, data_dir=None)
    words = iter(argv)
    for word in words:
        if word == "gui" and args.command is None:
            args.command = "gui"
        elif word == "--data-dir":
            args.data_dir = next(words, None)
            if args.data_dir is None or args.data_dir.startswith("-"):
                return None
        elif word.startswith("--data-dir="):
            args.data_dir = word.partition("=")[2]
        else:
            return None
    return args


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # everything we create is personal data: readable by the user only
    argv = sys.argv[1:] if argv is None else argv
    args = gui_only(argv) or build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from winback_desktop.app import run_gui

        return run_gui(args.data_dir)
    from winback_desktop.bootstrap import DatabaseDamagedError
    from winback_desktop.paths import resolve
    from winback_desktop.store.errors import DATABASE_ERRORS, known_problem
    from winback_desktop.store.migrate import SchemaTooNewError

    try:
        return run_command(args)
    except (DatabaseDamagedError, SchemaTooNewError, OSError) as exc:
        return _fail(str(exc))
    except DATABASE_ERRORS as exc:
        # A locked, full, read-only or damaged file, or not a database: the user can act on
        # that. Constraint and SQL errors are bugs and keep their traceback.
        known = known_problem(exc)
        if known is None:
            raise
        return _fail(f"cannot use the database {resolve(args.data_dir).database}: {known.detail}")


if __name__ == "__main__":
    sys.exit(main())
