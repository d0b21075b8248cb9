"""On PostgreSQL the roster's search reads the GIN trigram index on ``search_text`` (migration
0008, ``pg_trgm``) for a word of three characters or more: every query the search makes with the
word is planned on ``ix_customers_search_trgm``, read here with EXPLAIN on the statements the
search itself sent. SQLite's search is its own (tests/services/roster/test_query.py)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import event

from tests.helpers.test_database import server_url
from winback_desktop.services import roster
from winback_desktop.store.models import Customer, customer_search_text

pytestmark = pytest.mark.skipif(server_url() is None, reason="pg_trgm is PostgreSQL's")

N = 20_000
RARE = 25  # customers named "Zanzibar ..."
WORDS = "Harbour Copper Nord Meridian Castle Willow Saffron Oak Atlantic Riverside Golden".split()
KINDS = "Foods Bakery Hotel Kitchen Provisions Grocers Catering Farm Inn Deli".split()


@pytest.fixture
def big_roster(ctx):
    rng = random.Random(14)
    rows = []
    for i in range(N):
        company = f"{'Zanzibar' if i % (N // RARE) == 0 else rng.choice(WORDS)} {rng.choice(KINDS)} {i}"
        contact = f"{rng.choice(('Grace', 'Alan', 'Naomi', 'Diego'))} {rng.choice(('Osei', 'Berg', 'Evans'))}"
        ext, phone = f"C-{i:06d}", f"+44 20 {i:08d}"
        rows.append(
            {
                "external_id": ext,
                "company": company,
                "contact_name": contact,
                "phone": phone,
                "status": "lapsed",
                "priority": rng.random() * 100,
                "search_text": customer_search_text(company, contact, ext, phone, ""),
            }
        )
    with ctx.engine.begin() as conn:
        conn.execute(Customer.__table__.insert(), rows)
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE customers")  # as autovacuum leaves a table that grew
    return ctx


def _sent(ctx, text: str) -> tuple[roster.RosterResult, list[tuple[str, object]]]:
    """The search's result and the statements it sent that filter on the search text."""
    seen: list[tuple[str, object]] = []

    def heard(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "search_text" in statement:
            seen.append((statement, parameters))

    event.listen(ctx.engine, "before_cursor_execute", heard)
    try:
        result = roster.roster_search(ctx, text=text)
    finally:
        event.remove(ctx.engine, "before_cursor_execute", heard)
    return result, seen


def _plan(ctx, statement: str, parameters) -> str:
    """The plan of ``statement`` with table scans priced out (``enable_seqscan`` off): at 20,000
    short rows a scan is cheaper, at the benchmark's 100,000 the planner takes the index by
    itself (bench/README.md). A query the index cannot serve still shows its Seq Scan."""
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))


@pytest.mark.parametrize("text", ["zanzibar", "ZANZ", "zanzibar foods", "c-0040"])
def test_a_word_of_three_or_more_characters_reads_the_trigram_index(big_roster, text: str) -> None:
    result, sent = _sent(big_roster, text)
    words = text.casefold().split()
    assert result.rows and all(
        all(w in (r.company + " " + (r.external_id or "")).casefold() for w in words) for r in result.rows
    )
    assert result.total == len(result.rows) < 200  # few match: the whole answer is on the page
    assert sent, "the search sent no statement with the search text"
    for statement, parameters in sent:
        plan = _plan(big_roster, statement, parameters)
        assert "ix_customers_search_trgm" in plan and "Seq Scan" not in plan, f"{statement}\n{plan}"


def test_the_trigram_search_finds_what_the_scan_finds(big_roster) -> None:
    """The same answer whichever plan: the rows and count of the index-served search match a
    plain scan of every customer's search text."""
    result, _sent_ = _sent(big_roster, "zanzibar")
    with big_roster.engine.connect() as conn:
        want = (
            conn.exec_driver_sql(
                "SELECT id FROM customers WHERE position('zanzibar' in search_text) > 0 "
                "ORDER BY priority DESC, id DESC"
            )
            .scalars()
            .all()
        )
    assert [r.id for r in result.rows] == want and result.total == len(want) == RARE
