"""People: add, edit, retire (history kept, gone from pickers), the remembered current user."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import func, select

from winback_desktop import desk
from winback_desktop.bootstrap import open_app
from winback_desktop.cli.entry import main
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.services.vocab import Role
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Customer, Person


@pytest.fixture(autouse=True)
def keep_umask():
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def _count_people(ctx) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(Person)) or 0


def test_add_and_list_by_name_and_role(ctx):
    b = people.add_person(ctx, "  Bea   Quist ", "caller", title="Recovery caller", email="bea@example.com")
    a = people.add_person(ctx, "Ana Ortiz", "executive", email="")
    c = people.add_person(ctx, "Carl Dunn", "partner", title=" Assistant ")
    everyone = people.list_people(ctx)
    assert [p.id for p in everyone] == [a, b, c]
    bea = people.get_person(ctx, b)
    assert (bea.name, bea.role, bea.title, bea.email, bea.active) == (
        "Bea Quist",
        "caller",
        "Recovery caller",
        "bea@example.com",
        True,
    )
    assert people.get_person(ctx, c).title == "Assistant"
    assert [p.id for p in people.list_people(ctx, role="executive")] == [a]
    assert bea.role_label == Role.CALLER.label == "Recovery caller"


@pytest.mark.parametrize(
    ("name", "role", "email", "message"),
    [
        ("", "caller", "", "name"),
        ("   ", "caller", "", "name"),
        ("Ana", "boss", "", "role"),
        ("Ana", "caller", "not-an-address", "email"),
        ("Ana", "caller", "ana@nodot", "email"),
        ("Ana", "caller", "ana smith@example.com", "email"),
        ("Ana", "caller", "a,b@example.com", "email"),
        ("x" * 201, "caller", "", "200"),
    ],
)
def test_add_validates_and_writes_nothing(ctx, name, role, email, message):
    with pytest.raises(ValueError, match=message):
        people.add_person(ctx, name, role, email=email)
    assert _count_people(ctx) == 0


def test_list_with_unknown_role_is_an_error(ctx):
    with pytest.raises(ValueError, match="role"):
        people.list_people(ctx, role="boss")


def test_edit_person(ctx):
    pid = people.add_person(ctx, "Ana Ortiz", "caller")
    changed = people.edit_person(ctx, pid, name="Ana Ortiz-Vela", role="executive", email="ana@example.org")
    assert (changed.name, changed.role, changed.email) == ("Ana Ortiz-Vela", "executive", "ana@example.org")
    assert people.get_person(ctx, pid) == changed
    with pytest.raises(ValueError, match="email"):
        people.edit_person(ctx, pid, email="nope")
    with pytest.raises(ValueError, match="active"):
        people.edit_person(ctx, pid, active=False)
    with pytest.raises(ValueError, match="role"):
        people.edit_person(ctx, pid, role="boss")
    with pytest.raises(LookupError):
        people.edit_person(ctx, pid + 100, name="Nobody")
    assert people.get_person(ctx, pid) == changed  # failed edits change nothing


def test_retire_keeps_history_and_leaves_the_pickers(ctx):
    exec_id = people.add_person(ctx, "Ana Ortiz", "executive")
    partner = people.add_person(ctx, "Carl Dunn", "partner")
    with transaction(ctx.sessions) as s:
        customer = Customer(company="Harbour Foods")
        s.add(customer)
        s.flush()
        customer_id = customer.id
    done = calls.start_call(ctx, customer_id, exec_id, partner)
    calls.add_action(ctx, done, "Send the credit note", partner, dt.date.today())
    calls.finish_call(ctx, done)
    future = dt.datetime.now() + dt.timedelta(days=3)
    schedule.schedule_call(ctx, customer_id, future, 30, exec_id, partner)

    result = people.retire_person(ctx, partner)
    assert (result.scheduled_calls, result.open_actions) == (1, 1)
    assert partner not in [p.id for p in people.list_people(ctx)]
    retired = [p for p in people.list_people(ctx, include_retired=True) if p.id == partner]
    assert retired and retired[0].active is False
    # the finished call still names them
    assert calls.detail(ctx, done).partner.name == "Carl Dunn"
    assert people.list_people(ctx, include_retired=True)[-1].id == partner  # retired listed last

    people.unretire_person(ctx, partner)
    assert partner in [p.id for p in people.list_people(ctx)]
    with pytest.raises(LookupError):
        people.retire_person(ctx, 999)


def test_current_user_is_remembered_and_a_retired_one_counts_as_none(ctx, paths):
    assert people.current_user(ctx) is None
    pid = people.add_person(ctx, "Ana Ortiz", "partner", email="ana@example.com")
    people.set_current_user(ctx, pid)
    assert people.current_user(ctx).id == pid
    assert desk.load(paths).current_user(desk.database_key(paths)) == pid  # the desk's, not a row

    again = open_app(paths)  # a new start of the app
    try:
        assert people.current_user(again).name == "Ana Ortiz"
    finally:
        again.close()

    people.retire_person(ctx, pid)
    assert people.current_user(ctx) is None
    with pytest.raises(ValueError, match="retired"):
        people.set_current_user(ctx, pid)
    with pytest.raises(LookupError):
        people.set_current_user(ctx, 12345)
    people.unretire_person(ctx, pid)
    assert people.current_user(ctx).id == pid
    people.set_current_user(ctx, None)
    assert people.current_user(ctx) is None
    desk.save(paths, desk.load(paths).with_current_user(desk.database_key(paths), 12345))
    assert people.current_user(ctx) is None  # nobody by that id


def test_people_cli(ctx, capsys):
    assert main(["people", "add", "Zoë Ñúñez", "--role", "caller", "--email", "zoe@example.com"]) == 0
    assert "added Zoë Ñúñez" in capsys.readouterr().out
    pid = people.list_people(ctx)[0].id
    assert main(["people"]) == 0
    assert "Zoë Ñúñez" in capsys.readouterr().out
    assert main(["people", "current", str(pid)]) == 0
    assert people.current_user(ctx).id == pid
    assert main(["people", "edit", str(pid), "--title", "Senior caller"]) == 0
    assert people.get_person(ctx, pid).title == "Senior caller"
    assert main(["people", "retire", str(pid)]) == 0
    assert people.list_people(ctx) == []
    capsys.readouterr()
    assert main(["people", "list", "--all"]) == 0
    assert "retired" in capsys.readouterr().out
    assert main(["people", "unretire", str(pid)]) == 0

    assert main(["people", "add", " ", "--role", "caller"]) == 1
    assert "needs a name" in capsys.readouterr().err
    assert main(["people", "add", "Bo", "--role", "caller", "--email", "bad"]) == 1
    assert "'bad' does not look like an email" in capsys.readouterr().err
    assert main(["people", "retire", "999"]) == 1
    assert main(["people", "edit", str(pid)]) == 1
    with pytest.raises(SystemExit) as info:
        main(["people", "add", "Bo", "--role", "boss"])
    assert info.value.code == 2
