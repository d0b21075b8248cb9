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
    local_time,
    positive_int,
    print_table,
    runs,
    user_errors,
    wrote,
)

if TYPE_CHECKING:
    from winback_desktop.services.calls.day import Day
    from winback_desktop.services.context import AppContext
    from winback_desktop.services.schedule.views import AgendaItem, TodayView


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

    today = add_command(
        sub, "today", "my day, as the Today tab: follow-ups, booked calls, call-backs, open calls, decisions"
    )
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
    """What the Today tab shows (``calls.day.my_day``). Without a current user: what the team
    shares (who needs a decision, calls left open), and how to say who is here."""
    from winback_desktop.services.calls.day import my_day
    from winback_desktop.services.people import team as people

    person_id = args.person
    if person_id is None:
        me = people.current_user(ctx)
        person_id = me.id if me is not None else None
    person = people.get_person(ctx, person_id) if person_id is not None else None
    work = my_day(ctx, person_id, args.date)
    if person is None:
        print(
            "No current user on this desk, so only what the whole team shares is shown.\n"
            "Say who you are with --person ID, or once with 'winback people current ID'"
            " ('winback people list' shows the IDs)."
        )
    else:
        print(f"{person.name} — {work.day:%A %d %B %Y}\n")
    if work.view is not None:
        _print_overdue(work.view)
        _print_calls("My calls", work.view.calls, person_id)
        _print_todo(work.view)
    _print_rest(work)
    return 0


def _print_calls(title: str, items: list[AgendaItem], person_id: int | None, *, day: bool = False) -> None:
    print(f"\n{title}")
    if not items:
        print("  none booked")
        return
    print_table(
        ["Day" if day else "Time", "Min", "Company", "Contact", "Phone", "As", "With", "Call"],
        [
            [
                f"{i.local_start:%a %d %b %H:%M}" if day else f"{i.local_start:%H:%M}",
                str(i.minutes),
                i.company + (" (call-back)" if i.from_call_back else ""),
                i.contact_name,
                i.phone,
                "leader" if i.leader_id == person_id else "partner",
                (i.partner_name if i.leader_id == person_id else i.leader_name) or "-",
                str(i.call_id),
            ]
            for i in items
        ],
        align=CALLS_ALIGN,
    )


def _print_overdue(view: TodayView) -> None:
    print("Follow-ups overdue")
    if view.overdue:
        print_table(
            ["Due", "Days late", "Company", "What"],
            [[d.due_date.isoformat(), str(d.days_overdue), d.company, d.what] for d in view.overdue],
            align=".r",
        )
    else:
        print("  none")


def _print_rest(work: Day) -> None:
    """Calls left open, who needs a decision, and the coming days' bookings."""
    from winback_desktop.services.calls.day import COMING_DAYS

    print("\nCalls left open")
    if work.open_calls:
        print_table(
            ["Started", "Company", "Left at", "Caller", "Call"],
            [
                [
                    local_time(o.started_at) if o.started_at else "-",
                    o.company,
                    o.stage,
                    o.caller_name or "-",
                    str(o.call_id),
                ]
                for o in work.open_calls
            ],
            align="....r",
        )
    else:
        print("  none")
    print("\nNeeds a decision (several failed tries in a row)")
    if work.needs_decision:
        print_table(
            ["Tries", "Company", "Contact", "Phone"],
            [[str(f.failed_in_row), f.company, f.contact_name, f.phone] for f in work.needs_decision],
            align="r",
        )
    else:
        print("  none")
    if work.person_id is not None:
        _print_calls(f"Booked in the next {COMING_DAYS} days", work.coming, work.person_id, day=True)


def _print_todo(view: TodayView) -> None:
    """What else the day holds: call-backs due and follow-ups due today."""
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
    print(f"\nFollow-ups due today: {len(view.due_today) or 'none'}")
    for d in view.due_today:
        print(f"  {d.company}: {d.what}")
