"""NotFound: one error for a missing row, a LookupError with the messages the services always gave."""

from __future__ import annotations

import datetime as dt

import pytest

from winback_desktop.services import roster
from winback_desktop.services.calls import attempts
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.cycles import rescue as cycles
from winback_desktop.services.errors import NotFound, get_or_raise, what_of
from winback_desktop.services.followups import board
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import ActionItem, Call, Customer, Person, RescueCycle


def test_not_found_is_a_lookup_error_with_the_usual_message():
    err = NotFound("call", 7)
    assert isinstance(err, LookupError)
    assert str(err) == "no call with id 7"
    assert (err.what, err.id, err.detail) == ("call", 7, "")
    assert str(NotFound("person", 3, "the call's partner")) == "no person with id 3 (the call's partner)"
    with pytest.raises(LookupError, match="^no customer with id 1$"):
        raise NotFound("customer", 1)


@pytest.mark.parametrize(
    ("model", "what"),
    [
        (Customer, "customer"),
        (Person, "person"),
        (Call, "call"),
        (ActionItem, "action item"),
        (RescueCycle, "rescue cycle"),
    ],
)
def test_a_model_is_named_in_words(model, what):
    assert what_of(model) == what


def test_get_or_raise_returns_the_row_or_names_it(ctx):
    person_id = people.add_person(ctx, "Ada Caller", "caller")
    with ctx.sessions() as s:
        assert get_or_raise(s, Person, person_id).name == "Ada Caller"
        with pytest.raises(NotFound, match="^no person with id 999$"):
            get_or_raise(s, Person, 999)
        with pytest.raises(NotFound, match="^no rescue cycle with id 5$"):
            get_or_raise(s, RescueCycle, 5)
        with pytest.raises(NotFound, match="^no cycle with id 5$"):
            get_or_raise(s, RescueCycle, 5, what="cycle")


def test_the_services_messages_are_unchanged(ctx):
    cases = [
        (lambda: calls.detail(ctx, 41), "no call with id 41"),
        (lambda: calls.start_call(ctx, 42), "no customer with id 42"),
        (lambda: roster.decide(ctx, 43, "pursue"), "no customer with id 43"),
        (lambda: roster.flag_verify_contact(ctx, 44), "no customer with id 44"),
        (lambda: roster.rescore(ctx, 45), "no customer with id 45"),
        (lambda: board.get(ctx, 46), "no action item with id 46"),
        (lambda: board.mark_done(ctx, 47), "no action item with id 47"),
        (lambda: board.board(ctx, owner_id=48), "no person with id 48"),
        (lambda: people.get_person(ctx, 49), "no person with id 49"),
        (lambda: cycles.get_cycle(ctx, 50), "no rescue cycle with id 50"),
        (lambda: cycles.close_cycle(ctx, 51), "no rescue cycle with id 51"),
        (lambda: attempts.log_attempt(ctx, 52, "no_answer"), "no customer with id 52"),
        (lambda: schedule.reschedule(ctx, 53, dt.datetime(2030, 1, 1, 10)), "no call with id 53"),
    ]
    for run, message in cases:
        with pytest.raises(LookupError) as info:
            run()
        assert isinstance(info.value, NotFound)
        assert str(info.value) == message


def test_booking_says_which_person_is_missing(ctx):
    lead = people.add_person(ctx, "Lea Lead", "executive")
    with transaction(ctx.sessions) as s:
        c = Customer(company="Acme")
        s.add(c)
        s.flush()
        customer = c.id
    when = dt.datetime(2030, 1, 7, 10)
    with pytest.raises(NotFound, match=r"^no person with id 999 \(the call's partner\)$"):
        schedule.schedule_call(ctx, customer, when, 30, lead, 999)
    with pytest.raises(NotFound, match=r"^no person with id 998 \(the call's leader\)$"):
        schedule.schedule_call(ctx, customer, when, 30, 998)
