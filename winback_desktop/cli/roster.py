"""Command-line commands of the roster (see COMMAND_MODULES in cli.py).

``winback lapsed``, ``winback volume`` and ``winback export customers``. Before listing, the
stored statuses and priorities are brought up to date (as of today, with the lapse-months
setting), as the app does; ``--as-of`` / ``--months`` then choose whom the rule lists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

RIGHT = "r"


def register(add) -> None:
    """Add this area's sub-commands; ``add(name, help)`` returns an argparse sub-parser."""
    lapsed = add("lapsed", "list the lapsed customers, highest win-back priority first")
    _rule_options(lapsed)
    lapsed.add_argument("-o", "--output", type=Path, metavar="FILE.csv", help="write CSV instead of a table")
    volume = add("volume", "how many customers and how much yearly business lapsed, per month or quarter")
    volume.add_argument("--by", choices=("month", "quarter"), default="month", help="period (default: month)")
    _rule_options(volume)
    volume.add_argument("-o", "--output", type=Path, metavar="FILE.csv", help="write CSV instead of a table")


def _rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="DATE", help="apply the lapse rule on DATE (YYYY-MM-DD; default today)")
    p.add_argument(
        "--months",
        metavar="N",
        help="lapsed after N calendar months without a purchase (default: the setting, 6)",
    )


def run(args: argparse.Namespace, ctx) -> int | None:
    """Run the command if it is one of this area's; None otherwise."""
    if args.command == "lapsed":
        return _guarded(_lapsed, args, ctx)
    if args.command == "volume":
        return _guarded(_volume, args, ctx)
    if args.command == "export" and getattr(args, "what", None) == "customers":
        return _guarded(_export, args, ctx)
    return None


class _Refused(Exception):
    """A problem the user can fix: printed, exit 1."""


def _guarded(command, args, ctx) -> int:
    try:
        return command(args, ctx)
    except _Refused as exc:
        print(f"winback: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # name the file the user asked for, not our temporary one
        if exc.filename and exc.strerror:
            message = f"cannot write {args.output}: {exc.strerror}"
        else:
            message = str(exc)
        print(f"winback: {message}", file=sys.stderr)
        return 1


def _rule_args(args) -> tuple[dt.date | None, int | None]:
    from winback_desktop.services.roster import parse_date
    from winback_desktop.services.roster.rules import MAX_MONTHS

    as_of = months = None
    if args.as_of is not None:
        try:
            as_of = parse_date(args.as_of)
        except ValueError as exc:
            raise _Refused(f"--as-of: {exc}") from None
    if args.months is not None:
        try:
            months = int(args.months)
        except ValueError:
            months = 0
        if not 1 <= months <= MAX_MONTHS:
            raise _Refused(
                f"--months: {args.months!r} is not a whole number of months from 1 to {MAX_MONTHS}"
            )
    return as_of, months


def _money(v: Decimal) -> str:
    return f"{v:,.2f}"


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> None:
    """An aligned plain-text table; ``align`` has 'r' at the index of each right-aligned column."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
            last = i == len(widths) - 1
            right = i < len(align) and align[i] == RIGHT
            out.append(cell.rjust(w) if right else (cell if last else cell.ljust(w)))
        return "  ".join(out).rstrip()

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def _lapsed(args, ctx) -> int:
    from winback_desktop.services import roster

    as_of, months = _rule_args(args)
    roster.refresh(ctx)
    rule = roster.rule(ctx, as_of, months)
    rows = roster.lapsed(ctx, rule.as_of, rule.months)
    if args.output is not None:
        header = [
            "external_id",
            "company",
            "contact",
            "status",
            "last_purchase",
            "lapsed_on",
            "orders",
            "total_revenue",
            "yearly_revenue",
            "value_lost",
            "priority",
            "priority_reason",
            "decision",
        ]
        cells = (
            [
                r.external_id,
                r.company,
                r.contact_name,
                r.status,
                r.last_purchase.isoformat(),
                r.lapsed_on.isoformat(),
                str(r.orders_count),
                f"{r.total_revenue:.2f}",
                f"{r.yearly_revenue:.2f}",
                f"{r.value_lost:.2f}",
                f"{r.priority:.1f}",
                r.priority_reason,
                r.decision,
            ]
            for r in rows
        )
        from winback_desktop.services.calls.export import write_csv_atomic

        write_csv_atomic(args.output, header, cells)
        print(f"wrote {len(rows)} lapsed customers to {args.output}")
        return 0
    what = f"as of {rule.as_of.isoformat()} (no purchase for {rule.months} months)"
    if not rows:
        print(f"No lapsed customers {what}.")
        return 0
    print_table(
        [
            "External id",
            "Company",
            "Contact",
            "Status",
            "Last purchase",
            "Orders",
            "Total revenue",
            "Yearly business",
            "Priority",
            "Why",
        ],
        [
            [
                r.external_id,
                r.company,
                r.contact_name,
                r.status.replace("_", " "),
                r.last_purchase.isoformat(),
                f"{r.orders_count:,}",
                _money(r.total_revenue),
                _money(r.value),
                f"{r.priority:.1f}",
                r.priority_reason,
            ]
            for r in rows
        ],
        align="....." + "rrrr",
    )
    total = sum((r.value for r in rows), Decimal(0))
    print(f"\n{len(rows):,} customers lapsed {what}, taking {_money(total)} of yearly business.")
    return 0


def _volume(args, ctx) -> int:
    from winback_desktop.services import roster
    from winback_desktop.services.calls.export import write_csv_atomic

    as_of, months = _rule_args(args)
    rule = roster.rule(ctx, as_of, months)
    rows = roster.volume_departed(ctx, args.by, rule.as_of, rule.months)
    if args.output is not None:
        write_csv_atomic(
            args.output,
            ["period", "customers", "yearly_revenue"],
            ([r.period_label, str(r.customers), f"{r.yearly_revenue:.2f}"] for r in rows),
        )
        print(f"wrote {len(rows)} {args.by}s to {args.output}")
        return 0
    what = f"as of {rule.as_of.isoformat()} (no purchase for {rule.months} months)"
    if not rows:
        print(f"No customers lapsed {what}.")
        return 0
    print_table(
        ["Period", "Customers lapsed", "Yearly business lost"],
        [[r.period_label, f"{r.customers:,}", _money(r.yearly_revenue)] for r in rows],
        align=".rr",
    )
    customers = sum(r.customers for r in rows)
    revenue = sum((r.yearly_revenue for r in rows), Decimal(0))
    span = f"from {rows[0].period_label} to {rows[-1].period_label}"
    print(
        f"\nIn all: {customers:,} customers lapsed {span} (no purchase for {rule.months} months), "
        f"taking {_money(revenue)} of yearly business; those won back since still count."
    )
    return 0


def _export(args, ctx) -> int:
    from winback_desktop.services import roster

    roster.refresh(ctx)
    n = roster.export_customers(ctx, args.output)
    print(f"wrote {n} customers to {args.output}")
    return 0
