"""The win-back priority and its reason; decisions; the call list; verifying contact details."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.roster import add_customer, add_won_back_call, get
from winback_desktop.services import roster
from winback_desktop.services.roster import card as customers

D = dt.date
AS_OF = D(2025, 6, 15)


def months_ago(n: int, day: dt.date = AS_OF) -> dt.date:
    return roster.months_before(day, n)


@pytest.fixture
def ranked(ctx):
    ids = {
        "big recent": add_customer(ctx, "Big Recent", last=months_ago(8), yearly="184500", orders=37),
        "small old": add_customer(ctx, "Small Old", last=months_ago(40), yearly="900", orders=2),
        "mid": add_customer(ctx, "Mid", last=months_ago(12), yearly="20000", orders=10),
        "lost fallback": add_customer(ctx, "Lost Value Only", last=months_ago(9), value_lost="50000"),
        "active": add_customer(ctx, "Still Buying", last=months_ago(1), yearly="999999", orders=90),
    }
    for i in range(20):  # a crowd, so that percentages mean something
        add_customer(ctx, f"Crowd {i}", last=months_ago(7 + i), yearly=str(1000 + 500 * i), orders=1 + i % 5)
    roster.refresh_statuses(ctx, as_of=AS_OF)
    roster.refresh_priorities(ctx, as_of=AS_OF)
    return ids


def test_a_high_value_recent_customer_outranks_a_low_value_old_one(ctx, ranked):
    big, small, mid = (get(ctx, ranked[k]) for k in ("big recent", "small old", "mid"))
    assert 0 < small.priority < mid.priority < big.priority <= 100
    top = roster.roster_page(ctx, limit=1)[0]
    assert top.company == "Big Recent"


def test_the_reason_says_why(ctx, ranked):
    big = get(ctx, ranked["big recent"])
    assert big.priority_reason == "Top 5% by value (184,500 a year); lapsed 1 month ago; 37 orders"  # 1 of 24
    small = get(ctx, ranked["small old"])
    assert small.priority_reason.startswith("Value 900 a year; lapsed 33 months ago; 2 orders")
    fallback = get(ctx, ranked["lost fallback"])
    assert "(50,000 lost)" in fallback.priority_reason and "orders" not in fallback.priority_reason


def test_customers_not_departed_get_zero(ctx, ranked):
    active = get(ctx, ranked["active"])
    assert active.priority == 0
    assert active.priority_reason == "Active: last purchase 1 month ago"
    won = add_customer(ctx, "Won Back", last=months_ago(9), status="won_back", yearly="5000")
    add_won_back_call(ctx, won, dt.datetime.combine(months_ago(1), dt.time(10)))
    roster.refresh_priorities(ctx, as_of=AS_OF)
    assert (get(ctx, won).priority, get(ctx, won).priority_reason) == (0, "Won back, not lapsed again")


def test_refresh_priorities_writes_only_what_changed(ctx):
    a = add_customer(ctx, "A", last=D(2025, 1, 10), yearly="1000", orders=3)
    add_customer(ctx, "B", last=D(2024, 11, 3), yearly="2000", orders=1)
    assert roster.refresh_priorities(ctx, as_of=D(2025, 8, 20)) == 2
    assert roster.refresh_priorities(ctx, as_of=D(2025, 8, 20)) == 0
    # Recency counts whole months: another day changes nothing, another month does.
    assert roster.refresh_priorities(ctx, as_of=D(2025, 8, 21)) == 0
    before = get(ctx, a).priority
    assert roster.refresh_priorities(ctx, as_of=D(2025, 9, 21)) == 2
    assert get(ctx, a).priority < before


def test_let_go_needs_a_reason_and_leaves_the_call_list(ctx, ranked):
    cid = ranked["big recent"]
    call_id = add_won_back_call(ctx, cid, dt.datetime(2024, 1, 5, 10))  # some history to keep
    assert cid in {r.id for r in roster.call_list(ctx, limit=100)}
    with pytest.raises(ValueError, match="needs a reason"):
        roster.decide(ctx, cid, "let_go", "   ")
    roster.decide(ctx, cid, "let_go", "Disputes every invoice;\n abusive to drivers")
    c = get(ctx, cid)
    assert (c.decision, c.decision_reason) == ("let_go", "Disputes every invoice;\n abusive to drivers")
    assert c.decided_at is not None
    assert (c.priority, c.priority_reason) == (0, "Let go: Disputes every invoice; abusive to drivers")
    assert cid not in {r.id for r in roster.call_list(ctx, limit=100)}
    roster.refresh_priorities(ctx, as_of=AS_OF)
    assert get(ctx, cid).priority == 0  # and it stays so
    assert [x.id for x in customers.card(ctx, cid).earlier_calls] == [call_id]  # history kept
    assert cid in {r.id for r in roster.lapsed(ctx, as_of=AS_OF)}  # still counted as lapsed

    roster.decide(ctx, cid, "pursue")
    back = get(ctx, cid)
    assert back.decision == "pursue" and back.priority > 50
    assert back.priority_reason.startswith("Top ")
    assert cid in {r.id for r in roster.call_list(ctx, limit=100)}


def test_rescoring_one_customer_matches_a_full_refresh(ctx, ranked):
    cid = ranked["mid"]
    roster.decide(ctx, cid, "let_go", "moved abroad")
    roster.decide(ctx, cid, "undecided")
    one = get(ctx, cid)
    assert one.decided_at is None and one.decision_reason == ""
    roster.refresh_priorities(ctx)
    full = get(ctx, cid)
    assert (one.priority, one.priority_reason) == (full.priority, full.priority_reason)


def test_decide_rejects_nonsense(ctx, ranked):
    with pytest.raises(ValueError, match="pursue"):
        roster.decide(ctx, ranked["mid"], "maybe")
    with pytest.raises(LookupError):
        roster.decide(ctx, 9999, "pursue")


def test_call_list_is_lapsed_or_lost_by_priority(ctx, ranked):
    lost = add_customer(ctx, "Lost One", last=months_ago(2), status="lost", yearly="70000", orders=5)
    roster.refresh_priorities(ctx, as_of=AS_OF)
    rows = roster.call_list(ctx, limit=100)
    assert {r.status for r in rows} == {"lapsed", "lost"}
    assert lost in {r.id for r in rows}
    assert ranked["active"] not in {r.id for r in rows}
    assert [r.priority for r in rows] == sorted((r.priority for r in rows), reverse=True)
    assert len(roster.call_list(ctx, limit=3)) == 3
    assert [r.id for r in roster.call_list(ctx, limit=3, offset=3)] == [r.id for r in rows[3:6]]


def test_verify_contact_details(ctx):
    cid = add_customer(ctx, "Old Number Ltd", last=D(2023, 1, 1))
    roster.flag_verify_contact(ctx, cid, True)
    row = roster.roster_page(ctx)[0]
    assert row.verify_contact is True and row.contact_verified_on is None
    roster.mark_contact_verified(ctx, cid, on=D(2025, 3, 4))
    c = get(ctx, cid)
    assert (c.verify_contact, c.contact_verified_on) == (False, D(2025, 3, 4))
    roster.flag_verify_contact(ctx, cid, True)
    roster.mark_contact_verified(ctx, cid)
    assert get(ctx, cid).contact_verified_on == dt.date.today()
    roster.flag_verify_contact(ctx, cid, False)
    assert get(ctx, cid).verify_contact is False
    with pytest.raises(LookupError):
        roster.flag_verify_contact(ctx, 4242, True)


def test_demo_data_ranks(demo_ctx):
    roster.refresh(demo_ctx)  # load_demo ranks the sample already; again changes nothing
    assert roster.refresh(demo_ctx) == (0, 0)
    rows = roster.call_list(demo_ctx, limit=5)
    assert len(rows) == 5 and all(r.priority > 0 and r.priority_reason for r in rows)
    everyone = roster.roster_page(demo_ctx, limit=1000)
    assert all(0 <= r.priority <= 100 and r.priority_reason for r in everyone)
