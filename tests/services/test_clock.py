"""Time in one place: store <-> local conversions and local day bounds, across clock changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from tests.helpers.zone import local_zone
from winback_desktop.services import clock

D, T = dt.date, dt.datetime
UTC = dt.UTC


@pytest.fixture
def zone() -> Iterator[Callable[[str], None]]:
    """``zone(name)`` switches the local zone (TZ) for the rest of the test."""
    with ExitStack() as stack:
        yield lambda name: stack.enter_context(local_zone(name))


def test_store_round_trip(zone):
    zone("America/New_York")
    local = T(2024, 7, 1, 10, 30, 15, 999)  # naive: the user's wall clock (EDT, UTC-4)
    stored = clock.to_store(local)
    assert stored == T(2024, 7, 1, 14, 30, 15) and stored.tzinfo is None
    assert clock.to_store(T(2024, 7, 1, 14, 30, tzinfo=UTC)) == T(2024, 7, 1, 14, 30)  # aware: as is
    assert clock.from_store(stored) == T(2024, 7, 1, 14, 30, 15, tzinfo=UTC)
    assert clock.from_store(None) is None
    back = clock.to_local(stored)  # naive from the store is UTC
    assert back.replace(tzinfo=None) == T(2024, 7, 1, 10, 30, 15) and back.utcoffset() == dt.timedelta(
        hours=-4
    )
    assert clock.to_local(clock.from_store(stored)) == back
    assert clock.as_utc(local) == T(2024, 7, 1, 14, 30, 15, 999, tzinfo=UTC)


def test_to_store_refuses_a_date():
    with pytest.raises(ValueError, match="a call needs a date and a time, not datetime.date"):
        clock.to_store(D(2024, 7, 1))  # type: ignore[arg-type]


def test_local_date_of_a_late_evening(zone):
    zone("America/New_York")
    assert clock.local_date(T(2024, 7, 2, 2, 0)) == D(2024, 7, 1)  # 22:00 the evening before
    assert clock.local_date(None) is None
    zone("Asia/Tokyo")
    assert clock.local_date(T(2024, 7, 1, 20, 0)) == D(2024, 7, 2)  # 05:00 the next morning


def test_now_today_and_utcnow_agree():
    before = clock.now()
    naive = clock.utcnow()
    assert before.tzinfo is UTC and naive.tzinfo is None
    assert abs(naive - before.replace(tzinfo=None)) < dt.timedelta(seconds=5)
    assert clock.today() == dt.date.today()


def hours(bounds: tuple[dt.datetime, dt.datetime]) -> float:
    return (bounds[1] - bounds[0]).total_seconds() / 3600


def test_day_bounds_are_local_midnights_in_utc(zone):
    zone("America/New_York")
    assert clock.local_day_bounds(D(2024, 7, 1)) == (T(2024, 7, 1, 4), T(2024, 7, 2, 4))
    assert clock.local_day_bounds(D(2024, 7, 1), 7) == (T(2024, 7, 1, 4), T(2024, 7, 8, 4))
    assert clock.local_day_start(D(2024, 1, 15)) == T(2024, 1, 15, 5)
    zone("UTC")
    assert clock.local_day_bounds(D(2024, 2, 28), 2) == (T(2024, 2, 28), T(2024, 3, 1))  # leap day
    zone("Asia/Kolkata")  # UTC+5:30: the day starts the evening before, in UTC
    assert clock.local_day_bounds(D(2024, 7, 1)) == (T(2024, 6, 30, 18, 30), T(2024, 7, 1, 18, 30))


def test_day_bounds_across_clock_changes_at_2am(zone):
    zone("America/New_York")
    spring = clock.local_day_bounds(D(2024, 3, 10))
    assert spring == (T(2024, 3, 10, 5), T(2024, 3, 11, 4)) and hours(spring) == 23
    autumn = clock.local_day_bounds(D(2024, 11, 3))
    assert autumn == (T(2024, 11, 3, 4), T(2024, 11, 4, 5)) and hours(autumn) == 25
    zone("Europe/London")
    assert hours(clock.local_day_bounds(D(2024, 3, 31))) == 23
    assert hours(clock.local_day_bounds(D(2024, 10, 27))) == 25
    assert hours(clock.local_day_bounds(D(2024, 3, 25), 7)) == 167  # a week with the change in it
    assert hours(clock.local_day_bounds(D(2024, 4, 1), 7)) == 168


def test_a_day_whose_midnight_is_missing_starts_after_the_gap(zone):
    """Chile springs forward at midnight: 8 Sep 2024 begins at 01:00 (-03), 04:00 UTC; the day
    before keeps its last hour."""
    zone("America/Santiago")
    before, day = clock.local_day_bounds(D(2024, 9, 7)), clock.local_day_bounds(D(2024, 9, 8))
    assert before == (T(2024, 9, 7, 4), T(2024, 9, 8, 4)) and hours(before) == 24
    assert day == (T(2024, 9, 8, 4), T(2024, 9, 9, 3)) and hours(day) == 23
    assert clock.local_date(T(2024, 9, 8, 3, 30)) == D(2024, 9, 7)  # 23:30 on the 7th, inside it


def test_a_day_whose_midnight_happens_twice_starts_at_the_first(zone):
    """Cuba falls back from 01:00 to 00:00: 3 Nov 2024 has two midnights-to-one; it starts at the
    first (04:00 UTC) and lasts 25 hours."""
    zone("America/Havana")
    day = clock.local_day_bounds(D(2024, 11, 3))
    assert day == (T(2024, 11, 3, 4), T(2024, 11, 4, 5)) and hours(day) == 25
    assert clock.local_day_bounds(D(2024, 11, 2))[1] == day[0]


@pytest.mark.parametrize(
    "name", ["America/New_York", "Europe/London", "America/Santiago", "Australia/Lord_Howe"]
)
def test_consecutive_days_tile_the_year(zone, name):
    """Every instant belongs to exactly one local day: each day ends where the next begins, and
    every stored time inside a day's bounds has that local date."""
    zone(name)
    day = D(2024, 1, 1)
    while day.year == 2024:
        lo, hi = clock.local_day_bounds(day)
        assert clock.local_day_bounds(day + dt.timedelta(days=1))[0] == hi
        assert clock.local_date(lo) == day and clock.local_date(hi - dt.timedelta(seconds=1)) == day
        day += dt.timedelta(days=1)
