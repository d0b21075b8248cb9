"""Paper for the tag-team calls: the pre-call brief, and action sheets for a day or a cycle.

    winback brief CALL_ID -o FILE.pdf
    winback sheets (--day YYYY-MM-DD | --cycle ID) -o FILE.pdf

A call that is not there, or a file that cannot be written, is one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.cli.common import Commands, add_command, cannot_write, fail, iso_day, runs, wrote

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext


def register(sub: Commands) -> None:
    """Add this area's sub-commands."""
    brief = add_command(sub, "brief", "write the one-page pre-call briefing (PDF) for a call")
    brief.add_argument("call_id", type=int, metavar="CALL_ID")
    brief.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    runs(brief, _brief)
    sheets = add_command(
        sub, "sheets", "write the action sheets of every call of a day or of a rescue cycle, as one PDF"
    )
    which = sheets.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--day", type=iso_day, metavar="YYYY-MM-DD", help="calls scheduled, held or ended that day"
    )
    which.add_argument("--cycle", type=int, metavar="ID", help="the calls of a rescue cycle")
    sheets.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    runs(sheets, _sheets)


def _brief(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.files import atomic_write_bytes
    from winback_desktop.reports.briefing import build_briefing
    from winback_desktop.services.calls.briefing import briefing_data

    try:
        data = build_briefing(briefing_data(ctx, args.call_id))
    except LookupError as exc:
        return fail(str(exc))
    try:
        atomic_write_bytes(args.output, data)
    except OSError as exc:
        return cannot_write(args.output, exc)
    wrote(args.output)
    return 0


def _sheets(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.reports.batch import write_batch
    from winback_desktop.services.calls import sheets

    if args.day is not None:
        ids = sheets.calls_for_day(ctx, args.day)
        where = f"held on {args.day.isoformat()}"
    else:
        try:
            ids = sheets.calls_for_cycle(ctx, args.cycle)
        except LookupError as exc:
            return fail(str(exc))
        where = f"in cycle {args.cycle}"
    if not ids:
        return fail(f"no calls {where}: nothing to print")
    try:
        out = write_batch(sheets.sheet_batch(ctx, ids), args.output)
    except OSError as exc:
        return cannot_write(args.output, exc)
    print(f"wrote {out}: action sheets for {len(ids)} call{'s' if len(ids) != 1 else ''} {where}")
    return 0
