"""The team on the command line: ``winback people [list|add|edit|retire|unretire|current]``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from winback_desktop.cli.common import Commands, add_command, fail, print_table, runs, user_errors
from winback_desktop.services.vocab import Role

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext

ROLES = Role.values()


def register(sub: Commands) -> None:
    """Add this area's sub-commands: ``people`` and its actions (``list`` without one)."""
    people = add_command(sub, "people", "the team: list, add, edit, retire, unretire; the current user")
    runs(people, _list)
    actions = people.add_subparsers(dest="people_command", metavar="ACTION", required=False)
    listing = add_command(actions, "list", "list the team (the default)")
    listing.add_argument("--all", action="store_true", help="include retired people")
    listing.add_argument("--role", choices=ROLES)
    runs(listing, _list)
    add = add_command(actions, "add", "add a person")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--title", default="")
    add.add_argument("--email", default="")
    runs(add, _add)
    edit = add_command(actions, "edit", "change a person's name, role, title or email")
    edit.add_argument("person_id", type=int, metavar="ID")
    edit.add_argument("--name")
    edit.add_argument("--role", choices=ROLES)
    edit.add_argument("--title")
    edit.add_argument("--email")
    runs(edit, _edit)
    retire = add_command(actions, "retire", "retire a person (their history stays)")
    retire.add_argument("person_id", type=int, metavar="ID")
    runs(retire, _retire)
    unretire = add_command(actions, "unretire", "bring a retired person back")
    unretire.add_argument("person_id", type=int, metavar="ID")
    runs(unretire, _unretire)
    current = add_command(actions, "current", "show the current user, or pick one by id")
    current.add_argument("person_id", type=int, nargs="?", metavar="ID")
    runs(current, _current)


@user_errors
def _list(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.people import team as people

    # Plain ``winback people`` lists too, without list's own options.
    rows = people.list_people(
        ctx, role=getattr(args, "role", None), include_retired=getattr(args, "all", False)
    )
    me = people.current_user(ctx)
    if not rows:
        print("No people yet: add one with 'winback people add NAME --role executive|caller|partner'.")
        return 0
    print_table(
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


@user_errors
def _add(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.people import team as people

    person_id = people.add_person(ctx, args.name, args.role, args.title, args.email)
    print(f"added {args.name.strip()} (id {person_id})")
    return 0


@user_errors
def _edit(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.people import team as people

    changes = {
        k: getattr(args, k) for k in ("name", "role", "title", "email") if getattr(args, k) is not None
    }
    if not changes:
        return fail("nothing to change: give --name, --role, --title or --email")
    p = people.edit_person(ctx, args.person_id, **changes)
    print(f"changed {p.name} (id {p.id})")
    return 0


@user_errors
def _retire(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.people import team as people

    result = people.retire_person(ctx, args.person_id)
    p = people.get_person(ctx, args.person_id)
    print(f"retired {p.name}")
    if result.scheduled_calls or result.open_actions:
        print(
            f"note: {p.name} still has {result.scheduled_calls} booked calls and "
            f"{result.open_actions} open follow-ups; hand them over in the app"
        )
    return 0


@user_errors
def _unretire(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.people import team as people

    people.unretire_person(ctx, args.person_id)
    print(f"{people.get_person(ctx, args.person_id).name} is back on the team")
    return 0


@user_errors
def _current(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.people import team as people

    if args.person_id is not None:
        people.set_current_user(ctx, args.person_id)
    me = people.current_user(ctx)
    print(f"current user: {me.name} (id {me.id})" if me else "no current user")
    return 0
