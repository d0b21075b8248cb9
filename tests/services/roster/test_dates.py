"""Calendar-month arithmetic of the lapse rule: month ends, leap years, and properties."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.roster import naive_lapse_date, naive_months_before
from winback_desktop.services.roster.dates import (
    add_months,
    is_lapsed,
    lapse_date,
    months_before,
    months_between,
    parse_date,
    period_label,
    period_start,
)

D = dt.date
dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))
months = st.integers(min_value=0, max_value=1200)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2024, 8, 31), 6, D(2024, 2, 29)),  # leap year
        (D(2023, 8, 31), 6, D(2023, 2, 28)),
        (D(2024, 3, 31), 1, D(2024, 2, 29)),
        (D(2024, 5, 31), 1, D(2024, 4, 30)),
        (D(2025, 1, 15), 6, D(2024, 7, 15)),
        (D(2025, 3, 1), 12, D(2024, 3, 1)),
        (D(2024, 2, 29), 12, D(2023, 2, 28)),
        (D(2025, 6, 30), 0, D(2025, 6, 30)),
    ],
)
def test_months_before_clamps_to_the_month_end(day, n, expected):
    assert months_before(day, n) == expected


def test_add_months_is_months_before_backwards():
    assert add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert months_before(D(2024, 1, 31), -1) == D(2024, 2, 29)


def test_months_outside_the_calendar_is_a_clear_error():
    with pytest.raises(ValueError, match="outside the calendar"):
        months_before(D(1, 3, 1), 12)


@pytest.mark.parametrize(
    ("last", "n", "expected"),
    [
        (D(2025, 1, 15), 6, D(2025, 7, 16)),
        (D(2024, 2, 29), 6, D(2024, 9, 1)),  # a month-end purchase lapses on the 1st after
        (D(2023, 2, 28), 6, D(2023, 9, 1)),
        (D(2024, 8, 31), 6, D(2025, 3, 1)),
        (D(2024, 8, 28), 6, D(2025, 3, 1)),  # February 2025 has no 29th
        (D(2024, 8, 27), 6, D(2025, 2, 28)),
        (D(2023, 8, 28), 6, D(2024, 2, 29)),
    ],
)
def test_lapse_date(last, n, expected):
    assert lapse_date(last, n) == expected
    assert is_lapsed(last, expected, n)
    assert not is_lapsed(last, expected - dt.timedelta(days=1), n)


def test_lapse_rule_at_month_ends():
    # As of 31 August 2024, six months back is 29 February 2024.
    assert is_lapsed(D(2024, 2, 28), D(2024, 8, 31), 6)
    assert not is_lapsed(D(2024, 2, 29), D(2024, 8, 31), 6)
    assert is_lapsed(D(2023, 2, 27), D(2023, 8, 31), 6)
    assert not is_lapsed(D(2023, 2, 28), D(2023, 8, 31), 6)


def test_months_between():
    assert months_between(D(2025, 1, 15), D(2025, 7, 15)) == 6
    assert months_between(D(2025, 1, 15), D(2025, 7, 14)) == 5
    assert months_between(D(2025, 1, 31), D(2025, 2, 28)) == 0
    assert months_between(D(2025, 7, 1), D(2025, 1, 1)) == 0


def test_periods():
    assert period_start(D(2025, 5, 17), "quarter") == D(2025, 4, 1)
    assert period_label(D(2025, 4, 1), "quarter") == "2025-Q2"
    assert period_label(D(2025, 3, 1), "month") == "2025-03"
    with pytest.raises(ValueError, match="month, quarter"):
        period_start(D(2025, 1, 1), "week")


def test_parse_date():
    assert parse_date(" 2025-03-31 ") == D(2025, 3, 31)
    assert parse_date("20250331") == D(2025, 3, 31)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("2025-02-30")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("31/03/2025")


@settings(deadline=None)  # no timing flakes on a busy machine
@given(dates, months)
def test_months_before_is_n_calendar_months_earlier(day, n):
    earlier = months_before(day, n)  # never raises in this range
    assert (day.year * 12 + day.month) - (earlier.year * 12 + earlier.month) == n
    assert earlier.day == min(day.day, calendar.monthrange(earlier.year, earlier.month)[1])
    assert earlier <= day
    assert earlier == naive_months_before(day, n)


@settings(deadline=None)  # no timing flakes on a busy machine
@given(dates, st.integers(min_value=-1200, max_value=1200))
def test_add_months_undoes_months_before_when_the_day_exists(day, n):
    if day.day <= 28:
        assert add_months(months_before(day, n), n) == day


@settings(deadline=None)  # no timing flakes on a busy machine
@given(dates, st.integers(min_value=0, max_value=36))
def test_lapse_date_is_the_first_lapsed_day(last, n):
    first = lapse_date(last, n)
    assert is_lapsed(last, first, n)
    assert not is_lapsed(last, first - dt.timedelta(days=1), n)
    assert first == naive_lapse_date(last, n)


@settings(deadline=None)  # no timing flakes on a busy machine
@given(dates, dates, st.integers(min_value=1, max_value=24))
def test_is_lapsed_is_monotonic_in_the_as_of_date(last, as_of, n):
    if is_lapsed(last, as_of, n):
        assert is_lapsed(last, as_of + dt.timedelta(days=1), n)
        assert as_of >= lapse_date(last, n)


@settings(deadline=None)  # no timing flakes on a busy machine
@given(dates, dates)
def test_months_between_counts_whole_months(a, b):
    k = months_between(a, b)
    if b > a:
        assert months_before(b, k) >= a
        assert months_before(b, k + 1) < a
    else:
        assert k == 0
