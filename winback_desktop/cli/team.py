"""Command-line commands of the tag-team workflow (see COMMAND_MODULES in cli.py).

``winback agenda``, ``winback today``, ``winback cycle new|fill|show|list|close`` and
``winback people [list|add|edit|retire|unretire|current]``. Times are shown in local time.
A problem the user can fix is one line on stderr and exit 1; bad arguments exit 2 (argparse).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

TEAM_COMMANDS = ("agenda", "today", "cycle", "people")


# --- parsers -------------------------------------------------------------------------------------


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return n


def _whole(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return n


def _date(text: str) -> dt.date:
    from winback_desktop.services.roster.dates import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _exec_pair(text: str) -> tuple[int, int | None]:
    left, sep, right = text.partition(":")
    try:
        return int(left), (int(right) if sep else None)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: write the executive's id and their partner's id as EXEC_ID:PARTNER_ID"
        ) from None


def register(add) -> None:
    """Add this area's sub-commands; ``add(name, help)`` returns an argparse sub-parser."""
    from winback_desktop.cli.entry import _global_options

    def nested(parent: argparse.ArgumentParser, dest: str, required: bool):
        sub = parent.add_subparsers(dest=dest, metavar="ACTION", required=required)

        def add_nested(name: str, help_text: str) -> argparse.ArgumentParser:
            p = sub.add_parser(name, help=help_text, description=help_text)
            _global_options(p, top=False)
            return p

        return add_nested

    agenda = add("agenda", "list the booked recovery calls of the coming days; --ics writes a calendar file")
    agenda.add_argument("--days", type=_positive, default=7, metavar="N", help="how many days (default 7)")
    agenda.add_argument("--from", dest="start", type=_date, metavar="DATE", help="first day (default today)")
    agenda.add_argument("--person", type=int, metavar="ID", help="only calls this person leads or partners")
    agenda.add_argument("--ics", type=Path, metavar="FILE", help="also write the calls as an iCalendar file")

    today = add("today", "my day: booked calls, call-backs due, overdue follow-ups")
    today.add_argument("--person", type=int, metavar="ID", help="whose day (default: the current user)")
    today.add_argument("--date", type=_date, metavar="DATE", help="which day (default today)")

    cycle = add("cycle", "rescue cycles: new, fill, show, list, close")
    cyc = nested(cycle, "cycle_command", required=True)
    new = cyc("new", "start a rescue cycle for a month or a quarter")
    span = new.add_mutually_exclusive_group(required=True)
    span.add_argument("--month", dest="kind", action="store_const", const="month", help="a calendar month")
    span.add_argument("--quarter", dest="kind", action="store_const", const="quarter", help="a quarter")
    new.add_argument(
        "--date", type=_date, metavar="DATE", help="a day in the month or quarter (default today)"
    )
    new.add_argument("--name", metavar="NAME", help="the cycle's name (default e.g. 'June 2025' / 'Q2 2025')")
    new.add_argument("--quota", type=int, required=True, metavar="K", help="customers per executive, 1-10")
    fill = cyc("fill", "give the cycle customers from the ranked roster (pursue only)")
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
    fill.add_argument("--limit", type=_whole, metavar="N", help="give the callers at most N customers")
    show = cyc("show", "a cycle's progress: called, reached, won back, open follow-ups")
    show.add_argument("cycle_id", type=int, metavar="ID")
    show.add_argument("--customers", action="store_true", help="also list every customer in the cycle")
    cyc("list", "all rescue cycles, open first")
    close = cyc("close", "close a cycle (its customers may join the next one)")
    close.add_argument("cycle_id", type=int, metavar="ID")

    people = add("people", "the team: list, add, edit, retire, unretire; the current user")
    ppl = nested(people, "people_command", required=False)
    listing = ppl("list", "list the team (the default)")
    listing.add_argument("--all", action="store_true", help="include retired people")
    listing.add_argument("--role", choices=("executive", "caller", "partner"))
    padd = ppl("add", "add a person")
    padd.add_argument("name", metavar="NAME")
    padd.add_argument("--role", required=True, choices=("executive", "caller", "partner"))
    padd.add_argument("--title", default="")
    padd.add_argument("--email", default="")
    edit = ppl("edit", "change a person's name, role, title or email")
    edit.add_argument("person_id", type=int, metavar="ID")
    edit.add_argument("--name")
    edit.add_argument("--role", choices=("executive", "caller", "partner"))
    edit.add_argument("--title")
    edit.add_argument("--email")
    for name, text in (
        ("retire", "retire a person (their history stays)"),
        ("unretire", "bring a retired person back"),
    ):
        ppl(name, text).add_argument("person_id", type=int, metavar="ID")
    current = ppl("current", "show the current user, or pick one by id")
    current.add_argument("person_id", type=int, nargs="?", metavar="ID")


