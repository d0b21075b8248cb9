"""The calls on the command line: sample data, a call's action sheet, the CSV exports.

    winback demo
    winback sheet CALL_ID -o FILE.pdf
    winback export calls|customers -o FILE.csv

The customers' export is the roster's (``cli.roster``); the others live here.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.cli import roster
from winback_desktop.cli.common import Commands, Handler, add_command, cannot_write, fail, runs, wrote

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext


def register(sub: Commands) -> None:
    """Add this area's sub-commands."""
    demo = add_command(
        sub, "demo", "load realistic sample data: lapsed customers, people, calls and follow-ups"
    )
    runs(demo, _demo)
    sheet = add_command(sub, "sheet", "write the partner's action sheet (PDF) for a call")
    sheet.add_argument("call_id", type=int, metavar="CALL_ID")
    sheet.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    runs(sheet, _sheet)
    export = add_command(sub, "export", "export data as CSV")
    export.add_argument("what", choices=list(EXPORTS), help="what to export")
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.csv")
    runs(export, _export)


def _demo(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.demo import load_demo

    try:
        summary = load_demo(ctx)
    except ValueError as exc:
        return fail(str(exc))
    print(summary)
    return 0


def _sheet(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.reports.action_sheet import write_action_sheet
    from winback_desktop.services import settings
    from winback_desktop.services.calls import lifecycle as calls

    try:
        detail = calls.detail(ctx, args.call_id)
    except LookupError as exc:
        return fail(str(exc))
    try:
        out = write_action_sheet(detail, args.output, company_name=settings.configured_company_name(ctx))
    except OSError as exc:
        return cannot_write(args.output, exc)
    wrote(out)
    return 0


def _export_calls(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.calls.export import export_calls

    # An OSError is left to entry.main, which prints it as it is.
    n = export_calls(ctx, args.output)
    wrote(args.output, n, "calls")
    return 0


EXPORTS: dict[str, Handler] = {"calls": _export_calls, "customers": roster.export_customers}


def _export(args: argparse.Namespace, ctx: AppContext) -> int:
    return EXPORTS[args.what](args, ctx)
