"""The sample data: realistic, current, made through the real services, loaded only once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from winback_desktop.services import roster, settings
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.demo import DemoSummary, load_demo
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking
from winback_desktop.services.vocab import Role
from winback_desktop.store.models import (
    ActionItem,
    Call,
    CallOffer,
    CallReason,
    Customer,
    Person,
    Setting,
    StageAnswer,
    utcnow,
)

TABLES = (Customer, Person, Call, StageAnswer, CallReason, CallOffer, ActionItem)


def counts(ctx) -> dict[str, int]:
    with ctx.sessions() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in TABLES}


def all_calls(ctx) -> list[Call]:
    with ctx.sessions() as s:
        return list(s.scalars(select(Call).order_by(Call.id)))


def test_summary_matches_what_was_loaded(ctx):
    summary = load_demo(ctx)
    assert isinstance(summary, DemoSummary)
    n = counts(ctx)
    assert 45 <= summary.customers == n["customers"] <= 60
    assert summary.people == n["people"] == 7
    assert summary.action_items == n["action_items"] >= 10
    assert summary.completed_calls + summary.scheduled_calls == n["calls"]
    assert str(summary) == (
        f"Loaded sample data: {summary.customers} customers, 7 people, {summary.completed_calls} "
        f"completed calls, {summary.scheduled_calls} scheduled calls, {summary.action_items} action items."
    )


def test_people_have_the_three_roles(demo_ctx):
    by_role = {role: people.list_people(demo_ctx, role) for role in Role}
    assert len(by_role["executive"]) == 2
    assert len(by_role["caller"]) == 3
    assert len(by_role["partner"]) == 2
    assert all(p.title for group in by_role.values() for p in group)
    assert any("Officer" in p.title for p in by_role["executive"])


def test_customers_look_real(demo_ctx):
    rows = roster.roster_page(demo_ctx)
    today = dt.date.today()
    for row in rows:
        assert row.company and row.contact_name and row.phone and row.external_id
        assert row.value_lost > 0
        months = (today.year - row.last_purchase.year) * 12 + today.month - row.last_purchase.month
        assert 6 <= months <= 30, (row.company, row.last_purchase)
    assert len({r.value_lost for r in rows}) > 30  # varied
    assert max(r.value_lost for r in rows) >= 200_000  # a few large ones
    ids = {r.external_id for r in rows}
    assert {"00586", "00004", "00034"} <= ids  # leading zeros kept: ids are text
    assert any(r.company == "Großmann Feinkost GmbH" for r in rows)
    # Accented names are found by a case-insensitive search.
    assert [r.company for r in roster.roster_page(demo_ctx, text="GROSSMANN")] == ["Großmann Feinkost GmbH"]
    assert [r.company for r in roster.roster_page(demo_ctx, text="café lumière")] == ["Café Lumière"]
    with demo_ctx.sessions() as s:
        segments = set(s.scalars(select(Customer.segment)))
    assert {"Wholesale", "Retail", "Hospitality"} <= segments


def test_completed_calls_are_complete_and_in_the_past(demo_ctx):
    completed = [c for c in all_calls(demo_ctx) if c.status == "completed"]
    assert 5 <= len(completed) <= 8
    now = utcnow()
    outcomes = set()
    for call in completed:
        d = calls.detail(demo_ctx, call.id)
        assert d.caller is not None and d.partner is not None
        assert d.started_at < d.ended_at < now
        assert d.started_at.date() < dt.date.today()
        for key in ("what_happened", "their_story", "heard_back", "fault", "what_it_takes"):
            assert len(d.answers.get(key, "")) > 20, (d.customer.company, key)
        assert d.primary_reason is not None
        assert d.offers
        assert d.actions and all(a.owner_name and a.due_date for a in d.actions)
        assert d.accepts_help and d.customer_answer and d.outcome
        assert d.keep_in_touch is not None
        assert d.current_stage == "close"
        assert d.script_name and d.script_version
        outcomes.add(d.outcome)
    assert {"won_back", "open_door", "never_again"} <= outcomes
    won = {c.customer_id for c in completed if c.outcome == "won_back"}
    with demo_ctx.sessions() as s:
        assert set(s.scalars(select(Customer.id).where(Customer.status == "won_back"))) == won


def test_action_items_done_open_and_one_overdue(demo_ctx):
    today = dt.date.today()
    with demo_ctx.sessions() as s:
        items = list(s.scalars(select(ActionItem)))
    done = [a for a in items if a.status == "done"]
    still_open = [a for a in items if a.status == "open"]
    assert done and still_open
    assert all(a.done_note and a.done_at and a.done_at <= utcnow() for a in done)
    overdue = [a for a in still_open if a.due_date < today]
    assert len(overdue) == 1


def test_scheduled_calls_are_in_the_coming_days(demo_ctx):
    scheduled = [c for c in all_calls(demo_ctx) if c.status == "scheduled"]
    assert 4 <= len(scheduled) <= 6
    now = utcnow()
    for call in scheduled:
        assert now < call.scheduled_at < now + dt.timedelta(days=10)
        assert call.caller_id is not None and call.started_at is None
    with demo_ctx.sessions() as s:
        roles = dict(s.execute(select(Person.id, Person.role)).all())
    exec_calls = [c for c in scheduled if roles[c.caller_id] == "executive"]
    assert exec_calls and all(c.partner_id and roles[c.partner_id] == "partner" for c in exec_calls)
    assert any(roles[c.caller_id] == "caller" for c in scheduled)


def test_dates_follow_the_day_of_loading(ctx):
    today = dt.date(2030, 3, 15)  # a Friday
    load_demo(ctx, today=today)
    with ctx.sessions() as s:
        purchases = list(s.scalars(select(Customer.last_purchase)))
        booked = list(s.scalars(select(Call.scheduled_at).where(Call.status == "scheduled")))
    assert all(dt.date(2027, 9, 1) <= d <= dt.date(2029, 9, 15) for d in purchases)
    assert all(b.date() > today for b in booked)
    # Booked on weekdays only (local time): Friday + 1 day lands on Monday.
    assert all(b.replace(tzinfo=dt.UTC).astimezone().weekday() < 5 for b in booked)


def test_second_load_refuses_and_changes_nothing(demo_ctx):
    before = counts(demo_ctx)
    with pytest.raises(ValueError, match=r"already has 50 customers; sample data loads only into an empty"):
        load_demo(demo_ctx)
    assert counts(demo_ctx) == before


def test_sets_our_company_name_only_when_unset(ctx):
    settings.set_company_name(ctx, "Acme Foods")
    load_demo(ctx)
    assert settings.company_name(ctx) == "Acme Foods"


def test_company_name_set_on_a_fresh_database(demo_ctx):
    with demo_ctx.sessions() as s:
        assert s.get(Setting, "company_name").value == "Brightwater Provisions"


def test_a_failed_load_leaves_the_database_empty(ctx, monkeypatch):
    people_before = people.add_person(ctx, "Existing Person", "caller")

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(booking, "schedule_call", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        load_demo(ctx)
    n = counts(ctx)
    assert n["customers"] == n["calls"] == n["action_items"] == n["stage_answers"] == 0
    assert [p.id for p in people.list_people(ctx)] == [people_before]
    monkeypatch.undo()
    assert load_demo(ctx).customers == 50  # and it can be loaded afterwards


def test_cli_demo(tmp_path, capsys):
    from winback_desktop.cli.entry import main

    d = str(tmp_path / "cli-data")
    assert main(["--data-dir", d, "demo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Loaded sample data: 50 customers, 7 people")
