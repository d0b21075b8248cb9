"""Both databases give the same answers: the same order of text and of rows without a value, and
no text stored on one that the other refuses (NUL characters). Run plain (SQLite) and with
WINBACK_TEST_DATABASE_URL (PostgreSQL); the expectations are the same, written once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.helpers.roster import add_customer
from tests.helpers.test_database import _admin, server_url
from winback_desktop.services import roster
from winback_desktop.services.calls import attempts
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.followups import board
from winback_desktop.services.imports.importer import import_customers
from winback_desktop.services.people import team
from winback_desktop.services.roster.card import card
from winback_desktop.services.roster.query import roster_search, segments
from winback_desktop.store.models import ActionItem, CallAttempt, CallOffer, Customer, StageAnswer

# ------------------------------------------------------------------------------- the test seam

_seen: dict[str, str] = {}


def _database_names() -> set[str]:
    with _admin() as conn:
        return {name for (name,) in conn.execute("SELECT datname FROM pg_database")}


def test_the_run_lands_on_the_database_the_seam_names(ctx):
    """With WINBACK_TEST_DATABASE_URL set, the app's own context is on that PostgreSQL server,
    in a database of this test's own; without it, on the SQLite file."""
    if server_url() is None:
        assert ctx.engine.dialect.name == "sqlite"
        assert "WINBACK_DATABASE_URL" not in os.environ
        return
    assert ctx.engine.dialect.name == "postgresql"
    with ctx.engine.connect() as conn:
        name = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    assert name == ctx.engine.url.database == os.environ["WINBACK_DATABASE_URL"].rsplit("/", 1)[1]
    assert name.startswith("winback_t_") and name in _database_names()
    _seen["first"] = name


def test_each_test_has_its_own_database_dropped_afterwards(ctx):
    if server_url() is None:
        pytest.skip("the SQLite run has a file per test (tmp_path) instead")
    assert "first" in _seen, "runs after test_the_run_lands_on_the_database_the_seam_names"
    with ctx.engine.connect() as conn:
        mine = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    names = _database_names()
    assert mine != _seen["first"] and mine in names
    assert _seen["first"] not in names  # the previous test's database is gone


def test_a_command_in_a_child_process_lands_on_the_same_database(ctx):
    """The CLI and child jobs take the URL from the environment, as the app does."""
    code = "from winback_desktop.paths import resolve; p = resolve(); print(p.database_url or p.database)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    if server_url() is None:
        assert out.strip().endswith(".sqlite3") or out.strip().endswith(".db")
    else:
        assert out.strip().rsplit("/", 1)[1] == ctx.engine.url.database


# ------------------------------------------------------------------------------------- order


def _companies(ctx, sort: str, descending: bool) -> list[str]:
    return [r.company for r in roster_search(ctx, sort=sort, descending=descending).rows]


def test_customers_without_a_purchase_date_sort_last_both_ways(ctx):
    add_customer(ctx, "Old", last=dt.date(2020, 1, 1), status="lapsed")
    add_customer(ctx, "Never", last=None, status="lapsed")
    add_customer(ctx, "Recent", last=dt.date(2024, 5, 1), status="lapsed")
    assert _companies(ctx, "last_purchase", descending=False) == ["Old", "Recent", "Never"]
    assert _companies(ctx, "last_purchase", descending=True) == ["Recent", "Old", "Never"]


def test_customers_without_an_id_sort_last_both_ways(ctx):
    for company, ext in (("B", "B-2"), ("None", None), ("A", "A-1")):
        add_customer(ctx, company, external_id=ext)
    assert _companies(ctx, "external_id", descending=False) == ["A", "B", "None"]
    assert _companies(ctx, "external_id", descending=True) == ["B", "A", "None"]


NAMES = ["émile", "Zed", "acme", "Acme", "_under", "Ölwerk", "a b", "ab", "Ab-c"]


def _in_a_linguistic_collation(ctx, *columns: tuple[str, str]) -> None:
    """On PostgreSQL, give ``columns`` ICU's English collation, as a server made with
    ``en_US.UTF-8`` would (the test server is C.UTF-8, which already sorts by code point)."""
    if ctx.engine.dialect.name != "postgresql":
        return
    typed = (
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attname = %s"
    )
    with ctx.engine.begin() as conn:
        for table, column in columns:
            kind = conn.exec_driver_sql(typed, (table, column)).scalar_one()
            conn.exec_driver_sql(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind} COLLATE "en-x-icu"')


