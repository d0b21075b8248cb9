"""The one home of display formats: money and dates read the same on screen, on paper, in CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from winback_desktop.formats import (
    MONTHS_SHORT,
    day_month_year,
    day_month_year_time,
    iso_date_time,
    iso_utc,
    money,
    money_whole,
    month_year,
    months_ago,
    short_date,
    short_date_time,
    yes_no,
)
from winback_desktop.ui.kit import format as ui_format

TUESDAY = dt.date(2026, 12, 8)


def test_money() -> None:
    assert money(Decimal("1234.5")) == "1,234.50"
    assert money(Decimal("-0.005")) == "-0.00"  # as before: Decimal rounds half even
    assert money("n/a") == "n/a" and money(None) == "None"  # anything else as plain text
    assert money_whole(Decimal("1234.5")) == "1,234" and money_whole(1235.5) == "1,236"
    assert money_whole(0) == "0" and money_whole(None) == "—" and money_whole(None, empty="") == ""


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**12), max_value=10**12))
def test_whole_money_reads_like_the_formats_it_replaced(value: Decimal) -> None:
    # The reasons (rank.py) used f"{value:,.0f}" on floats, the screens Decimal(value).
    assert money_whole(value) == f"{value:,.0f}" == f"{Decimal(value):,.0f}"
    assert money_whole(float(value)) == f"{float(value):,.0f}"


def test_dates() -> None:
    assert short_date(TUESDAY) == "08 Dec 2026" and short_date(None) == "—"
    assert short_date(None, empty="") == ""
    assert day_month_year(TUESDAY) == "8 Dec 2026" and day_month_year(None) == ""
    assert day_month_year(TUESDAY, weekday=True) == "Tue 8 Dec 2026"
    t = dt.datetime(2026, 12, 8, 9, 5)
    assert day_month_year_time(t) == "8 Dec 2026, 09:05"
    assert day_month_year_time(t, weekday=True) == "Tue 8 Dec 2026, 09:05"
    assert short_date_time(t) == "08 Dec 2026 09:05"
    assert iso_date_time(t) == "2026-12-08 09:05"
    assert month_year(dt.date(2025, 6, 30)) == "June 2025"
    assert " ".join(MONTHS_SHORT) == "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_printed_dates_are_english_whatever_the_locale(d: dt.date) -> None:
    assert day_month_year(d, weekday=True) == f"{d:%a} {d.day} {d:%b} {d.year}"  # C locale in tests


def test_months_ago_and_csv_cells() -> None:
    assert [months_ago(n) for n in (0, 1, 7)] == ["0 months ago", "1 month ago", "7 months ago"]
    assert iso_utc(dt.datetime(2026, 12, 8, 14, 5, 9, 123)) == "2026-12-08T14:05:09+00:00"
    assert iso_utc(None) == ""
    assert [yes_no(v) for v in (True, False, None)] == ["yes", "no", ""]


def test_the_ui_kit_names_are_the_same_formats() -> None:
    assert ui_format.money is money_whole and ui_format.short_date is short_date


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_money_whole_reads_a_float_as_its_decimal_would(value):
    # The float fast path must round exactly as the Decimal of the same float does.
    assert money_whole(value) == money_whole(Decimal(value))


def test_a_count_agrees_with_its_word():
    from winback_desktop.formats import count
    from winback_desktop.ui.roster.panel import count_text

    assert [count(n, "customer") for n in (0, 1, 2, 1204)] == [
        "0 customers",
        "1 customer",
        "2 customers",
        "1,204 customers",
    ]
    assert count(1, "person", "people") == "1 person" and count(3, "person", "people") == "3 people"
    assert count_text(1, filtered=True) == "1 customer matches"
    assert count_text(2, filtered=True) == "2 customers match"
    assert count_text(1) == "1 customer"
    assert count_text(1000, capped=True, filtered=True) == "1,000+ customers match"
