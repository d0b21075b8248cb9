"""The roster query: filters, search as you type, sorting, paging, counts, filter lists."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.roster import add_customer
from winback_desktop.services import roster
from winback_desktop.services.roster import scan as roster_scan
from winback_desktop.store.models import Customer

D = dt.date


@pytest.fixture
def people(ctx):
    rows = [
        ("Café Lumière", "Amélie Rousseau", "Hospitality", "Ann", "lapsed", "26400", D(2024, 3, 1)),
        ("Ærøskøbing Bageri", "Søren Ærø", "Retail", "Bob", "lapsed", "8100", D(2023, 5, 5)),
        ("Großmann Feinkost GmbH", "Jürgen Großmann", "Retail", "Ann", "lost", "61900", D(2023, 9, 9)),
        ("100% Organic Ltd", "Pat Lee", "Retail", "Bob", "lapsed", "5000", D(2024, 1, 2)),
        ("100 Organic Farms", "Sam Poe", "Wholesale", "", "active", "7000", D(2025, 1, 2)),
        ("Snake_Case Foods", "Ida Moe", "Wholesale", "Ann", "lapsed", "9000", D(2022, 2, 2)),
        ("SnakeXCase Foods", "Ola Nor", "Wholesale", "Bob", "won_back", "9500", None),
        ("Harbourline Foods", "Grace Osei", "Wholesale", "Ann", "lapsed", "184500", D(2024, 1, 10)),
    ]
    ids = {}
    for i, (company, contact, segment, owner, status, value, last) in enumerate(rows):
        ids[company] = add_customer(
            ctx, company, contact=contact, segment=segment, owner=owner, status=status,
            value_lost=value, last=last, external_id=f"X-{i:03d}", phone=f"+44 20 7946 03{i:02d}",
            email=f"info{i}@example.org",
        )  # fmt: skip
    roster.refresh_priorities(ctx, as_of=D(2025, 6, 1))
    return ids


def companies(rows) -> list[str]:
    return [r.company for r in rows]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lumière", {"Café Lumière"}),
        ("LUMIÈRE", {"Café Lumière"}),
        ("ærø", {"Ærøskøbing Bageri"}),
        ("ÆRØSKØBING", {"Ærøskøbing Bageri"}),
        ("groß", {"Großmann Feinkost GmbH"}),  # casefold: ß -> ss
        ("grossmann", {"Großmann Feinkost GmbH"}),
        ("100%", {"100% Organic Ltd"}),  # % is a literal
        ("%", {"100% Organic Ltd"}),
        ("e_c", {"Snake_Case Foods"}),  # _ is a literal
        ("foods ann", set()),  # every word must match (the owner is not searched)
        ("foods osei", {"Harbourline Foods"}),
        ("  harbour   grace ", {"Harbourline Foods"}),
        ("x-003", {"100% Organic Ltd"}),
        ("7946 0305", {"Snake_Case Foods"}),
        ("info2@example", {"Großmann Feinkost GmbH"}),
        ("", None),
    ],
)
def test_search(ctx, people, text, expected):
    rows = roster.roster_page(ctx, text=text)
    if expected is None:
        expected = set(people)
    assert set(companies(rows)) == expected
    assert roster.roster_count(ctx, text=text) == len(expected)


def test_filters(ctx, people):
    assert set(companies(roster.roster_page(ctx, status="lost"))) == {"Großmann Feinkost GmbH"}
    assert len(roster.roster_page(ctx, status=["lapsed", "lost"])) == 6
    assert set(companies(roster.roster_page(ctx, segment="Wholesale", owner="Bob"))) == {"SnakeXCase Foods"}
    assert roster.roster_count(ctx, segment="Retail") == 3
    roster.decide(ctx, people["Café Lumière"], "pursue")
    assert companies(roster.roster_page(ctx, decision="pursue")) == ["Café Lumière"]
    assert roster.roster_count(ctx, decision="undecided") == 7
    top = roster.roster_page(ctx, limit=1)[0]
    assert companies(roster.roster_page(ctx, min_priority=top.priority)) == [top.company]
    assert roster.roster_count(ctx, text="foods", segment="Wholesale", status="lapsed") == 2


def test_sorting(ctx, people):
    by_company = companies(roster.roster_page(ctx, sort="company", descending=False))
    assert by_company == sorted(people)
    assert companies(roster.roster_page(ctx, sort="company")) == sorted(people, reverse=True)
    by_value = roster.roster_page(ctx, sort="value")
    assert [r.value for r in by_value] == sorted((r.value for r in by_value), reverse=True)
    by_priority = roster.roster_page(ctx)
    assert [r.priority for r in by_priority] == sorted((r.priority for r in by_priority), reverse=True)
    dated = [r.last_purchase for r in roster.roster_page(ctx, sort="last_purchase") if r.last_purchase]
    assert dated == sorted(dated, reverse=True)
    with pytest.raises(ValueError, match="cannot sort by 'shoe_size'"):
        roster.roster_page(ctx, sort="shoe_size")


@pytest.mark.parametrize("few", [-1, 8_000])  # both plans: an index walk, or one scan
def test_paging_and_search_results_agree(ctx, people, monkeypatch, few):
    monkeypatch.setattr(roster_scan, "FEW", few)
    for text, sort in (("", "priority"), ("o", "company"), ("foods", "value"), ("zzz", "priority")):
        everything = roster.roster_page(ctx, text=text, sort=sort, limit=1000)
        pages = []
        for offset in range(0, 9, 3):
            pages += roster.roster_page(ctx, text=text, sort=sort, offset=offset, limit=3)
        assert [r.id for r in pages] == [r.id for r in everything]
        result = roster.roster_search(ctx, text=text, sort=sort, offset=3, limit=3)
        assert [r.id for r in result.rows] == [r.id for r in everything[3:6]]
        assert (result.total, result.capped) == (len(everything), False)


@pytest.mark.parametrize("few", [-1, 8_000])
def test_counts_can_be_capped(ctx, people, monkeypatch, few):
    monkeypatch.setattr(roster_scan, "FEW", few)
    assert roster.roster_count(ctx, text="o") == 8
    assert roster.roster_count(ctx, text="o", cap=3) == 4  # "more than 3"
    assert roster.roster_count(ctx, text="o", cap=8) == 8
    result = roster.roster_search(ctx, text="o", count_cap=3, limit=2)
    # The one-scan plan counts every match for free; the index walk stops at the cap.
    assert (result.total, result.capped, len(result.rows)) == ((3, True, 2) if few < 0 else (8, False, 2))
    result = roster.roster_search(ctx, count_cap=5)  # an index counts: no need to stop
    assert (result.total, result.capped) == (8, False)
    result = roster.roster_search(ctx, text="o", count_cap=None)
    assert (result.total, result.capped) == (8, False)


def test_the_estimate_samples_slices_of_the_table(ctx, monkeypatch):
    monkeypatch.setattr(roster_scan, "SAMPLE_ROWS", 2)
    for i in range(50):
        add_customer(ctx, f"{'Alpha' if i % 2 else 'Beta'} {i}")
    with ctx.sessions() as s:
        conn = s.connection()
        assert roster_scan.estimate(conn, [Customer.search_text.like("%alpha%")]) == 25
        assert roster_scan.estimate(conn, [Customer.search_text.like("%zzz%")]) == 0
        monkeypatch.setattr(roster_scan, "SAMPLE_ROWS", 1000)  # a small table: no sampling
        assert roster_scan.estimate(conn, [Customer.search_text.like("%alpha%")]) == 0
    monkeypatch.setattr(roster_scan, "SAMPLE_ROWS", 2)
    monkeypatch.setattr(roster_scan, "FEW", 10)  # "alpha" is many now: the index-walk plan
    result = roster.roster_search(ctx, text="alpha", limit=5, count_cap=20)
    assert (len(result.rows), result.total, result.capped) == (5, 20, True)
    # Beta 4, 14, 24, 34, 40, 42, 44, 46, 48: few, so one scan.
    assert roster.roster_search(ctx, text="beta 4", count_cap=20).total == 9


def test_rows_carry_what_the_roster_shows(ctx, people):
    [row] = roster.roster_page(ctx, text="harbourline")
    assert (row.external_id, row.contact_name) == ("X-007", "Grace Osei")
    assert (row.segment, row.owner) == ("Wholesale", "Ann")
    assert row.value == 184500 and row.last_purchase == D(2024, 1, 10)
    assert row.priority > 0 and "184,500" in row.priority_reason
    assert row.decision == "undecided" and row.verify_contact is False


def test_filter_lists(ctx, people):
    assert roster.segments(ctx) == ["Hospitality", "Retail", "Wholesale"]
    assert roster.owners(ctx) == ["Ann", "Bob"]


def test_empty_database(ctx):
    assert roster.roster_page(ctx) == []
    assert roster.roster_count(ctx, text="x") == 0
    assert roster.segments(ctx) == [] and roster.owners(ctx) == []
    assert roster.call_list(ctx) == []
    assert roster.refresh(ctx) == (0, 0)
