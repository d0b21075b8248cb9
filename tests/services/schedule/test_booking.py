"""Scheduling: stored times, double booking, rescheduling, the agenda and the Today view."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from sqlalchemy import select

from winback_desktop.cli.entry import main
from winback_desktop.services.calls import attempts
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.followups import board as followups
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Call, Customer


@pytest.fixture(autouse=True)
def keep_umask():
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


@pytest.fixture
def new_york():
    """Run in a zone with an offset (and DST), so local vs UTC mistakes show."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def make_customer(ctx, company: str, phone: str = "+44 20 0000 0000") -> int:
    with transaction(ctx.sessions) as s:
        c = Customer(company=company, contact_name=f"Contact of {company}", phone=phone, status="lapsed")
        s.add(c)
        s.flush()
        return c.id


@pytest.fixture
def team(ctx):
    return {
        "lead": people.add_person(ctx, "Lea Leader", "executive", email="lea@example.com"),
        "lead2": people.add_person(ctx, "Leo Leader", "executive"),
        "partner": people.add_person(ctx, "Pat Partner", "partner"),
        "partner2": people.add_person(ctx, "Pam Partner", "partner"),
    }


DAY = dt.date.today() + dt.timedelta(days=10)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    """A local wall-clock time, naive, as the UI passes it."""
    return dt.datetime.combine(day, dt.time(hour, minute))


def stored(ctx, call_id: int) -> Call:
    with ctx.sessions() as s:
        return s.get(Call, call_id)


# --- times ---------------------------------------------------------------------------------------


def test_local_and_aware_times_are_stored_as_naive_utc(ctx, team, new_york):
    cust = make_customer(ctx, "Harbour")
    winter = schedule.schedule_call(ctx, cust, dt.datetime(2030, 1, 15, 10, 0), 45, team["lead"])
    summer = schedule.schedule_call(ctx, cust, dt.datetime(2030, 7, 15, 10, 0), 30, team["lead"])
    aware = schedule.schedule_call(
        ctx, cust, dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))), 30, team["lead"]
    )
    assert stored(ctx, winter.call_id).scheduled_at == dt.datetime(2030, 1, 15, 15, 0)  # EST = UTC-5
    assert stored(ctx, summer.call_id).scheduled_at == dt.datetime(2030, 7, 15, 14, 0)  # EDT = UTC-4
    assert stored(ctx, aware.call_id).scheduled_at == dt.datetime(2030, 3, 1, 7, 0)
    call = stored(ctx, winter.call_id)
    assert (call.duration_minutes, call.status, call.caller_id) == (45, "scheduled", team["lead"])

    # the agenda hands out aware UTC, and local days are the user's days
    [item] = schedule.agenda(ctx, days=1, start=dt.date(2030, 1, 15))
    assert item.starts_at == dt.datetime(2030, 1, 15, 15, 0, tzinfo=dt.UTC)
    assert item.local_start.hour == 10 and item.ends_at - item.starts_at == dt.timedelta(minutes=45)
    # a call at 21:00 local on the 15th is the 16th in UTC, but still the 15th's agenda
    late = schedule.schedule_call(ctx, cust, dt.datetime(2030, 1, 15, 21, 0), 30, team["lead"])
    assert [i.call_id for i in schedule.agenda(ctx, days=1, start=dt.date(2030, 1, 15))] == [
        winter.call_id,
        late.call_id,
    ]
    assert schedule.agenda(ctx, days=1, start=dt.date(2030, 1, 16)) == []


