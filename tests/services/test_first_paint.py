"""The first paint's plain read gives exactly what the services give, or steps aside."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from winback_desktop.services import roster
from winback_desktop.services.dto import FIELDS, PersonInfo
from winback_desktop.services.first_paint import read_first_paint
from winback_desktop.services.people import team as people
from winback_desktop.services.roster.query import ROW_COLUMNS
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Customer

# The first paint peeks the SQLite file (read-only, before the services load); a start on a team
# server has no file to peek and shows the window once the server answered (app.py).
PEEKS = pytest.mark.sqlite_only


def same_as_services(paths, ctx, limit: int = 200) -> None:
    first = read_first_paint(paths, limit)
    assert first is not None
    found = roster.roster_search(ctx, limit=limit)
    assert first.rows == found.rows
    assert (first.total, found.capped) == (found.total, False)
    assert first.people == [PersonInfo(p.id, p.name, p.title, p.role) for p in people.list_people(ctx)]
    assert first.current_user == str(people.remembered_user_id(ctx) or "")
    assert (first.segments, first.owners) == (roster.segments(ctx), roster.owners(ctx))


def test_the_page_columns_are_the_rows_fields():
    assert tuple(c.key for c in ROW_COLUMNS) == FIELDS


@PEEKS
def test_the_sample_data_reads_the_same(paths, demo_ctx):
    same_as_services(paths, demo_ctx)
    same_as_services(paths, demo_ctx, limit=7)
    someone = people.list_people(demo_ctx)[2]
    people.set_current_user(demo_ctx, someone.id)
    assert read_first_paint(paths, 5).current_user == str(someone.id)
    same_as_services(paths, demo_ctx, limit=5)


@PEEKS
def test_an_empty_database_reads_as_empty(paths, ctx):
    first = read_first_paint(paths, 200)
    assert first is not None and first.rows == [] and first.total == 0
    same_as_services(paths, ctx)


money = st.decimals(min_value=-(10**6), max_value=10**9, places=3, allow_nan=False, allow_infinity=False)
dates = st.none() | st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
customers = st.fixed_dictionaries(
    {
        "company": texts,
        "external_id": st.booleans(),  # made unique below
        "contact_name": texts,
        "status": st.sampled_from(["lapsed", "lost", "won_back", "active"]),
        "segment": texts,
        "owner": texts,
        "last_purchase": dates,
        "orders_count": st.integers(0, 10_000),
        "total_revenue": money,
        "yearly_revenue": money,
        "value_lost": money,
        "priority": st.sampled_from([0.0, 12.5, 50.0, 99.99]) | st.floats(0, 100),
        "priority_reason": texts,
        "decision": st.sampled_from(["undecided", "pursue", "let_go"]),
        "decision_reason": texts,
        "verify_contact": st.booleans(),
        "contact_verified_on": dates,
    }
)


@PEEKS
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(customers, max_size=25), limit=st.integers(1, 30))
def test_any_customers_read_the_same(paths, ctx, rows, limit):
    with transaction(ctx.sessions) as s:
        s.execute(delete(Customer))
        for i, r in enumerate(rows):  # ties in priority, NULLs, three-place decimals
            s.add(Customer(**{**r, "external_id": f"X-{i}" if r["external_id"] else None}))
    same_as_services(paths, ctx, limit)


def test_it_steps_aside_for_a_missing_file(paths):
    assert not paths.database.exists()
    assert read_first_paint(paths, 200) is None


@PEEKS
def test_it_steps_aside_for_a_schema_to_migrate_or_a_newer_one(paths, ctx):
    for revision in ("0003", "9999"):
        with sqlite3.connect(paths.database) as conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        assert read_first_paint(paths, 200) is None


@PEEKS
def test_it_steps_aside_for_a_file_that_is_not_a_database(paths):
    paths.database.parent.mkdir(parents=True, exist_ok=True)
    paths.database.write_bytes(b"not a database, just some bytes " * 200)
    before = paths.database.read_bytes()
    assert read_first_paint(paths, 200) is None
    assert paths.database.read_bytes() == before  # read-only: nothing written


@PEEKS
def test_it_steps_aside_for_a_value_the_services_could_not_read_either(paths, ctx):
    with transaction(ctx.sessions) as s:
        s.add(Customer(company="Acme", yearly_revenue=Decimal("10")))
    with sqlite3.connect(paths.database) as conn:
        conn.execute("UPDATE customers SET last_purchase = 'last spring'")
    assert read_first_paint(paths, 200) is None


def test_a_start_on_a_team_server_never_peeks_the_desks_own_file(tmp_path):
    """The desk's own SQLite file may be there, full, from before it joined a team: it is not
    the database a start on a server opens, so nothing of it is painted."""
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths
    from winback_desktop.services.demo import load_demo

    own = Paths(tmp_path / "desk", custom=True)  # SQLite, whatever the run's database
    own_ctx = open_app(own)
    try:
        load_demo(own_ctx)
    finally:
        own_ctx.close()
    assert read_first_paint(own, 200) is not None and read_first_paint(own, 200).total > 0
    on_server = dataclasses.replace(own, database_url="postgresql+psycopg://desk@team.invalid/winback")
    assert on_server.on_server and on_server.database.exists()
    assert read_first_paint(on_server, 200) is None