# --- running -------------------------------------------------------------------------------------


def run(args: argparse.Namespace, ctx) -> int | None:
    """Run the command if it is one of this area's; None otherwise."""
    if args.command not in TEAM_COMMANDS:
        return None
    command = {"agenda": _agenda, "today": _today, "cycle": _cycle, "people": _people}[args.command]
    try:
        return command(args, ctx)
    except (ValueError, LookupError) as exc:
        return _fail(str(exc))
    except OSError as exc:  # name the file the user asked for, not our temporary one
        target = getattr(args, "ics", None) or exc.filename
        return _fail(f"cannot write {target}: {exc.strerror or exc}")


def _fail(message: str) -> int:
    print(f"winback: {message}", file=sys.stderr)
    return 1


def _table(header, rows, align: str = "") -> None:
    from winback_desktop.cli.roster import print_table

    print_table(header, rows, align)


def _when(t: dt.datetime) -> str:
    local = t.astimezone()
    return f"{local:%a %Y-%m-%d %H:%M}"


def _agenda(args, ctx) -> int:
    from winback_desktop.services.schedule import booking as schedule
    from winback_desktop.services.schedule import ics as agenda_ics

    items = schedule.agenda(ctx, days=args.days, start=args.start, person_id=args.person)
    first = args.start or dt.date.today()
    span = f"{first.isoformat()} to {(first + dt.timedelta(days=args.days - 1)).isoformat()}"
    if items:
        _table(
            ["When", "Min", "Company", "Contact", "Phone", "Leader", "Partner", "Call"],
            [
                [
                    _when(i.starts_at),
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
            align=".r" + "." * 5 + "r",
        )
        print(f"\n{len(items)} booked calls, {span}.")
    else:
        print(f"No calls booked, {span}.")
    if args.ics is not None:
        out = agenda_ics.write_ics(args.ics, agenda_ics.agenda_ics(items))
        print(f"wrote {len(items)} calls to {out}")
    return 0


def _today(args, ctx) -> int:
    from winback_desktop.services.people import team as people
    from winback_desktop.services.schedule import booking as schedule

    person_id = args.person
    if person_id is None:
        me = people.current_user(ctx)
        if me is None:
            return _fail("no current user: pass --person ID, or pick one with 'winback people current ID'")
        person_id = me.id
    person = people.get_person(ctx, person_id)
    view = schedule.today(ctx, person_id, args.date)
    print(f"{person.name} — {view.day:%A %d %B %Y}\n")
    print("My calls")
    if view.calls:
        _table(
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
            align=".r" + "." * 5 + "r",
        )
    else:
        print("  none booked")
    print("\nCall-backs due")
    if view.call_backs:
        _table(
            ["Due", "Company", "Contact", "Phone", "Note"],
            [[_when(c.call_back_at), c.company, c.contact_name, c.phone, c.note] for c in view.call_backs],
        )
    else:
        print("  none")
    print("\nFollow-ups overdue")
    if view.overdue:
        _table(
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
    return 0


def _cycle(args, ctx) -> int:
    from winback_desktop.services.cycles import rescue as cycles

    if args.cycle_command == "new":
        start, end = cycles.cycle_dates(args.kind, args.date)
        name = args.name if args.name is not None else cycles.cycle_name(args.kind, args.date)
        cycle_id = cycles.create_cycle(ctx, name, start, end, args.quota)
        info = cycles.get_cycle(ctx, cycle_id)
        print(
            f"created rescue cycle {cycle_id}: {info.name}, {start} to {end}, "
            f"{info.executive_quota} per executive"
        )
        return 0
    if args.cycle_command == "fill":
        if not args.executives and not args.callers:
            return _fail("give at least one --exec EXEC_ID:PARTNER_ID or --caller ID")
        summary = cycles.fill_cycle(ctx, args.cycle_id, args.executives, args.callers, args.limit)
        _table(
            ["Person", "Role", "Partner", "Added", "In cycle"],
            [[s.name, s.kind, s.partner_name or "-", str(s.added), str(s.total)] for s in summary.shares],
            align="...rr",
        )
        print(f"\nassigned {summary.added} customers; {summary.remaining} eligible left unassigned.")
        if summary.executives_short:
            short = ", ".join(f"{s.name} has {s.total}" for s in summary.executives_short)
            print(
                f"note: {short} of {summary.quota}: no more customers to give. Only customers marked "
                "'pursue' in the roster (lapsed or lost, in no other open cycle) are given out."
            )
        return 0
    if args.cycle_command == "list":
        rows = cycles.list_cycles(ctx)
        if not rows:
            print("No rescue cycles yet: start one with 'winback cycle new --month --quota K'.")
            return 0
        _table(
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
    if args.cycle_command == "close":
        cycles.close_cycle(ctx, args.cycle_id)
        print(f"closed rescue cycle {args.cycle_id}")
        return 0
    return _show_cycle(args, ctx)


def _show_cycle(args, ctx) -> int:
    from winback_desktop.services.cycles import rescue as cycles

    info = cycles.get_cycle(ctx, args.cycle_id)
    p = cycles.cycle_progress(ctx, args.cycle_id)
    print(
        f"{info.name} ({info.status}): {info.starts_on} to {info.ends_on}, "
        f"{info.executive_quota} per executive\n"
    )
    print(
        f"{p.assigned} customers: {p.called} called, {p.reached} reached, {p.won_back} won back; "
        f"{p.open_followups} open follow-ups\n"
    )
    if p.by_assignee:
        _table(
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
        rows = cycles.cycle_assignments(ctx, args.cycle_id)
        print()
        if not rows:
            print("No customers in this cycle yet: fill it with 'winback cycle fill ID ...'.")
            return 0
        _table(
            ["Company", "Contact", "Phone", "Priority", "Who", "Partner", "Next call"],
            [
                [
                    r.company + (" (verify contact)" if r.verify_contact else ""),
                    r.contact_name,
                    r.phone,
                    f"{r.priority:.1f}",
                    r.assignee_name,
                    r.partner_name or "-",
                    _when(r.next_call_at) if r.next_call_at else "-",
                ]
                for r in rows
            ],
            align="...r",
        )
    return 0


def _people(args, ctx) -> int:
    from winback_desktop.services.people import team as people

    action = args.people_command or "list"
    if action == "list":
        rows = people.list_people(
            ctx, role=getattr(args, "role", None), include_retired=getattr(args, "all", False)
        )
        me = people.current_user(ctx)
        if not rows:
            print("No people yet: add one with 'winback people add NAME --role executive|caller|partner'.")
            return 0
        _table(
            ["Id", "Name", "Role", "Title", "Email", "Note"],
            [
                [
                    str(p.id),
                    p.name,
                    p.role_label,
                    p.title,
                    p.email,
                    ("current user" if me and me.id == p.id else "") + ("" if p.active else "retired"),
                ]
                for p in rows
            ],
            align="r",
        )
        return 0
    if action == "add":
        person_id = people.add_person(ctx, args.name, args.role, args.title, args.email)
        print(f"added {args.name.strip()} (id {person_id})")
        return 0
    if action == "edit":
        changes = {
            k: getattr(args, k) for k in ("name", "role", "title", "email") if getattr(args, k) is not None
        }
        if not changes:
            return _fail("nothing to change: give --name, --role, --title or --email")
        p = people.edit_person(ctx, args.person_id, **changes)
        print(f"changed {p.name} (id {p.id})")
        return 0
    if action == "retire":
        result = people.retire_person(ctx, args.person_id)
        p = people.get_person(ctx, args.person_id)
        print(f"retired {p.name}")
        if result.scheduled_calls or result.open_actions:
            print(
                f"note: {p.name} still has {result.scheduled_calls} booked calls and "
                f"{result.open_actions} open follow-ups; hand them over in the app"
            )
        return 0
    if action == "unretire":
        people.unretire_person(ctx, args.person_id)
        print(f"{people.get_person(ctx, args.person_id).name} is back on the team")
        return 0
    # current
    if args.person_id is not None:
        people.set_current_user(ctx, args.person_id)
    me = people.current_user(ctx)
    print(f"current user: {me.name} (id {me.id})" if me else "no current user")
    return 0
