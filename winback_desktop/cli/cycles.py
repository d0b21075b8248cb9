"""Rescue cycles on the command line: ``winback cycle new|fill|show|list|close``.

Times are shown in local time.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from winback_desktop.cli.common import (
    Commands,
    add_command,
    date_arg,
    fail,
    local_time,
    print_table,
    runs,
    user_errors,
    whole_int,
)
from winback_desktop.formats import count

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext


def _exec_pair(text: str) -> tuple[int, int | None]:
    left, sep, right = text.partition(":")
    try:
        return int(left), (int(right) if sep else None)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: write the executive's id and their partner's id as EXEC_ID:PARTNER_ID"
        ) from None


def register(sub: Commands) -> None:
    """Add this area's sub-commands: ``cycle`` and its actions."""
    cycle = add_command(sub, "cycle", "rescue cycles: new, fill, show, list, close")
    actions = cycle.add_subparsers(dest="cycle_command", metavar="ACTION", required=True)
    new = add_command(actions, "new", "start a rescue cycle for a month or a quarter")
    span = new.add_mutually_exclusive_group(required=True)
    span.add_argument("--month", dest="kind", action="store_const", const="month", help="a calendar month")
    span.add_argument("--quarter", dest="kind", action="store_const", const="quarter", help="a quarter")
    new.add_argument(
        "--date", type=date_arg, metavar="DATE", help="a day in the month or quarter (default today)"
    )
    new.add_argument("--name", metavar="NAME", help="the cycle's name (default e.g. 'June 2025' / 'Q2 2025')")
    new.add_argument("--quota", type=int, required=True, metavar="K", help="customers per executive, 1-10")
    runs(new, _new)
    fill = add_command(actions, "fill", "give the cycle customers from the ranked roster (pursue only)")
    fill.add_argument("cycle_id", type=int, metavar="ID")
    fill.add_argument(
        "--exec",
        dest="executives",
        type=_exec_pair,
        action="append",
        default=[],
        metavar="EXEC_ID:PARTNER_ID",
        help="an executive and their partner (repeat for each executive)",
    )
    fill.add_argument(
        "--caller",
        dest="callers",
        type=int,
        action="append",
        default=[],
        metavar="ID",
        help="a recovery caller",
    )
    fill.add_argument("--limit", type=whole_int, metavar="N", help="give the callers at most N customers")
    runs(fill, _fill)
    show = add_command(actions, "show", "a cycle's progress: called, reached, won back, open follow-ups")
    show.add_argument("cycle_id", type=int, metavar="ID")
    show.add_argument("--customers", action="store_true", help="also list every customer in the cycle")
    runs(show, _show)
    runs(add_command(actions, "list", "all rescue cycles, open first"), _list)
    close = add_command(actions, "close", "close a cycle (its customers may join the next one)")
    close.add_argument("cycle_id", type=int, metavar="ID")
    runs(close, _close)


@user_errors
def _new(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.cycles import rescue as cycles

    start, end = cycles.cycle_dates(args.kind, args.date)
    name = args.name if args.name is not None else cycles.cycle_name(args.kind, args.date)
    cycle_id = cycles.create_cycle(ctx, name, start, end, args.quota)
    info = cycles.get_cycle(ctx, cycle_id)
    print(
        f"created rescue cycle {cycle_id}: {info.name}, {start} to {end}, "
        f"{info.executive_quota} per executive"
    )
    return 0


@user_errors
def _fill(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.cycles import rescue as cycles

    if not args.executives and not args.callers:
        return fail("give at least one --exec EXEC_ID:PARTNER_ID or --caller ID")
    summary = cycles.fill_cycle(ctx, args.cycle_id, args.executives, args.callers, args.limit)
    print_table(
        ["Person", "Role", "Partner", "Added", "In cycle"],
        [[s.name, s.kind, s.partner_name or "-", str(s.added), str(s.total)] for s in summary.shares],
        align="...rr",
    )
    print(f"\nassigned {count(summary.added, 'customer')}; {summary.remaining} eligible left unassigned.")
    if summary.executives_short:
        short = ", ".join(f"{s.name} has {s.total}" for s in summary.executives_short)
        print(
            f"note: {short} of {summary.quota}: no more customers to give. Only customers marked "
            "'pursue' in the roster (lapsed or lost, in no other open cycle) are given out."
        )
    return 0


@user_errors
def _list(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.cycles import rescue as cycles

    rows = cycles.list_cycles(ctx)
    if not rows:
        print("No rescue cycles yet: start one with 'winback cycle new --month --quota K'.")
        return 0
    print_table(
        ["Id", "Name", "From", "To", "Quota", "Customers", "Status"],
        [
            [
                str(c.id),
                c.name,
                str(c.starts_on),
                str(c.ends_on),
                str(c.executive_quota),
                str(c.assigned),
                c.status,
            ]
            for c in rows
        ],
        align="r...rr",
    )
    return 0


@user_errors
def _close(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.cycles import rescue as cycles

    cycles.close_cycle(ctx, args.cycle_id)
    print(f"closed rescue cycle {args.cycle_id}")
    return 0


@user_errors
def _show(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.cycles import progress as cycle_reading
    from winback_desktop.services.cycles import rescue as cycles

    info = cycles.get_cycle(ctx, args.cycle_id)
    p = cycle_reading.cycle_progress(ctx, args.cycle_id)
    print(
        f"{info.name} ({info.status}): {info.starts_on} to {info.ends_on}, "
        f"{info.executive_quota} per executive\n"
    )
    print(
        f"{count(p.assigned, 'customer')}: {p.called} called, {p.reached} reached, {p.won_back} won back; "
        f"{count(p.open_followups, 'open follow-up')}\n"
    )
    if p.by_assignee:
        print_table(
            ["Person", "Role", "Customers", "Called", "Reached", "Won back", "Open follow-ups"],
            [
                [
                    a.name or "-",
                    a.kind,
                    str(a.assigned),
                    str(a.called),
                    str(a.reached),
                    str(a.won_back),
                    str(a.open_followups),
                ]
                for a in p.by_assignee
            ],
            align="..rrrrr",
        )
    if args.customers:
        _show_customers(ctx, args.cycle_id)
    return 0


def _show_customers(ctx: AppContext, cycle_id: int) -> None:
    from winback_desktop.services.cycles import progress as cycle_reading

    rows = cycle_reading.cycle_assignments(ctx, cycle_id)
    print()
    if not rows:
        print("No customers in this cycle yet: fill it with 'winback cycle fill ID ...'.")
        return
    print_table(
        ["Company", "Contact", "Phone", "Priority", "Who", "Partner", "Next call"],
        [
            [
                r.company + (" (verify contact)" if r.verify_contact else ""),
                r.contact_name,
                r.phone,
                f"{r.priority:.1f}",
                r.assignee_name,
                r.partner_name or "-",
                local_time(r.next_call_at) if r.next_call_at else "-",
            ]
            for r in rows
        ],
        align="...r",
    )
