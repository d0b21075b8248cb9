"""What a write changed is told once, after it committed, to the listeners of its database."""

from __future__ import annotations

import pytest

from tests.helpers.imports import write_csv
from winback_desktop.services import roster, settings
from winback_desktop.services.changes import EVERYTHING, Change, Changes, reports
from winback_desktop.services.followups import board as followups
from winback_desktop.services.imports.importer import import_customers
from winback_desktop.services.people import team as people


@pytest.fixture
def heard(ctx):
    told: list[frozenset[Change]] = []
    ctx.changes.subscribe(told.append)
    return told


def test_nested_reports_fold_into_one_told_when_the_outermost_ends():
    hub, told = Changes(), []
    hub.subscribe(told.append)
    with hub.batch():
        hub.report(Change.CUSTOMERS)
        with hub.batch():
            hub.report(Change.PEOPLE)
        assert told == []
    assert told == [frozenset({Change.CUSTOMERS, Change.PEOPLE})]
    hub.unsubscribe(told.append)
    hub.report(Change.CYCLES)
    assert len(told) == 1


def test_a_failing_listener_does_not_silence_the_others():
    hub, told = Changes(), []

    def broken(_kinds):
        raise RuntimeError("a bug in a screen")

    hub.subscribe(broken)
    hub.subscribe(told.append)
    with pytest.raises(RuntimeError):
        hub.report(Change.NOTES)
    assert told == [frozenset({Change.NOTES})]


def test_a_service_reports_after_its_commit_and_once_with_what_it_nested(ctx, heard, tmp_path):
    seen = []
    ctx.changes.subscribe(lambda _kinds: seen.append(settings.company_name(ctx)))
    settings.set_company_name(ctx, "Acme")
    assert heard == [frozenset({Change.SETTINGS})] and seen == ["Acme"]  # committed when told

    heard.clear()
    pid = people.add_person(ctx, "Dana", "executive")
    people.set_current_user(ctx, pid)  # who is here: the desk's own, told as a people change
    assert heard == [frozenset({Change.PEOPLE}), frozenset({Change.PEOPLE})]

    heard.clear()
    csv = write_csv(tmp_path / "c.csv", [["Customer ID", "Company"], ["C1", "Acme Foods"]])
    import_customers(ctx, csv)  # remembers its column mapping inside: one report of both
    assert heard == [frozenset({Change.CUSTOMERS, Change.SETTINGS})]


def test_a_refused_change_reports_nothing(demo_ctx):
    told = []
    demo_ctx.changes.subscribe(told.append)
    with pytest.raises(LookupError):
        followups.mark_done(demo_ctx, 10_000)
    with pytest.raises(ValueError):
        roster.decide(demo_ctx, 1, "let_go")  # a reason is needed
    assert told == []
    roster.decide(demo_ctx, 1, "let_go", "always disputes invoices")
    roster.decide(demo_ctx, 1, "pursue")  # rescores inside: still one report
    assert told == [frozenset({Change.CUSTOMERS})] * 2


def test_sample_data_reports_everything_once(ctx, heard):
    from winback_desktop.services.demo import load_demo

    load_demo(ctx)
    assert heard == [EVERYTHING]


def test_reports_keeps_the_function_and_its_result(ctx, heard):
    @reports(Change.CYCLES)
    def make(ctx, n: int) -> int:
        """Doc."""
        return n * 2

    assert make(ctx, 21) == 42 and make.__doc__ == "Doc." and make.__name__ == "make"
    assert heard == [frozenset({Change.CYCLES})]
