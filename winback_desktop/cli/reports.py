"""Paper for the tag-team calls: the pre-call brief, and action sheets for a day or a cycle.

    winback brief CALL_ID -o FILE.pdf
    winback sheets (--day YYYY-MM-DD | --cycle ID) -o FILE.pdf

(See COMMAND_MODULES in cli.py: register(add) adds the sub-commands, run(args, ctx) runs them.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-14") from None


def register(add) -> None:
    """Add this area's sub-commands; ``add(name, help)`` returns an argparse sub-parser."""
    brief = add("brief", "write the one-page pre-call briefing (PDF) for a call")
    brief.add_argument("call_id", type=int, metavar="CALL_ID")
    brief.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    sheets = add("sheets", "write the action sheets of every call of a day or of a rescue cycle, as one PDF")
    which = sheets.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--day", type=_day, metavar="YYYY-MM-DD", help="calls scheduled, held or ended that day"
    )
    which.add_argument("--cycle", type=int, metavar="ID", help="the calls of a rescue cycle")
    sheets.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")


def _fail(message: str) -> int:
    print(f"winback: {message}", file=sys.stderr)
    return 1


def _cannot_write(path: Path, exc: OSError) -> int:
    # Name the file the user asked for, not our temporary file beside it.
    return _fail(f"cannot write {path}: {exc.strerror or exc}")


def run(args: argparse.Namespace, ctx) -> int | None:
    """Run the command if it is one of this area's; None otherwise."""
    if args.command == "brief":
        return _brief(args, ctx)
    if args.command == "sheets":
        return _sheets(args, ctx)
    return None


def _brief(args: argparse.Namespace, ctx) -> int:
    from winback_desktop.reports.atomic import atomic_write_bytes
    from winback_desktop.reports.briefing import build_briefing
    from winback_desktop.services.calls.briefing import briefing_data

    try:
        data = build_briefing(briefing_data(ctx, args.call_id))
    except LookupError as exc:
        return _fail(str(exc))
    try:
        atomic_write_bytes(args.output, data)
    except OSError as exc:
        return _cannot_write(args.output, exc)
    print(f"wrote {args.output}")
    return 0


def _sheets(args: argparse.Namespace, ctx) -> int:
    from winback_desktop.reports.batch import calls_for_cycle, calls_for_day, write_batch

    if args.day is not None:
        ids = calls_for_day(ctx, args.day)
        where = f"on {args.day.isoformat()}"
    else:
        try:
            ids = calls_for_cycle(ctx, args.cycle)
        except LookupError as exc:
            return _fail(str(exc))
        where = f"in cycle {args.cycle}"
    if not ids:
        return _fail(f"no calls {where}: nothing to print")
    try:
        out = write_batch(ctx, ids, args.output)
    except OSError as exc:
        return _cannot_write(args.output, exc)
    print(f"wrote {out}: action sheets for {len(ids)} call{'s' if len(ids) != 1 else ''} {where}")
    return 0
