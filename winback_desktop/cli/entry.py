"""The ``winback`` command: the app itself, and headless sub-commands sharing its services."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from winback_desktop import APP_NAME, __version__
from winback_desktop.cli.common import add_command, add_data_dir
from winback_desktop.cli.common import fail as _fail

# The areas, in the order ``winback --help`` lists their commands. Each has register(sub),
# adding its sub-parsers, each with its handler (common.runs / common.runs_on_files). They are
# imported only to build the full parser: the desktop app starts without them (see gui_only).
AREAS = (
    "winback_desktop.cli.calls",
    "winback_desktop.cli.maintenance",
    "winback_desktop.cli.database",
    "winback_desktop.cli.imports",
    "winback_desktop.cli.roster",
    "winback_desktop.cli.schedule",
    "winback_desktop.cli.cycles",
    "winback_desktop.cli.people",
    "winback_desktop.cli.reports",
    "winback_desktop.cli.followups",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="winback",
        description=f"{APP_NAME}: guided recovery calls to lost and lapsed customers. "
        "With no command, the desktop app starts.",
    )
    parser.add_argument("--version", action="version", version=f"winback {__version__}")
    add_data_dir(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_command(sub, "gui", "start the desktop app (the default)")  # main() starts it, no handler
    for name in AREAS:
        importlib.import_module(name).register(sub)
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Run the sub-command's handler: on the opened database, or, for the commands that work on
    the file itself, on the paths alone."""
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import resolve

    paths = resolve(args.data_dir, args.database_url)
    if not args.needs_db:
        return args.func(args, paths)
    ctx = open_app(paths)
    for notice in ctx.notices:  # a damaged write-ahead log, kept aside: what may be missing
        print(f"winback: warning: {' '.join(notice.split())}", file=sys.stderr)
    try:
        return args.func(args, ctx)
    finally:
        ctx.close()


def gui_only(argv: list[str]) -> argparse.Namespace | None:
    """The desktop app's own arguments (``[gui] [--data-dir DIR]``), read without loading the
    sub-commands' modules (they import SQLAlchemy, which the start-up paints before); None for
    anything else (a command, --help, --version, a mistake): the full parser handles those."""
    args = argparse.Namespace(command=None, data_dir=None, database_url=None)
    words = iter(argv)
    for word in words:
        name, equals, value = word.partition("=")
        if word == "gui" and args.command is None:
            args.command = "gui"
        elif name in ("--data-dir", "--database-url"):
            given = value if equals else next(words, None)
            if given is None or (not equals and given.startswith("-")):
                return None
            setattr(args, name[2:].replace("-", "_"), given)
        else:
            return None
    return args


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # everything we create is personal data: readable by the user only
    argv = sys.argv[1:] if argv is None else argv
    args = gui_only(argv) or build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from winback_desktop.app import run_gui

        return run_gui(args.data_dir, args.database_url)
    from winback_desktop.bootstrap import DatabaseDamagedError
    from winback_desktop.paths import resolve
    from winback_desktop.store.errors import DATABASE_ERRORS, known_problem
    from winback_desktop.store.migrate import SchemaTooNewError
    from winback_desktop.store.server import ServerUrlError

    paths = resolve(args.data_dir, args.database_url)
    database = None if paths.on_server else paths.database  # a team server: no file to name
    try:
        return run_command(args)
    except DatabaseDamagedError as exc:  # damaged, or empty or missing while backups exist
        from winback_desktop.services.maintenance import health

        for notice in exc.notices:
            print(f"winback: warning: {' '.join(notice.split())}", file=sys.stderr)
        return _fail(health.advice(resolve(args.data_dir, args.database_url), exc))
    except (SchemaTooNewError, ServerUrlError) as exc:  # ServerUrlError: the URL says no password
        return _fail(str(exc))
    except OSError as exc:  # a full or read-only disk, a linked database file: named as such
        known = known_problem(exc, database)
        return _fail(known.message if known is not None else str(exc))
    except DATABASE_ERRORS as exc:
        # A locked, full, read-only or damaged file, or not a database: the user can act on
        # that. Constraint and SQL errors are bugs and keep their traceback.
        known = known_problem(exc, database)
        if known is None:
            raise
        named = str(database) in known.message or paths.on_server  # "... winback.sqlite3 is not ours"
        return _fail(known.message if named else f"cannot use the database {paths.shown}: {known.message}")


if __name__ == "__main__":
    sys.exit(main())
