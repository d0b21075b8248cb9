"""Only purchases make a customer lapsed: the import's figures, ``lapsed``, ``volume``, the status
refresh and the ranking against a plain Python reading of the rule, over random order histories
with refunds, credit notes, zero lines and as-of days (hypothesis, on a real database file)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.imports import write_csv
from tests.helpers.roster import naive_lapse_date, naive_last_purchase, naive_months_before
from tests.helpers.test_database import PlainConnection
from winback_desktop.services import roster
from winback_desktop.services.imports.importer import import_orders

D = dt.date
START = D(2022, 1, 1)
HEADER = ["Customer ID", "Order date", "Amount", "Order ID"]

days = st.integers(0, 900).map(lambda n: START + dt.timedelta(days=n))
cents = st.one_of(st.just(0), st.integers(-50_000, -1), st.integers(1, 90_000))


@st.composite
def history(draw, customer: int) -> list[tuple[dt.date, Decimal, str | None]]:
    """One customer's lines: orders with refs (some refunded in part or in full, later), lines
    without refs (purchases, credit notes, zero lines)."""
    lines: list[tuple[dt.date, Decimal, str | None]] = []
    for n in range(draw(st.integers(1, 5))):
        day, amount = draw(days), Decimal(draw(cents)) / 100
        ref = draw(st.sampled_from([None, f"C{customer}-O{n}"]))
        lines.append((day, amount, ref))
        if ref is not None and draw(st.booleans()):  # a refund under the order's own ref, later
            share = draw(st.sampled_from([Decimal(1), Decimal("0.5")]))
            refund_day = day + dt.timedelta(days=draw(st.integers(0, 120)))
            lines.append((refund_day, -(abs(amount) * share).quantize(Decimal("0.01")), ref))
    return lines


@st.composite
def histories(draw) -> dict[str, list]:
    return {f"K{i:03d}": draw(history(i)) for i in range(draw(st.integers(1, 6)))}


def _clear(ctx) -> None:
    with PlainConnection(ctx.paths) as con:
        for table in ("orders", "customers", "imports"):
            con.execute(f"DELETE FROM {table}")


def _import(ctx, tmp_path, customers: dict[str, list]) -> dict[str, int]:
    lines = [(ext, *line) for ext, ls in customers.items() for line in ls]
    rows = [HEADER] + [[ext, d.isoformat(), f"{a:.2f}", r or ""] for ext, d, a, r in lines]
    import_orders(ctx, write_csv(tmp_path / "orders.csv", rows))
    with PlainConnection(ctx.paths) as con:
        ids = dict(con.rows("SELECT external_id, id FROM customers"))
        stored = dict(con.rows("SELECT external_id, last_purchase FROM customers"))
    for ext, lines in customers.items():
        expected = naive_last_purchase(lines)
        assert stored[ext] == (expected.isoformat() if expected else None), ext
    return ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(customers=histories(), as_of=st.integers(0, 1100).map(lambda n: START + dt.timedelta(days=n)))
def test_lapsed_volume_and_ranking_follow_purchases_only(ctx, tmp_path, customers, as_of):
    _clear(ctx)
    ids = _import(ctx, tmp_path, customers)
    months = 6
    cutoff = naive_months_before(as_of, months)
    last = {ids[ext]: naive_last_purchase(lines, as_of) for ext, lines in customers.items()}
    expected = {cid for cid, day in last.items() if day is not None and day < cutoff}

    rows = roster.lapsed(ctx, as_of=as_of, months=months)
    assert {r.id for r in rows} == expected
    for r in rows:
        assert r.last_purchase == last[r.id]
        assert r.lapsed_on == naive_lapse_date(last[r.id], months)
        assert f"lapsed {_ago(_months(naive_lapse_date(last[r.id], months), as_of))}" in r.priority_reason

    volume = roster.volume_departed(ctx, "month", as_of=as_of, months=months)
    by_month = Counter(f"{(d := naive_lapse_date(last[c], months)).year}-{d.month:02d}" for c in expected)
    assert {v.period_label: v.customers for v in volume if v.customers} == dict(by_month)

    roster.refresh_statuses(ctx, as_of, months)
    roster.refresh_priorities(ctx, as_of, months)
    with PlainConnection(ctx.paths) as con:
        found = con.rows("SELECT id, status, priority FROM customers")
    stored = {cid: (status, prio) for cid, status, prio in found}
    for cid, (status, prio) in stored.items():
        assert (status == "lapsed") == (cid in expected), (cid, last[cid])
        assert (prio > 0) == (cid in expected), (cid, last[cid])


def _months(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end``, counted one month at a time."""
    n = 0
    while naive_months_before(end, n + 1) >= start:
        n += 1
    return n


def _ago(months: int) -> str:
    if months < 1:
        return "less than a month ago"
    return "1 month ago" if months == 1 else f"{months} months ago"


def test_a_refund_never_restarts_the_clock_and_refund_only_customers_never_lapse(ctx, tmp_path):
    customers = {
        "REFUNDED": [(D(2023, 1, 5), Decimal("80.00"), "A1"), (D(2024, 5, 1), Decimal("-80.00"), "A1")],
        "CREDIT": [(D(2023, 1, 5), Decimal("50.00"), None), (D(2024, 5, 1), Decimal("-20.00"), None)],
        "ONLY_CREDITS": [(D(2023, 3, 1), Decimal("-10.00"), None), (D(2023, 4, 1), Decimal("0.00"), None)],
        "BOUGHT": [(D(2023, 2, 1), Decimal("10.00"), None)],
    }
    ids = _import(ctx, tmp_path, customers)
    got = {r.company: r.last_purchase for r in roster.lapsed(ctx, as_of=D(2024, 6, 1), months=6)}
    # The refunded order was never a purchase; the credit note of May 2024 is no purchase either.
    assert got == {"CREDIT": D(2023, 1, 5), "BOUGHT": D(2023, 2, 1)}
    volume = roster.volume_departed(ctx, "quarter", as_of=D(2024, 6, 1), months=6)
    assert sum(v.customers for v in volume) == 2
    roster.refresh(ctx, D(2024, 6, 1), 6)
    with PlainConnection(ctx.paths) as con:
        status = dict(con.rows("SELECT id, status FROM customers"))
        reason = dict(con.rows("SELECT id, priority_reason FROM customers"))
    assert status[ids["ONLY_CREDITS"]] == status[ids["REFUNDED"]] == "active"
    assert reason[ids["ONLY_CREDITS"]] == "No purchase date"
