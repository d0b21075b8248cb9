"""Reasons by revenue: calls naming a reason as primary, distinct customers, their yearly business."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select, update

from tests.helpers.zone import local_zone
from winback_desktop.services import catalogue
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.insights import reasons as insights
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Call, CallReason, Customer, DepartureReason


def _customer(ctx, company: str, yearly: str, lost: str) -> int:
    with transaction(ctx.sessions) as s:
        c = Customer(company=company, yearly_revenue=Decimal(yearly), value_lost=Decimal(lost))
        s.add(c)
        s.flush()
        return c.id


def _call(ctx, customer_id: int, primary: int | None, others=(), started: dt.datetime | None = None) -> int:
    call_id = calls.start_call(ctx, customer_id)
    calls.set_reasons(ctx, call_id, primary, list(others))
    calls.finish_call(ctx, call_id)
    if started is not None:
        with transaction(ctx.sessions) as s:
            s.execute(update(Call).where(Call.id == call_id).values(started_at=started))
    return call_id


def test_counts_calls_customers_and_each_customers_business_once(ctx):
    ids = {r.code: r.id for r in catalogue.reasons(ctx)}
    a = _customer(ctx, "Alpha", "1200.50", "99")  # yearly revenue wins over the value lost
    b = _customer(ctx, "Beta", "0", "800")  # no yearly revenue: the value lost counts
    c = _customer(ctx, "Gamma", "300", "0")
    _call(ctx, a, ids["late_delivery"], [ids["price"]])
    _call(ctx, a, ids["late_delivery"])  # the same customer again: two calls, one customer
    _call(ctx, b, ids["late_delivery"], [ids["billing"]])
    _call(ctx, c, ids["price"])
    _call(ctx, c, None, [ids["quality"]])  # no primary reason: counts nowhere

    rows = insights.reasons_by_revenue(ctx)
    by = {r.reason_code: r for r in rows}
    late = by["late_delivery"]
    assert (late.calls, late.customers, late.yearly_revenue) == (3, 2, Decimal("2000.50"))
    assert late.label == "Late or missed deliveries" and late.category == "Delivery"
    price = by["price"]
    assert (price.calls, price.customers, price.yearly_revenue) == (1, 1, Decimal("300.00"))
    # Secondary reasons are not primary ones; every active reason is listed, highest revenue first.
    assert (by["billing"].calls, by["quality"].calls) == (0, 0)
    assert by["billing"].yearly_revenue == Decimal("0.00")
    assert {r.reason_code for r in rows} == set(ids)
    assert [r.reason_code for r in rows[:2]] == ["late_delivery", "price"]
    revenues = [r.yearly_revenue for r in rows]
    assert revenues == sorted(revenues, reverse=True)


def test_since_and_retired_reasons(ctx):
    ids = {r.code: r.id for r in catalogue.reasons(ctx)}
    a = _customer(ctx, "Alpha", "500", "0")
    b = _customer(ctx, "Beta", "700", "0")
    _call(ctx, a, ids["rude"], started=dt.datetime(2024, 1, 10, 9, 0))
    _call(ctx, b, ids["competitor"], started=dt.datetime(2025, 3, 1, 9, 0))
    with transaction(ctx.sessions) as s:
        s.execute(
            update(DepartureReason).where(DepartureReason.code.in_(("rude", "closed"))).values(active=False)
        )

    codes = {r.reason_code: r for r in insights.reasons_by_revenue(ctx)}
    assert codes["rude"].calls == 1  # retired, but calls named it: still listed
    assert "closed" not in codes  # retired and never named: left out

    recent = {r.reason_code: r for r in insights.reasons_by_revenue(ctx, since=dt.date(2025, 1, 1))}
    assert recent["competitor"].yearly_revenue == Decimal("700.00")
    assert "rude" not in recent
    assert recent["price"].calls == 0


def test_matches_a_plain_count_on_the_sample_data(demo_ctx):
    with demo_ctx.sessions() as s:
        rows = s.execute(
            select(DepartureReason.code, Call.id, Customer.id, Customer.yearly_revenue, Customer.value_lost)
            .join(CallReason, CallReason.reason_id == DepartureReason.id)
            .join(Call, Call.id == CallReason.call_id)
            .join(Customer, Customer.id == Call.customer_id)
            .where(CallReason.is_primary)
        ).all()
    assert rows, "the sample has calls with a primary reason"
    want_calls: dict[str, int] = defaultdict(int)
    want_customers: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for code, _call_id, customer_id, yearly, lost in rows:
        want_calls[code] += 1
        want_customers[code][customer_id] = yearly if yearly > 0 else lost

    got = insights.reasons_by_revenue(demo_ctx)
    for r in got:
        assert r.calls == want_calls.get(r.reason_code, 0), r
        assert r.customers == len(want_customers.get(r.reason_code, {})), r
        expected = sum(want_customers.get(r.reason_code, {}).values(), Decimal(0))
        assert r.yearly_revenue == expected.quantize(Decimal("0.01")), r
    assert sum(r.calls for r in got) == len(rows)


def test_since_is_a_local_day(ctx):
    """Tokyo (UTC+9): a call at 08:00 on 1 Jan is stored as 23:00 on 31 Dec; it is on the day."""
    ids = {r.code: r.id for r in catalogue.reasons(ctx)}
    with local_zone("Asia/Tokyo"):
        _call(ctx, _customer(ctx, "Early", "100", "0"), ids["price"], started=dt.datetime(2024, 12, 31, 23))
        _call(ctx, _customer(ctx, "Late", "100", "0"), ids["rude"], started=dt.datetime(2024, 12, 31, 14))
        recent = {r.reason_code: r.calls for r in insights.reasons_by_revenue(ctx, since=dt.date(2025, 1, 1))}
        assert (recent["price"], recent["rude"]) == (1, 0)  # the second: 23:00 on 31 Dec local
        since = dt.datetime(2025, 1, 1, 8, 30)  # a naive time is the user's local time
        assert {r.reason_code: r.calls for r in insights.reasons_by_revenue(ctx, since=since)}["price"] == 0
