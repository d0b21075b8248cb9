"""Starting a call with a customer whose call is booked: a booking for other people is never
taken over silently (``lifecycle.start_call`` and ``booking.held_by_others``)."""

from __future__ import annotations

import pytest

from tests.services.schedule.test_booking import at, make_customer, stored, team  # noqa: F401
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.schedule import booking as schedule


def test_a_booking_for_others_is_refused_without_a_choice_and_left_as_booked(ctx, team):  # noqa: F811
    cust = make_customer(ctx, "Alpha")
    booked = schedule.schedule_call(ctx, cust, at(10), 30, team["lead"], team["partner"])
    with pytest.raises(calls.BookedByOthers, match="Lea Leader and Pat Partner") as raised:
        calls.start_call(ctx, cust, team["lead2"], team["partner2"])
    assert raised.value.booking.call_id == booked.call_id
    call = stored(ctx, booked.call_id)
    assert (call.status, call.caller_id, call.partner_id) == ("scheduled", team["lead"], team["partner"])


def test_a_separate_call_leaves_the_booking_with_its_people(ctx, team):  # noqa: F811
    cust = make_customer(ctx, "Alpha")
    booked = schedule.schedule_call(ctx, cust, at(10), 30, team["lead"], team["partner"])
    mine = calls.start_call(ctx, cust, team["lead2"], team["partner2"], booked=calls.Booked.SEPARATE)
    assert mine != booked.call_id
    assert (stored(ctx, mine).caller_id, stored(ctx, mine).partner_id) == (team["lead2"], team["partner2"])
    call = stored(ctx, booked.call_id)
    assert (call.status, call.caller_id, call.partner_id) == ("scheduled", team["lead"], team["partner"])
    # the separate call is resumed next time, without asking again and without the booking
    assert calls.start_call(ctx, cust, team["lead2"], team["partner2"]) == mine
    assert stored(ctx, booked.call_id).status == "scheduled"


def test_taking_the_booking_makes_it_the_callers(ctx, team):  # noqa: F811
    cust = make_customer(ctx, "Alpha")
    booked = schedule.schedule_call(ctx, cust, at(10), 30, team["lead"], team["partner"])
    taken = calls.start_call(ctx, cust, team["lead2"], team["partner2"], booked=calls.Booked.TAKE)
    assert taken == booked.call_id
    call = stored(ctx, taken)
    assert (call.status, call.caller_id, call.partner_id) == ("in_progress", team["lead2"], team["partner2"])


def test_own_booking_or_none_named_starts_it_as_booked(ctx, team):  # noqa: F811
    a, b = make_customer(ctx, "Alpha"), make_customer(ctx, "Beta")
    mine = schedule.schedule_call(ctx, a, at(10), 30, team["lead"])
    # the leader with a partner the booking did not have: it is theirs, the partner joins
    assert calls.start_call(ctx, a, team["lead"], team["partner"]) == mine.call_id
    assert (stored(ctx, mine.call_id).caller_id, stored(ctx, mine.call_id).partner_id) == (
        team["lead"],
        team["partner"],
    )
    theirs = schedule.schedule_call(ctx, b, at(12), 30, team["lead2"], team["partner2"])
    assert calls.start_call(ctx, b) == theirs.call_id  # from Today: as booked
    call = stored(ctx, theirs.call_id)
    assert (call.status, call.caller_id, call.partner_id) == ("in_progress", team["lead2"], team["partner2"])


def test_resuming_a_call_keeps_its_people(ctx, team):  # noqa: F811
    cust = make_customer(ctx, "Alpha")
    started = calls.start_call(ctx, cust, team["lead"], team["partner"])
    assert calls.start_call(ctx, cust, team["lead2"], team["partner2"]) == started
    call = stored(ctx, started)
    assert (call.caller_id, call.partner_id) == (team["lead"], team["partner"])