def test_booking_is_checked(ctx, team):
    cust = make_customer(ctx, "Harbour")
    for minutes in (0, -5, schedule.MAX_MINUTES + 1, 2.5, True):
        with pytest.raises(ValueError, match="minutes"):
            schedule.schedule_call(ctx, cust, at(10), minutes, team["lead"])
    with pytest.raises(LookupError):
        schedule.schedule_call(ctx, 999, at(10), 30, team["lead"])
    with pytest.raises(LookupError):
        schedule.schedule_call(ctx, cust, at(10), 30, 999)
    with pytest.raises(ValueError, match="other than the leader"):
        schedule.schedule_call(ctx, cust, at(10), 30, team["lead"], team["lead"])
    people.retire_person(ctx, team["partner"])
    with pytest.raises(ValueError, match="retired"):
        schedule.schedule_call(ctx, cust, at(10), 30, team["lead"], team["partner"])
    with pytest.raises(LookupError):
        schedule.schedule_call(ctx, cust, at(10), 30, team["lead"], cycle_id=42)
    with ctx.sessions() as s:
        assert s.scalars(select(Call)).all() == []


# --- double booking ------------------------------------------------------------------------------


def test_double_booking_of_the_leader_is_warned_and_still_booked(ctx, team):
    a, b = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta")
    first = schedule.schedule_call(ctx, a, at(10), 30, team["lead"], team["partner"])
    assert first.conflicts == [] and not first.double_booked
    second = schedule.schedule_call(ctx, b, at(10, 15), 30, team["lead"])
    assert second.double_booked
    [c] = second.conflicts
    assert (c.call_id, c.person_id, c.role, c.company) == (first.call_id, team["lead"], "leader", "Alpha")
    assert c.starts_at == at(10).astimezone(dt.UTC) and c.minutes == 30
    assert "Lea Leader" in c.message and "Alpha" in c.message
    assert stored(ctx, second.call_id).status == "scheduled"  # booked anyway: the UI warns


def test_double_booking_of_the_partner_in_either_role(ctx, team):
    a, b, c = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta"), make_customer(ctx, "Gamma")
    first = schedule.schedule_call(ctx, a, at(14), 60, team["lead"], team["partner"])
    # the same partner with another leader
    second = schedule.schedule_call(ctx, b, at(14, 30), 30, team["lead2"], team["partner"])
    assert [(x.call_id, x.person_id, x.role) for x in second.conflicts] == [
        (first.call_id, team["partner"], "partner")
    ]
    # a person who partners one call and leads another is double booked too
    third = schedule.schedule_call(ctx, c, at(14, 45), 30, team["partner2"], team["lead2"])
    assert {(x.call_id, x.person_id, x.role) for x in third.conflicts} == {
        (second.call_id, team["lead2"], "leader")
    }


def test_back_to_back_and_other_people_are_no_conflict(ctx, team):
    a, b = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta")
    schedule.schedule_call(ctx, a, at(10), 30, team["lead"], team["partner"])
    assert schedule.schedule_call(ctx, b, at(10, 30), 30, team["lead"], team["partner"]).conflicts == []
    assert schedule.schedule_call(ctx, b, at(9, 30), 30, team["lead"], team["partner"]).conflicts == []
    assert schedule.schedule_call(ctx, b, at(10), 30, team["lead2"], team["partner2"]).conflicts == []
    assert schedule.find_conflicts(ctx, at(9, 59), 1, team["lead"]) != []
    assert schedule.find_conflicts(ctx, at(11), 30, team["lead"], team["partner"]) == []


def test_find_conflicts_writes_nothing_and_finished_calls_do_not_count(ctx, team):
    a, b = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta")
    booked = schedule.schedule_call(ctx, a, at(10), 30, team["lead"])
    found = schedule.find_conflicts(ctx, at(10, 10), 30, team["lead2"], team["lead"])
    assert [(x.call_id, x.person_id) for x in found] == [(booked.call_id, team["lead"])]
    with ctx.sessions() as s:
        assert len(s.scalars(select(Call)).all()) == 1
    # once the call has taken place it no longer holds anyone's time
    calls.start_call(ctx, a)
    calls.finish_call(ctx, booked.call_id)
    assert schedule.find_conflicts(ctx, at(10, 10), 30, team["lead"]) == []
    assert schedule.schedule_call(ctx, b, at(10, 10), 30, team["lead"]).conflicts == []


