"""Command-line commands of the roster.

``winback lapsed``, ``winback volume`` and ``winback export customers`` (which ``calls`` adds,
with the other export). Before listing, the stored statuses and priorities are brought up to
date (as of today, with the lapse-months setting), as the app does (on a read-only or full
disk they are listed as last stored); ``--as-of`` / ``--months`` then choose whom the rule lists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.cli.common import (
    Commands,
    Handler,
    add_command,
    cannot_write,
    fail,
    print_table,
    refresh_unless_read_only,
    runs,
    wrote,
)
from winback_desktop.formats import count, money

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext
    from winback_desktop.services.roster import LapsedRow


def register(sub: Commands) -> None:
    """Add this area's sub-commands."""
    lapsed = add_command(sub, "lapsed", "list the lapsed customers, highest win-back priority first")
    _rule_options(lapsed)
    lapsed.add_argument("-o", "--output", type=Path, metavar="FILE.csv", help="write CSV instead of a table")
    runs(lapsed, _lapsed)
    volume = add_command(
        sub, "volume", "how many customers and how much yearly business lapsed, per month or quarter"
    )
    volume.add_argument("--by", choices=("month", "quarter"), default="month", help="period (default: month)")
    _rule_options(volume)
    volume.add_argument("-o", "--output", type=Path, metavar="FILE.csv", help="write CSV instead of a table")
    runs(volume, _volume)


def _rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="DATE", help="apply the lapse rule on DATE (YYYY-MM-DD; default today)")
    p.add_argument(
        "--months",
        metavar="N",
        help="lapsed after N calendar months without a purchase (default: the setting, 6)",
    )


class _Refused(Exception):
    """A problem the user can fix: printed, exit 1."""


def _guarded(command: Handler) -> Handler:
    @functools.wraps(command)
    def run(args: argparse.Namespace, ctx: AppContext) -> int:
        try:
            return command(args, ctx)
        except _Refused as exc:
            return fail(str(exc))
        except OSError as exc:
            return cannot_write(args.output, exc)

    return run


def _rule_args(args: argparse.Namespace) -> tuple[dt.date | None, int | None]:
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


LAPSED_CSV = [
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
LAPSED_TABLE = [
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
]


@_guarded
def _lapsed(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services import roster

    as_of, months = _rule_args(args)
    refresh_unless_read_only(ctx)
    rule = roster.rule(ctx, as_of, months)
    rows = roster.lapsed(ctx, rule.as_of, rule.months)
    if args.output is not None:
        _lapsed_csv(args.output, rows)
        return 0
    what = f"as of {rule.as_of.isoformat()} (no purchase for {rule.months} months)"
    if not rows:
        print(f"No lapsed customers {what}.")
        return 0
    print_table(
        LAPSED_TABLE,
        [
            [
                r.external_id,
                r.company,
                r.contact_name,
                r.status.replace("_", " "),
                r.last_purchase.isoformat(),
                f"{r.orders_count:,}",
                money(r.total_revenue),
                money(r.value),
                f"{r.priority:.1f}",
                r.priority_reason,
            ]
            for r in rows
        ],
        align="....." + "rrrr",
    )
    total = sum((r.value for r in rows), Decimal(0))
    print(f"\n{count(len(rows), 'customer')} lapsed {what}, taking {money(total)} of yearly business.")
    return 0


def _lapsed_csv(output: Path, rows: Sequence[LapsedRow]) -> None:
    from winback_desktop.files import atomic_write_csv

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
    atomic_write_csv(output, LAPSED_CSV, cells)
    wrote(output, len(rows), "lapsed customers")


@_guarded
def _volume(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.files import atomic_write_csv
    from winback_desktop.services import roster

    as_of, months = _rule_args(args)
    rule = roster.rule(ctx, as_of, months)
    rows = roster.volume_departed(ctx, args.by, rule.as_of, rule.months)
    if args.output is not None:
        atomic_write_csv(
            args.output,
            ["period", "customers", "yearly_revenue"],
            ([r.period_label, str(r.customers), f"{r.yearly_revenue:.2f}"] for r in rows),
        )
        wrote(args.output, len(rows), f"{args.by}s")
        return 0
    what = f"as of {rule.as_of.isoformat()} (no purchase for {rule.months} months)"
    if not rows:
        print(f"No customers lapsed {what}.")
        return 0
    print_table(
        ["Period", "Customers lapsed", "Yearly business lost"],
        [[r.period_label, f"{r.customers:,}", money(r.yearly_revenue)] for r in rows],
        align=".rr",
    )
    customers = sum(r.customers for r in rows)
    revenue = sum((r.yearly_revenue for r in rows), Decimal(0))
    span = f"from {rows[0].period_label} to {rows[-1].period_label}"
    print(
        f"\nIn all: {count(customers, 'customer')} lapsed {span} (no purchase for {rule.months} months), "
        f"taking {money(revenue)} of yearly business; those won back since still count."
    )
    return 0


@_guarded
def export_customers(args: argparse.Namespace, ctx: AppContext) -> int:
    """``winback export customers``: the roster as CSV, brought up to date first."""
    from winback_desktop.services import roster

    refresh_unless_read_only(ctx)
    n = roster.export_customers(ctx, args.output)
    wrote(args.output, n, "customers")
    return 0
