"""Volume departed per month and quarter, checked against an independent count; the roster CSV."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from tests.helpers.roster import add_customer, add_won_back_call, naive_lapse_date
from winback_desktop.services import roster

D = dt.date
AS_OF = D(2025, 6, 30)


def expected_volume(customers, period: str, as_of: dt.date, months: int):
    """The figures, computed the slow and obvious way."""
    counts: Counter[str] = Counter()
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for last, yearly, lost in customers:
        if last is None:
            continue
        day = naive_lapse_date(last, months)
        if day > as_of:
            continue
        label = f"{day.year}-{day.month:02d}" if period == "month" else f"{day.year}-Q{(day.month + 2) // 3}"
        counts[label] += 1
        sums[label] += Decimal(yearly) if Decimal(yearly) > 0 else Decimal(lost)
    return counts, sums


@pytest.fixture
def departed(ctx):
    rng = random.Random(7)
    customers = []
    for i in range(120):
        last = None if i % 17 == 0 else AS_OF - dt.timedelta(days=rng.randint(0, 1100))
        yearly = str(rng.choice([0, rng.randint(100, 90000)]))
        lost = f"{rng.randint(0, 50000)}.{rng.randint(0, 99):02d}"
        customers.append((last, yearly, lost))
        status = rng.choice(["lapsed", "lost", "active", "won_back"])
        add_customer(ctx, f"C{i}", last=last, yearly=yearly, value_lost=lost, status=status)
    # A won-back call does not undo a departure: the customer still lapsed in its month.
    add_won_back_call(ctx, 2, dt.datetime(2025, 6, 1, 12))
    # Edge cases on month ends and in a leap year.
    for last in (D(2024, 8, 31), D(2024, 8, 28), D(2024, 2, 29), D(2024, 12, 31), D(2024, 12, 30)):
        customers.append((last, "1000", "0"))
        add_customer(ctx, f"Edge {last}", last=last, yearly="1000")
    return customers


@pytest.mark.parametrize("period", ["month", "quarter"])
@pytest.mark.parametrize("months", [6, 3])
def test_volume_matches_an_independent_count(ctx, departed, period, months):
    rows = roster.volume_departed(ctx, period, as_of=AS_OF, months=months)
    counts, sums = expected_volume(departed, period, AS_OF, months)
    assert {r.period_label: r.customers for r in rows if r.customers} == dict(counts)
    assert {r.period_label: r.yearly_revenue for r in rows if r.customers} == {k: sums[k] for k in counts}
    # Consecutive periods, empty ones included, up to the one holding the as-of date.
    assert rows[-1].period_label == ("2025-06" if period == "month" else "2025-Q2")
    starts = [r.start for r in rows]
    step = 1 if period == "month" else 3
    assert all(roster.add_months(a, step) == b for a, b in zip(starts, starts[1:], strict=False))
    assert rows[0].customers > 0


def test_volume_labels_and_bounds(ctx):
    add_customer(ctx, "Jan", last=D(2024, 7, 15), yearly="100")  # lapses 16 Jan 2025
    add_customer(ctx, "Apr", last=D(2024, 9, 30), value_lost="50.50")  # lapses 1 Apr 2025
    add_customer(ctx, "Not yet", last=D(2025, 1, 1), yearly="999")  # lapses 2 Jul 2025
    by_month = roster.volume_departed(ctx, "month", as_of=AS_OF)
    assert [(r.period_label, r.customers, str(r.yearly_revenue)) for r in by_month] == [
        ("2025-01", 1, "100.00"),
        ("2025-02", 0, "0.00"),
        ("2025-03", 0, "0.00"),
        ("2025-04", 1, "50.50"),
        ("2025-05", 0, "0.00"),
        ("2025-06", 0, "0.00"),
    ]
    by_quarter = roster.volume_departed(ctx, "quarter", as_of=D(2025, 7, 2))
    assert [(r.period_label, r.customers) for r in by_quarter] == [
        ("2025-Q1", 1),
        ("2025-Q2", 1),
        ("2025-Q3", 1),
    ]
    assert roster.volume_departed(ctx, "month", as_of=D(2024, 12, 31)) == []
    with pytest.raises(ValueError, match="month, quarter"):
        roster.volume_departed(ctx, "week")


def test_export_customers(ctx, tmp_path):
    """The whole roster, id first, formula-safe, written atomically."""
    a = add_customer(
        ctx, "=HYPERLINK(\"http://evil\")", external_id="00586", contact="@admin", phone="+44 20 7946",
        last=D(2024, 1, 10), yearly="184500.5", orders=3, notes="line one\nline two",
    )  # fmt: skip
    b = add_customer(ctx, "Plain Ltd", last=None)
    roster.decide(ctx, b, "let_go", "-rude")
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "roster.csv"
    assert roster.export_customers(ctx, out) == 2
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[0] == "id"
    first, second = rows
    assert first["id"] == str(a) and first["external_id"] == "00586"
    assert first["company"] == '\'=HYPERLINK("http://evil")'
    assert (first["contact_name"], first["phone"]) == ("'@admin", "'+44 20 7946")
    assert (first["last_purchase"], first["yearly_revenue"]) == ("2024-01-10", "184500.50")
    assert first["orders_count"] == "3"
    assert first["notes"] == "line one\nline two"
    assert (second["decision"], second["decision_reason"]) == ("let_go", "'-rude")
    assert second["decided_at"].endswith("+00:00") and second["last_purchase"] == ""
    assert [p.name for p in folder.iterdir()] == ["roster.csv"]  # no temporary file left
