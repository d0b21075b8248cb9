"""``winback followups``: the partner's follow-up board as a table, or as CSV with -o."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.cli.common import (
    Commands,
    add_command,
    cannot_write,
    fail,
    runs,
    table_line,
    table_widths,
    wrote,
)

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext
    from winback_desktop.services.followups.board import BoardCounts, FollowUp

WHAT_WIDTH = 60


def register(sub: Commands) -> None:
    """Add this area's sub-commands."""
    p = add_command(
        sub,
        "followups",
        "the follow-up board: every action item promised on a call, by owner and due date "
        "(overdue ones marked); -o writes it as CSV",
    )
    p.add_argument("-o", "--output", type=Path, metavar="FILE.csv", help="write CSV instead of a table")
    p.add_argument(
        "--owner", type=int, metavar="ID", help="only this person's items (0: the items nobody owns)"
    )
    p.add_argument(
        "--status",
        choices=["open", "done", "cancelled", "all"],
        default="open",
        help="which items (default: open)",
    )
    p.add_argument("--overdue", action="store_true", help="only open items past their due date")
    p.add_argument("--customer", default="", metavar="TEXT", help="only customers matching TEXT")
    p.add_argument(
        "--due-before",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="only items due before that day",
    )
    runs(p, _board)


def _one_line(text: str, width: int) -> str:
    text = " ".join(text.split()) or "(no description)"
    return text if len(text) <= width else text[: width - 1] + "…"


def _flag(f: FollowUp) -> str:
    if f.overdue:
        return f"OVERDUE {f.days_overdue}d"
    if f.status == "done":
        from winback_desktop.services.clock import local_date

        return f"done {local_date(f.done_at):%Y-%m-%d}" if f.done_at else "done"  # stored UTC
    return f.status


def format_table(items: Sequence[FollowUp], counts: BoardCounts | None = None) -> str:
    """An aligned plain-text table of follow-ups, with a summary line."""
    header = ("ID", "DUE", "STATUS", "OWNER", "CUSTOMER", "WHAT")
    rows = [
        (
            str(f.id),
            f.due_date.isoformat() if f.due_date else "-",
            _flag(f),
            f.owner_name or "(no owner)",
            f.company,
            _one_line(f.what, WHAT_WIDTH),
        )
        for f in items
    ]
    widths = table_widths(header, rows)
    lines = [table_line(r, widths, "r") for r in [header, *rows]]  # the id column right-aligned
    noun = "item" if len(rows) == 1 else "items"
    summary = f"{len(rows)} {noun}"
    if counts is not None:
        summary += (
            f" (board: {counts.open} open, {counts.overdue} overdue, {counts.due_this_week} due this week, "
            f"{counts.done_last_30_days} done in the last 30 days)"
        )
    return "\n".join([*lines, summary]) if rows else f"No follow-ups match.\n{summary}"


def _board(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.followups import board as followups

    filters = dict(
        owner_id=args.owner,
        status=args.status,
        overdue_only=args.overdue,
        customer_text=args.customer,
        due_before=args.due_before,
    )
    if args.output is not None:
        try:
            n = followups.export_followups(ctx, args.output, **filters)
        except LookupError as exc:
            return fail(str(exc))
        except OSError as exc:
            return cannot_write(args.output, exc)
        wrote(args.output, n, "follow-ups")
        return 0
    try:
        items = followups.board(ctx, **filters)
    except LookupError as exc:
        return fail(str(exc))
    print(format_table(items, followups.counts(ctx, owner_id=args.owner)))
    return 0
