"""The lapse rule on a real database: statuses, the lapsed list, --as-of and --months, lost by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.roster import add_customer, add_orders, add_won_back_call, get
from tests.helpers.settings import store_raw
from tests.helpers.zone import local_zone
from winback_desktop.services import roster, settings

D = dt.date
AUG31 = D(2024, 8, 31)


def names(rows) -> set[str]:
    return {r.company for r in rows}


def test_lapsed_at_a_leap_year_month_end(ctx):
    add_customer(ctx, "Feb 28", last=D(2024, 2, 28))
    add_customer(ctx, "Feb 29", last=D(2024, 2, 29))
    add_customer(ctx, "March", last=D(2024, 3, 1))
    add_customer(ctx, "Long gone", last=D(2020, 1, 1))
    add_customer(ctx, "No date", last=None, status="lapsed")
    assert names(roster.lapsed(ctx, as_of=AUG31, months=6)) == {"Feb 28", "Long gone"}
    # One day later the 29 February purchase is six months gone too (1 Sep - 6 = 1 Mar).
    assert names(roster.lapsed(ctx, as_of=D(2024, 9, 1), months=6)) == {"Feb 28", "Feb 29", "Long gone"}


def test_lapsed_in_a_common_year(ctx):
    add_customer(ctx, "Feb 27", last=D(2023, 2, 27))
    add_customer(ctx, "Feb 28", last=D(2023, 2, 28))
    assert names(roster.lapsed(ctx, as_of=D(2023, 8, 31), months=6)) == {"Feb 27"}


def test_months_and_the_setting(ctx):
    add_customer(ctx, "Four months", last=D(2024, 4, 30))
    add_customer(ctx, "Eight months", last=D(2023, 12, 31))
    assert names(roster.lapsed(ctx, as_of=AUG31)) == {"Eight months"}  # default: 6
    assert names(roster.lapsed(ctx, as_of=AUG31, months=3)) == {"Four months", "Eight months"}
    settings.set_lapse_months(ctx, 3)
    assert names(roster.lapsed(ctx, as_of=AUG31)) == {"Four months", "Eight months"}
    store_raw(ctx, "lapse_months", "twelve")  # unusable: the default again
    assert names(roster.lapsed(ctx, as_of=AUG31)) == {"Eight months"}
    with pytest.raises(ValueError, match="whole number of months"):
        roster.lapsed(ctx, as_of=AUG31, months=0)


def test_a_win_back_counts_on_its_local_day(ctx):
    """Tokyo (UTC+9): a win-back at 08:00 on the cutoff day (29 Feb) is stored as 23:00 UTC on
    28 Feb; it is within the period and restarts the clock."""
    with local_zone("Asia/Tokyo"):
        won = add_customer(ctx, "Won back on the cutoff day", last=D(2024, 1, 10))
        add_won_back_call(ctx, won, dt.datetime(2024, 2, 28, 23, 0))
        gone = add_customer(ctx, "Won back the day before", last=D(2024, 1, 10))
        add_won_back_call(ctx, gone, dt.datetime(2024, 2, 28, 14, 0))  # 23:00 on 28 Feb local
        assert names(roster.lapsed(ctx, as_of=AUG31, months=6)) == {"Won back the day before"}


def test_as_of_today_by_default(ctx):
    today = dt.date.today()
    add_customer(ctx, "Recent", last=today - dt.timedelta(days=10))
    add_customer(ctx, "Old", last=roster.months_before(today, 7))
    assert names(roster.lapsed(ctx)) == {"Old"}


def test_an_as_of_in_the_past_uses_the_orders_before_it(ctx):
    cid = add_customer(ctx, "Came back", last=D(2024, 6, 1))
    add_orders(ctx, cid, D(2022, 11, 3), D(2023, 1, 10), D(2024, 6, 1))
    add_customer(ctx, "Always away", last=D(2022, 5, 5))
    rows = roster.lapsed(ctx, as_of=D(2023, 9, 1), months=6)
    assert names(rows) == {"Came back", "Always away"}
    came_back = next(r for r in rows if r.company == "Came back")
    assert came_back.last_purchase == D(2023, 1, 10)  # as it was then
    assert came_back.lapsed_on == D(2023, 7, 11)
    assert names(roster.lapsed(ctx, as_of=D(2024, 9, 1), months=6)) == {"Always away"}


def test_lapsed_row_fields(ctx):
    cid = add_customer(
        ctx, "Harbourline", external_id="00586", contact="Grace Osei", last=D(2024, 1, 10),
        orders=37, total="512000.50", yearly="184500", value_lost="1000",
    )  # fmt: skip
    [row] = roster.lapsed(ctx, as_of=AUG31, months=6)
    assert row.id == cid
    assert (row.external_id, row.company, row.contact_name) == ("00586", "Harbourline", "Grace Osei")
    assert (row.last_purchase, row.lapsed_on, row.orders_count) == (D(2024, 1, 10), D(2024, 7, 11), 37)
    assert str(row.total_revenue) == "512000.50" and row.value == 184500


def test_refresh_statuses(ctx):
    today = dt.date.today()
    old, recent = roster.months_before(today, 9), today - dt.timedelta(days=3)
    active_gone = add_customer(ctx, "Active, gone", last=old, status="active")
    lapsed_back = add_customer(ctx, "Lapsed, bought again", last=recent, status="lapsed")
    lost = add_customer(ctx, "Lost by hand", last=recent, status="lost")
    lost_old = add_customer(ctx, "Lost long ago", last=old, status="lost")
    no_date = add_customer(ctx, "No date", last=None, status="active")
    fresh_win = add_customer(ctx, "Won back last week", last=old, status="won_back")
    add_won_back_call(ctx, fresh_win, dt.datetime.combine(today, dt.time(9)) - dt.timedelta(days=7))
    stale_win = add_customer(ctx, "Won back, then gone", last=old, status="won_back")
    add_won_back_call(ctx, stale_win, dt.datetime.combine(roster.months_before(today, 8), dt.time(9)))
    bought_win = add_customer(ctx, "Won back and buying", last=recent, status="won_back")

    assert roster.refresh_statuses(ctx) == 3
    assert get(ctx, active_gone).status == "lapsed"
    assert get(ctx, lapsed_back).status == "active"
    assert get(ctx, lost).status == "lost"
    assert get(ctx, lost_old).status == "lost"
    assert get(ctx, no_date).status == "active"
    assert get(ctx, fresh_win).status == "won_back"  # the win-back restarted the clock
    assert get(ctx, stale_win).status == "lapsed"  # lapsed again after being won back
    assert get(ctx, bought_win).status == "won_back"
    assert roster.refresh_statuses(ctx) == 0
    # The lapsed list agrees: the fresh win-back is not on it.
    assert "Won back last week" not in names(roster.lapsed(ctx))
    assert "Won back, then gone" in names(roster.lapsed(ctx))


def test_refresh_statuses_as_of_and_months(ctx):
    cid = add_customer(ctx, "Four months", last=D(2024, 4, 30), status="active")
    assert roster.refresh_statuses(ctx, as_of=AUG31, months=6) == 0
    assert roster.refresh_statuses(ctx, as_of=AUG31, months=3) == 1
    assert get(ctx, cid).status == "lapsed"
    assert roster.refresh_statuses(ctx, as_of=AUG31, months=6) == 1
    assert get(ctx, cid).status == "active"


def test_mark_lost_by_hand(ctx):
    today = dt.date.today()
    cid = add_customer(ctx, "Told us they signed elsewhere", last=today, notes="Big account.")
    roster.mark_lost(ctx, cid, "signed with a regional wholesaler")
    c = get(ctx, cid)
    assert c.status == "lost"
    assert c.notes.startswith("Big account.\n")
    assert f"Marked lost on {today.isoformat()}: signed with a regional wholesaler" in c.notes
    roster.refresh_statuses(ctx)
    assert get(ctx, cid).status == "lost"  # the rule never undoes a hand mark
    assert get(ctx, cid).priority > 0  # departed: ranked at once
    assert roster.unmark_lost(ctx, cid) == "active"
    with pytest.raises(LookupError):
        roster.mark_lost(ctx, 999, "x")
