"""The booked calls on the command line: ``winback agenda`` and ``winback today``.

Times are shown in local time.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.cli.common import (
    Commands,
    add_command,
    cannot_write,
    date_arg,
    fail,
    local_time,
    positive_int,
    print_table,
    runs,
    user_errors,
    wrote,
)

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext
    from winback_desktop.services.schedule.views import TodayView

CALLS_ALIGN = ".r" + "." * 5 + "r"


def register(sub: Commands) -> None:
    """Add this area's sub-commands."""
    agenda = add_command(
        sub, "agenda", "list the booked recovery calls of the coming days; --ics writes a calendar file"
    )
    agenda.add_argument("--days", type=positive_int, default=7, metavar="N", help="how many days (default 7)")
    agenda.add_argument(
        "--from", dest="start", type=date_arg, metavar="DATE", help="first day (default today)"
    )
    agenda.add_argument("--person", type=int, metavar="ID", help="only calls this person leads or partners")
    agenda.add_argument("--ics", type=Path, metavar="FILE", help="also write the calls as an iCalendar file")
    runs(agenda, _agenda)

    today = add_command(sub, "today", "my day: booked calls, call-backs due, overdue follow-ups")
    today.add_argument("--person", type=int, metavar="ID", help="whose day (default: the current user)")
    today.add_argument("--date", type=date_arg, metavar="DATE", help="which day (default today)")
    runs(today, _today)


@user_errors
def _agenda(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.files import atomic_write_bytes
    from winback_desktop.services.schedule import booking as schedule
    from winback_desktop.services.schedule import ics as agenda_ics

    items = schedule.agenda(ctx, days=args.days, start=args.start, person_id=args.person)
    first = args.start or dt.date.today()
    span = f"{first.isoformat()} to {(first + dt.timedelta(days=args.days - 1)).isoformat()}"
    if items:
        print_table(
            ["When", "Min", "Company", "Contact", "Phone", "Leader", "Partner", "Call"],
            [
                [
                    local_time(i.starts_at),
                    str(i.minutes),
                    i.company,
                    i.contact_name,
                    i.phone,
                    i.leader_name,
                    i.partner_name or "-",
                    str(i.call_id),
                ]
                for i in items
            ],
            align=CALLS_ALIGN,
        )
        print(f"\n{len(items)} booked calls, {span}.")
    else:
        print(f"No calls booked, {span}.")
    if args.ics is not None:
        try:
            out = atomic_write_bytes(args.ics, agenda_ics.agenda_ics(items))
        except OSError as exc:
            return cannot_write(args.ics, exc)
        wrote(out, len(items), "calls")
    return 0


@user_errors
def _today(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.people import team as people
    from winback_desktop.services.schedule import booking as schedule

    person_id = args.person
    if person_id is None:
        me = people.current_user(ctx)
        if me is None:
            return fail("no current user: pass --person ID, or pick one with 'winback people current ID'")
        person_id = me.id
    person = people.get_person(ctx, person_id)
    view = schedule.today(ctx, person_id, args.date)
    print(f"{person.name} — {view.day:%A %d %B %Y}\n")
    print("My calls")
    if view.calls:
        print_table(
            ["Time", "Min", "Company", "Contact", "Phone", "As", "With", "Call"],
            [
                [
                    f"{i.local_start:%H:%M}",
                    str(i.minutes),
                    i.company + (" (call-back)" if i.from_call_back else ""),
                    i.contact_name,
                    i.phone,
                    "leader" if i.leader_id == person_id else "partner",
                    (i.partner_name if i.leader_id == person_id else i.leader_name) or "-",
                    str(i.call_id),
                ]
                for i in view.calls
            ],
            align=CALLS_ALIGN,
        )
    else:
        print("  none booked")
    _print_todo(view)
    return 0


def _print_todo(view: TodayView) -> None:
    """What else the day holds: call-backs due, follow-ups overdue and due today."""
    print("\nCall-backs due")
    if view.call_backs:
        print_table(
            ["Due", "Company", "Contact", "Phone", "Note"],
            [
                [local_time(c.call_back_at), c.company, c.contact_name, c.phone, c.note]
                for c in view.call_backs
            ],
        )
    else:
        print("  none")
    print("\nFollow-ups overdue")
    if view.overdue:
        print_table(
            ["Due", "Days late", "Company", "What"],
            [[d.due_date.isoformat(), str(d.days_overdue), d.company, d.what] for d in view.overdue],
            align=".r",
        )
    else:
        print("  none")
    if view.due_today:
        print(f"\nFollow-ups due today: {len(view.due_today)}")
        for d in view.due_today:
            print(f"  {d.company}: {d.what}")