def test_text_sorts_in_code_point_order_on_both(ctx):
    _in_a_linguistic_collation(ctx, ("customers", "company"), ("customers", "segment"))
    for name in NAMES:
        add_customer(ctx, name, segment=name)
    assert _companies(ctx, "company", descending=False) == sorted(NAMES)
    assert _companies(ctx, "company", descending=True) == sorted(NAMES, reverse=True)
    assert segments(ctx) == sorted(NAMES)


def test_people_sort_by_name_ignoring_ascii_case_alike(ctx):
    _in_a_linguistic_collation(ctx, ("people", "name"))
    names = ["bob", "Alice", "Émile", "zed", "Zach", "alan"]
    for name in names:
        team.add_person(ctx, name, "caller")
    listed = [p.name for p in team.list_people(ctx)]
    # ASCII letters fold; others keep their code point (SQLite's lower() and PostgreSQL's under "C")
    assert listed == ["alan", "Alice", "bob", "Zach", "zed", "Émile"]


def test_next_steps_without_a_due_date_come_last_on_the_card(ctx):
    cid = add_customer(ctx, "Card Co")
    call = calls.start_call(ctx, cid)
    for what, due in (("undated", None), ("late", dt.date(2025, 3, 2)), ("soon", dt.date(2025, 3, 1))):
        calls.add_action(ctx, call, what, due=due)
    calls.finish_call(ctx, call)
    promised = [p.what for p in card(ctx, cid).open_promises]
    assert promised == ["soon", "late", "undated"]


# ---------------------------------------------------------------------------- NUL characters

# Any text, surrogates aside (no str a widget gives can hold one), with NUL characters in it.
with_nul = st.lists(st.text(max_size=12), min_size=2, max_size=4).map("\x00".join)


def _one(ctx, q):
    with ctx.sessions() as s:
        return s.scalars(q).one()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=with_nul)
def test_every_typed_text_is_stored_without_nul_on_both(ctx, text):
    """The call notes, next steps, offers, attempt notes, follow-up notes, lost reasons and the
    search box: what is typed is stored (and searched) as typed, NUL characters dropped."""
    clean = text.replace("\x00", "")
    cid = add_customer(ctx, "Nul Co " + clean)
    call = calls.start_call(ctx, cid)
    calls.save_field(ctx, call, "probe", "heard_back", text)
    action = calls.add_action(ctx, call, text)
    calls.set_offers(ctx, call, [], [text + "x"])
    attempts.log_attempt(ctx, cid, "no_answer", note=text)
    calls.finish_call(ctx, call)
    board.mark_done(ctx, action, note=text + "y")
    roster.mark_lost(ctx, cid, reason=text + "z")

    answer = _one(ctx, select(StageAnswer.value).where(StageAnswer.call_id == call))
    what = _one(ctx, select(ActionItem.what).where(ActionItem.id == action))
    note = _one(ctx, select(ActionItem.done_note).where(ActionItem.id == action))
    offer = _one(ctx, select(CallOffer.text).where(CallOffer.call_id == call))
    tried = _one(ctx, select(CallAttempt.note).where(CallAttempt.customer_id == cid))
    notes = _one(ctx, select(Customer.notes).where(Customer.id == cid))
    assert (answer, what, tried) == (clean, clean, clean.strip())
    assert offer == (clean + "x").strip() and note == (clean + "y").strip()
    assert notes.endswith(" ".join((clean + "z").split()))
    found = roster_search(ctx, text=text, status=None, decision=None).rows
    assert cid in [r.id for r in found]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=with_nul)
def test_a_person_is_named_without_nul_or_refused_on_both(ctx, text):
    clean = " ".join(text.replace("\x00", "").split())
    if not clean:
        with pytest.raises(ValueError, match="a person needs a name"):
            team.add_person(ctx, text, "caller")
        return
    pid = team.add_person(ctx, text[:100], "caller", title=text[:60])
    person = team.get_person(ctx, pid)
    assert "\x00" not in person.name + person.title
    assert person.name == " ".join(text[:100].replace("\x00", "").split())


def test_an_import_cell_with_a_nul_is_refused_by_its_line_and_stores_nothing(ctx, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"Customer ID,Company\nC-1,Alpha\nC-2,Be\x00ta\n")
    with pytest.raises(Exception, match=r"customers\.csv: line 3 holds a NUL byte"):
        import_customers(ctx, path)
    with ctx.sessions() as s:
        assert s.scalars(select(Customer.id)).all() == []
