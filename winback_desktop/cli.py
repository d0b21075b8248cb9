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
    export.add_argument("what", choices=["calls"], help="what to export")
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.csv")
    add("paths", "print the paths in use")
    return parser


def _fail(message: str, code: int = 1) -> int:
    print(f"winback: {message}", file=sys.stderr)
    return code


def run_command(args: argparse.Namespace) -> int:
    from winback_desktop.paths import resolve
    from winback_desktop.services.context import open_app

    paths = resolve(args.data_dir)
    if args.command == "paths":
        print(
            f"data dir: {paths.data_dir}\ndatabase: {paths.database}\nbackups:  {paths.backups}\n"
            f"logs:     {paths.logs}"
        )
        return 0
    ctx = open_app(paths)
    try:
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
            from winback_desktop.services import calls, catalogue

            try:
                detail = calls.detail(ctx, args.call_id)
            except LookupError as exc:
                return _fail(str(exc))
            out = write_action_sheet(detail, args.output, company_name=catalogue.configured_company_name(ctx))
            print(f"wrote {out}")
            return 0
        if args.command == "export":
            from winback_desktop.services.export import export_calls

            n = export_calls(ctx, args.output)
            print(f"wrote {n} calls to {args.output}")
            return 0
    finally:
        ctx.close()
    return _fail(f"unknown command {args.command!r}", 2)


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # everything we create is personal data: readable by the user only
    args = build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from winback_desktop.app import run_gui

        return run_gui(args.data_dir)
    from winback_desktop.services.context import DatabaseDamagedError
    from winback_desktop.store.migrate import SchemaTooNewError

    try:
        return run_command(args)
    except (DatabaseDamagedError, SchemaTooNewError, OSError) as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
