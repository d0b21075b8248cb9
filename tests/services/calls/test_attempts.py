"""Attempts: dispositions, wrong numbers, call-backs on the schedule, the flag for a decision."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from winback_desktop.services import roster
from winback_desktop.services.calls import attempts
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.cycles import rescue as cycles
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Call, CallAttempt, Customer

NOW = dt.datetime.now().replace(microsecond=0)


def make_customer(ctx, company: str, decision: str = "pursue") -> int:
    with transaction(ctx.sessions) as s:
        c = Customer(company=company, status="lapsed", decision=decision, priority=50.0)
        s.add(c)
        s.flush()
        return c.id


def customer(ctx, customer_id: int) -> Customer:
    with ctx.sessions() as s:
        return s.get(Customer, customer_id)


@pytest.fixture
def team(ctx):
    return {
        "exec": people.add_person(ctx, "Eve Exec", "executive"),
        "partner": people.add_person(ctx, "Pat Partner", "partner"),
        "caller": people.add_person(ctx, "Cal Caller", "caller"),
    }


def test_attempts_are_checked(ctx, team):
    a, b = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta")
    with pytest.raises(ValueError, match="disposition"):
        attempts.log_attempt(ctx, a, "busy", team["caller"])
    with pytest.raises(ValueError, match="date and time"):
        attempts.log_attempt(ctx, a, "call_back", team["caller"])
    with pytest.raises(ValueError, match="only a call-back"):
        attempts.log_attempt(ctx, a, "no_answer", team["caller"], call_back_at=NOW)
    with pytest.raises(LookupError):
        attempts.log_attempt(ctx, 999, "no_answer")
    with pytest.raises(LookupError):
        attempts.log_attempt(ctx, a, "no_answer", person_id=999)
    other = calls.start_call(ctx, b, team["caller"])
    with pytest.raises(ValueError, match="another customer"):
        attempts.log_attempt(ctx, a, "no_answer", team["caller"], call_id=other)
    assert attempts.attempts_for(ctx, a) == []


def test_history_newest_first(ctx, team):
    a = make_customer(ctx, "Alpha")
    attempts.log_attempt(ctx, a, "no_answer", team["caller"], at=NOW - dt.timedelta(days=2))
    attempts.log_attempt(
        ctx, a, "voicemail", team["caller"], note="left a message", at=NOW - dt.timedelta(days=1)
    )
    attempts.log_attempt(ctx, a, "reached", None)
    history = attempts.attempts_for(ctx, a)
    assert [h.disposition for h in history] == ["reached", "voicemail", "no_answer"]
    assert [h.label for h in history] == ["Reached", "Voicemail left", "No answer"]
    assert history[1].note == "left a message" and history[1].person_name == "Cal Caller"
    assert history[1].attempted_at == (NOW - dt.timedelta(days=1)).astimezone(dt.UTC)
    assert history[0].person_id is None and history[0].person_name == ""


def test_wrong_number_raises_verify_contact(ctx, team):
    a = make_customer(ctx, "Alpha")
    result = attempts.log_attempt(ctx, a, "wrong_number", team["caller"])
    assert result.verify_contact_flagged and customer(ctx, a).verify_contact
    [row] = roster.roster_page(ctx, text="Alpha")
    assert row.verify_contact
    b = make_customer(ctx, "Beta")
    assert not attempts.log_attempt(ctx, b, "no_answer", team["caller"]).verify_contact_flagged
    assert not customer(ctx, b).verify_contact


def test_call_back_lands_on_the_schedule_with_the_cycle_partner(ctx, team):
    a = make_customer(ctx, "Alpha")
    today = dt.date.today()
    cid = cycles.create_cycle(ctx, "Now", today, today + dt.timedelta(days=30), 1)
    cycles.fill_cycle(ctx, cid, [(team["exec"], team["partner"])], [])
    when = dt.datetime.combine(today + dt.timedelta(days=2), dt.time(15, 30))
    result = attempts.log_attempt(ctx, a, "call_back", team["exec"], note="in a meeting", call_back_at=when)
    assert result.call_back is not None and result.call_back.conflicts == []
    with ctx.sessions() as s:
        call = s.get(Call, result.call_back.call_id)
        assert (call.status, call.caller_id, call.partner_id, call.cycle_id) == (
            "scheduled",
            team["exec"],
            team["partner"],
            cid,
        )
        assert call.scheduled_at == when.astimezone(dt.UTC).replace(tzinfo=None)
    [item] = schedule.agenda(ctx, days=7, person_id=team["exec"])
    assert item.call_id == result.call_back.call_id and item.from_call_back
    view = schedule.today(ctx, team["exec"], when.date())
    assert [cb.call_id for cb in view.call_backs] == [result.call_back.call_id]
    assert [c.call_id for c in view.calls] == [result.call_back.call_id]
    assert result.failed_in_row == 0 and not result.flag_for_decision


def test_call_back_takes_the_partner_of_the_latest_call_and_warns_of_double_booking(ctx, team):
    a, b = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta")
    earlier = calls.start_call(ctx, a, team["caller"], team["partner"])
    calls.finish_call(ctx, earlier)
    when = NOW + dt.timedelta(days=1)
    busy = schedule.schedule_call(ctx, b, when, 30, team["caller"]).call_id
    result = attempts.log_attempt(ctx, a, "call_back", team["caller"], call_back_at=when)
    with ctx.sessions() as s:
        call = s.get(Call, result.call_back.call_id)
        assert (call.caller_id, call.partner_id, call.cycle_id) == (team["caller"], team["partner"], None)
    assert [c.call_id for c in result.call_back.conflicts] == [busy]


def test_call_back_on_a_booked_call_moves_it(ctx, team):
    a = make_customer(ctx, "Alpha")
    booked = schedule.schedule_call(ctx, a, NOW + dt.timedelta(hours=2), 30, team["exec"], team["partner"])
    later = NOW + dt.timedelta(days=3)
    result = attempts.log_attempt(
        ctx, a, "call_back", team["exec"], call_id=booked.call_id, call_back_at=later
    )
    assert result.call_back.call_id == booked.call_id
    with ctx.sessions() as s:
        assert len(s.scalars(select(Call).where(Call.customer_id == a)).all()) == 1
        assert s.get(Call, booked.call_id).scheduled_at == later.astimezone(dt.UTC).replace(tzinfo=None)
        [attempt] = s.scalars(select(CallAttempt)).all()
        assert attempt.call_id == booked.call_id


def test_call_back_needs_someone_to_make_it(ctx):
    a = make_customer(ctx, "Alpha")
    with pytest.raises(ValueError, match="who will call"):
        attempts.log_attempt(ctx, a, "call_back", call_back_at=NOW + dt.timedelta(days=1))
    assert attempts.attempts_for(ctx, a) == []  # all or nothing


def test_three_failures_in_a_row_flag_for_a_decision(ctx, team):
    a, b = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta")
    results = [
        attempts.log_attempt(ctx, a, d, team["caller"], at=NOW - dt.timedelta(hours=10 - i))
        for i, d in enumerate(["no_answer", "voicemail"])
    ]
    assert [r.failed_in_row for r in results] == [1, 2]
    assert not any(r.flag_for_decision for r in results)
    assert attempts.needs_decision(ctx) == []
    third = attempts.log_attempt(ctx, a, "wrong_number", team["caller"], at=NOW - dt.timedelta(hours=5))
    assert third.failed_in_row == attempts.DECISION_THRESHOLD and third.flag_for_decision
    [flag] = attempts.needs_decision(ctx)
    assert (flag.customer_id, flag.failed_in_row, flag.decision, flag.verify_contact) == (
        a,
        3,
        "pursue",
        True,
    )
    assert flag.last_attempt_at == (NOW - dt.timedelta(hours=5)).astimezone(dt.UTC)
    assert customer(ctx, a).decision == "pursue"  # never changed automatically
    # two failures elsewhere do not count
    for _ in range(2):
        attempts.log_attempt(ctx, b, "no_answer", team["caller"])
    assert [f.customer_id for f in attempts.needs_decision(ctx)] == [a]

    # a reached attempt resets the run
    reset = attempts.log_attempt(ctx, a, "reached", team["caller"], at=NOW - dt.timedelta(hours=4))
    assert reset.failed_in_row == 0 and not reset.flag_for_decision
    assert attempts.needs_decision(ctx) == []
    r = None
    for i in range(3):
        r = attempts.log_attempt(ctx, a, "no_answer", team["caller"], at=NOW - dt.timedelta(hours=3 - i))
    assert r.flag_for_decision and attempts.failed_in_row(ctx, a) == 3


def test_completed_call_or_a_decision_ends_the_run(ctx, team):
    a, b, c = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta"), make_customer(ctx, "Gamma")
    for cust in (a, b, c):
        for i in range(3):
            attempts.log_attempt(ctx, cust, "no_answer", team["caller"], at=NOW - dt.timedelta(hours=5 - i))
    assert {f.customer_id for f in attempts.needs_decision(ctx)} == {a, b, c}
    call = calls.start_call(ctx, a, team["caller"])
    calls.finish_call(ctx, call)
    roster.decide(ctx, b, "pursue")  # decided again after the failures: keep trying
    roster.decide(ctx, c, "let_go", "never answers")
    assert attempts.needs_decision(ctx) == []
    again = attempts.log_attempt(ctx, b, "no_answer", team["caller"])
    assert again.failed_in_row == 1


def test_a_call_back_breaks_the_run(ctx, team):
    a = make_customer(ctx, "Alpha")
    for i, d in enumerate(["no_answer", "no_answer", "call_back", "no_answer"]):
        extra = {"call_back_at": NOW + dt.timedelta(days=1)} if d == "call_back" else {}
        r = attempts.log_attempt(ctx, a, d, team["caller"], at=NOW - dt.timedelta(hours=5 - i), **extra)
    assert r.failed_in_row == 1 and not r.flag_for_decision
