"""``winback followups``: the partner's follow-up board as a table, or as CSV with -o."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

WHAT_WIDTH = 60


def register(add) -> None:
    """Add this area's sub-commands; ``add(name, help)`` returns an argparse sub-parser."""
    p = add(
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


def _fail(message: str, code: int = 1) -> int:
    print(f"winback: {message}", file=sys.stderr)
    return code


def _one_line(text: str, width: int) -> str:
    text = " ".join(text.split()) or "(no description)"
    return text if len(text) <= width else text[: width - 1] + "…"


def _flag(f) -> str:
    if f.overdue:
        return f"OVERDUE {f.days_overdue}d"
    if f.status == "done":
        # done_at is stored as naive UTC; show the local day.
        return f"done {f.done_at.replace(tzinfo=dt.UTC).astimezone():%Y-%m-%d}" if f.done_at else "done"
    return f.status


def _line(cells, widths) -> str:
    # The id column is right-aligned, the rest left-aligned; no trailing blanks.
    padded = [cells[0].rjust(widths[0])] + [c.ljust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
    return "  ".join(padded).rstrip()


def format_table(items, counts=None) -> str:
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
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [_line(r, widths) for r in [header, *rows]]
    noun = "item" if len(rows) == 1 else "items"
    summary = f"{len(rows)} {noun}"
    if counts is not None:
        summary += (
            f" (board: {counts.open} open, {counts.overdue} overdue, {counts.due_this_week} due this week, "
            f"{counts.done_last_30_days} done in the last 30 days)"
        )
    return "\n".join([*lines, summary]) if rows else f"No follow-ups match.\n{summary}"


def run(args: argparse.Namespace, ctx) -> int | None:
    """Run the command if it is one of this area's; None otherwise."""
    if args.command != "followups":
        return None
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
            return _fail(str(exc))
        except OSError as exc:  # name the file the user asked for, not our temporary one
            return _fail(f"cannot write {args.output}: {exc.strerror}" if exc.strerror else str(exc))
        print(f"wrote {n} follow-ups to {args.output}")
        return 0
    try:
        items = followups.board(ctx, **filters)
    except LookupError as exc:
        return _fail(str(exc))
    print(format_table(items, followups.counts(ctx, owner_id=args.owner)))
    return 0
