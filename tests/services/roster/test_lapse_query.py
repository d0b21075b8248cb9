"""The lapse rule's "not won back since" as an uncorrelated NOT IN: the same customers as the
correlated NOT EXISTS it replaced, over random purchase dates and calls (hypothesis), on the
database the suite runs on (SQLite, or PostgreSQL with WINBACK_TEST_DATABASE_URL); on PostgreSQL
the won-back customers are read once into a hashed subplan, never a loop per customer."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import ColumnElement, and_, delete, exists, select, text

from tests.helpers.roster import add_customer, add_won_back_call
from tests.helpers.test_database import server_url
from winback_desktop.services import roster
from winback_desktop.services.roster import rules
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Call, Customer

D = dt.date
START = D(2023, 1, 1)
days = st.integers(0, 400).map(lambda n: START + dt.timedelta(days=n))
moments = st.builds(
    lambda day, minute: dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute),
    days,
    st.integers(0, 24 * 60 - 1),
)
calls = st.tuples(
    st.sampled_from(["completed", "in_progress", "abandoned"]),
    st.sampled_from(["won_back", "not_now", ""]),
    moments,
    st.booleans(),  # ended (else only started)
)
customers = st.lists(
    st.tuples(st.one_of(st.none(), days), st.lists(calls, max_size=3)), min_size=1, max_size=8
)


def old_lapsed(r: rules.Rule) -> ColumnElement[bool]:
    """The rule as it was written before (a correlated NOT EXISTS), to compare against."""
    last = rules.last_purchase_as_of(r)
    if not r.win_backs:
        return last < r.cutoff
    won = rules._won_back(r.cutoff, r.as_of)
    return and_(last < r.cutoff, ~exists().where(Call.customer_id == Customer.id, won))


def _fill(ctx, drawn) -> None:
    with transaction(ctx.sessions) as s:
        s.execute(delete(Call))
        s.execute(delete(Customer))
    for n, (last, its_calls) in enumerate(drawn):
        cid = add_customer(ctx, f"C{n}", last=last)
        one_open = False
        for status, outcome, when, ended in its_calls:
            if status == "in_progress":  # at most one call in progress per customer (0008)
                if one_open:
                    continue
                one_open = True
            call = add_won_back_call(ctx, cid, when)
            with transaction(ctx.sessions) as s:
                c = s.get_one(Call, call)
                c.status, c.outcome = status, outcome
                c.ended_at = when if ended else None
                c.started_at = when - dt.timedelta(minutes=20) if ended else when


def _ids(ctx, where: ColumnElement[bool]) -> set[int]:
    with ctx.sessions() as s:
        return set(s.scalars(select(Customer.id).where(where)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=customers, as_of=days, months=st.integers(1, 12))
def test_the_not_in_finds_who_the_not_exists_found(ctx, drawn, as_of, months):
    _fill(ctx, drawn)
    r = roster.rule(ctx, as_of, months)
    expected = _ids(ctx, old_lapsed(r))
    assert _ids(ctx, rules.lapsed(r)) == expected
    assert {row.id for row in roster.lapsed(ctx, as_of=as_of, months=months)} == expected
    # and through ``departed`` (the ranking's CASE), for those not marked lost by hand
    assert _ids(ctx, rules.departed(r)) >= expected


def test_a_won_back_customer_is_not_lapsed_and_one_won_back_before_the_period_is(ctx):
    won = add_customer(ctx, "Won back in the period", last=D(2023, 1, 5))
    add_won_back_call(ctx, won, dt.datetime(2024, 5, 1, 10, 0))
    before = add_customer(ctx, "Won back before the period", last=D(2023, 1, 5))
    add_won_back_call(ctx, before, dt.datetime(2023, 6, 1, 10, 0))
    add_customer(ctx, "Never called", last=D(2023, 1, 5))
    r = roster.rule(ctx, D(2024, 8, 31), 6)
    assert r.win_backs
    got = {row.company for row in roster.lapsed(ctx, as_of=D(2024, 8, 31), months=6)}
    assert got == {"Won back before the period", "Never called"}


@pytest.mark.skipif(server_url() is None, reason="the plan of PostgreSQL")
def test_on_postgresql_the_won_back_customers_are_hashed_once(ctx):
    """The plan reads the won-back calls once (a hashed subplan), whatever the estimates say."""
    cid = add_customer(ctx, "Won back", last=D(2023, 1, 5))
    add_won_back_call(ctx, cid, dt.datetime(2024, 5, 1, 10, 0))
    r = roster.rule(ctx, D(2024, 8, 31), 6)
    q = select(Customer.id).where(rules.lapsed(r))
    sql = q.compile(ctx.engine, compile_kwargs={"literal_binds": True})
    with ctx.sessions() as s:
        plan = "\n".join(s.execute(text(f"EXPLAIN {sql}")).scalars())
    assert "hashed SubPlan" in plan, plan
    assert "Nested Loop" not in plan, plan