def test_reschedule_and_cancel(ctx, team):
    a, b = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta")
    first = schedule.schedule_call(ctx, a, at(10), 30, team["lead"])
    second = schedule.schedule_call(ctx, b, at(11), 30, team["lead"])
    moved = schedule.reschedule(ctx, second.call_id, at(11, 30), 45)
    assert moved.conflicts == []  # not in conflict with itself
    call = stored(ctx, second.call_id)
    assert (call.scheduled_at, call.duration_minutes) == (
        at(11, 30).astimezone(dt.UTC).replace(tzinfo=None),
        45,
    )
    clash = schedule.reschedule(ctx, second.call_id, at(9, 45))
    assert [x.call_id for x in clash.conflicts] == [first.call_id]
    assert stored(ctx, second.call_id).duration_minutes == 45

    schedule.cancel_scheduled(ctx, second.call_id)
    assert stored(ctx, second.call_id) is None
    with pytest.raises(LookupError):
        schedule.reschedule(ctx, second.call_id, at(12))
    calls.start_call(ctx, a)
    with pytest.raises(ValueError, match="in progress"):
        schedule.cancel_scheduled(ctx, first.call_id)
    with pytest.raises(ValueError, match="in progress"):
        schedule.reschedule(ctx, first.call_id, at(12))


# --- agenda and today ----------------------------------------------------------------------------


def test_agenda_window_person_and_order(ctx, team):
    a, b, c = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta"), make_customer(ctx, "Gamma")
    start = DAY
    x = schedule.schedule_call(ctx, a, at(15, day=start), 30, team["lead"], team["partner"]).call_id
    y = schedule.schedule_call(ctx, b, at(9, day=start + dt.timedelta(days=2)), 30, team["lead2"]).call_id
    schedule.schedule_call(ctx, c, at(9, day=start + dt.timedelta(days=3)), 30, team["lead"])  # after
    schedule.schedule_call(ctx, c, at(23, day=start - dt.timedelta(days=1)), 30, team["lead"])  # before
    z = schedule.schedule_call(ctx, c, at(8, day=start), 30, team["lead2"], team["partner"]).call_id
    items = schedule.agenda(ctx, days=3, start=start)
    assert [i.call_id for i in items] == [z, x, y]
    assert [i.call_id for i in schedule.agenda(ctx, days=3, start=start, person_id=team["partner"])] == [z, x]
    first = items[1]
    assert (first.company, first.leader_name, first.leader_email, first.partner_name) == (
        "Alpha",
        "Lea Leader",
        "lea@example.com",
        "Pat Partner",
    )
    assert first.purpose == schedule.CALL_PURPOSE
    with pytest.raises(ValueError):
        schedule.agenda(ctx, days=0)


def test_today_view(ctx, team):
    me, other = team["lead"], team["lead2"]
    a, b, c, d = (make_customer(ctx, n) for n in ("Alpha", "Beta", "Gamma", "Delta"))
    mine_lead = schedule.schedule_call(ctx, a, at(9), 30, me, team["partner"]).call_id
    mine_partner = schedule.schedule_call(ctx, b, at(11), 30, other, me).call_id
    schedule.schedule_call(ctx, c, at(12), 30, other)  # not mine
    schedule.schedule_call(ctx, d, at(9, day=DAY + dt.timedelta(days=1)), 30, me)  # another day

    done_call = calls.start_call(ctx, d, me)
    overdue = calls.add_action(ctx, done_call, "Send the plan", me, DAY - dt.timedelta(days=3))
    due_today = calls.add_action(ctx, done_call, "Call the driver", me, DAY)
    calls.add_action(ctx, done_call, "Later", me, DAY + dt.timedelta(days=1))
    calls.add_action(ctx, done_call, "Someone else's", other, DAY - dt.timedelta(days=3))
    finished = calls.add_action(ctx, done_call, "Done already", me, DAY - dt.timedelta(days=5))
    followups.mark_done(ctx, finished)
    calls.finish_call(ctx, done_call)

    view = schedule.today(ctx, me, DAY)
    assert [i.call_id for i in view.calls] == [mine_lead, mine_partner]
    assert [(o.action_id, o.days_overdue) for o in view.overdue] == [(overdue, 3)]
    assert [o.action_id for o in view.due_today] == [due_today]
    assert view.overdue[0].company == "Delta" and view.overdue[0].what == "Send the plan"
    assert view.call_backs == []
    assert not view.empty
    assert schedule.today(ctx, team["partner2"], DAY).empty
    with pytest.raises(LookupError):
        schedule.today(ctx, 999, DAY)


def test_call_backs_in_today_until_done(ctx, team):
    me = team["lead"]
    a, b, c = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta"), make_customer(ctx, "Gamma")
    r = attempts.log_attempt(ctx, a, "call_back", me, note="after lunch", call_back_at=at(14))
    attempts.log_attempt(ctx, b, "call_back", me, call_back_at=at(9, day=DAY + dt.timedelta(days=1)))
    attempts.log_attempt(ctx, c, "call_back", me, call_back_at=at(8, day=DAY - dt.timedelta(days=2)))

    view = schedule.today(ctx, me, DAY)
    assert [cb.customer_id for cb in view.call_backs] == [c, a]  # due earlier first; tomorrow's not yet
    alpha = view.call_backs[1]
    assert (alpha.note, alpha.call_id, alpha.company) == ("after lunch", r.call_back.call_id, "Alpha")
    assert alpha.call_back_at == at(14).astimezone(dt.UTC)
    # it is on the schedule too, marked as a call-back
    [booked] = [i for i in view.calls if i.call_id == r.call_back.call_id]
    assert booked.from_call_back
    assert [cb.customer_id for cb in schedule.today(ctx, me, DAY + dt.timedelta(days=1)).call_backs] == [
        c,
        a,
        b,
    ]
    assert schedule.today(ctx, team["lead2"], DAY).call_backs == []

    # done: a completed call after it; superseded: a later attempt
    call = calls.start_call(ctx, a, me)
    calls.finish_call(ctx, call)
    attempts.log_attempt(ctx, c, "no_answer", me)
    assert schedule.today(ctx, me, DAY).call_backs == []


def test_today_cli(ctx, team, capsys):
    cust = make_customer(ctx, "Alpha")
    schedule.schedule_call(ctx, cust, at(9), 30, team["lead"])
    attempts.log_attempt(ctx, cust, "no_answer", team["lead"])
    for _ in range(2):
        attempts.log_attempt(ctx, cust, "no_answer", team["lead"])
    left_open = calls.start_call(ctx, make_customer(ctx, "Beta"), team["lead2"])
    # no one at this desk: what the team shares, and how to say who is here
    assert main(["today", "--date", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "No current user" in out and "winback people current ID" in out
    assert "Needs a decision" in out and "Alpha" in out.split("Needs a decision")[1]
    assert "Calls left open" in out and "Beta" in out and str(left_open) in out
    people.set_current_user(ctx, team["lead"])
    assert main(["today", "--date", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Lea Leader" in out and "Alpha" in out and "09:00" in out
    for part in (
        "Follow-ups overdue",
        "My calls",
        "Call-backs due",
        "Calls left open",
        "Follow-ups due today",
    ):
        assert part in out
    assert out.index("Follow-ups overdue") < out.index("My calls")  # overdue first, as on Today
    # the coming bookings: seen from the day before
    assert main(["today", "--date", (DAY - dt.timedelta(days=1)).isoformat()]) == 0
    coming = capsys.readouterr().out.split("Booked in the next 7 days")[1]
    assert "Alpha" in coming
    assert main(["today", "--person", str(team["partner"])]) == 0
    assert main(["today", "--person", "999"]) == 1
    with pytest.raises(SystemExit) as info:
        main(["today", "--date", "tomorrow"])
    assert info.value.code == 2
