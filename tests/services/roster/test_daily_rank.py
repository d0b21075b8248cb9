"""The start of the day's re-rank: at every start on a desk's own file, once per team per day
on a team database (services/roster/daily.py). Both runs: plain (SQLite) and with
WINBACK_TEST_DATABASE_URL (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import text, update

from tests.helpers.roster import add_customer
from tests.helpers.test_database import server_url
from winback_desktop.bootstrap import open_app
from winback_desktop.services.roster.daily import RANK_LOCK, daily_refresh, ranked_on
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Customer

STALE = "stale: not ranked since"
ON_SERVER = server_url() is not None
WAIT_S = 60


def _lapsed_customer(ctx) -> int:
    return add_customer(ctx, "Meridian", last=dt.date.today() - dt.timedelta(days=800), yearly=5000, orders=4)


def _make_stale(ctx, cid: int) -> None:
    with transaction(ctx.sessions) as s:
        s.execute(update(Customer).where(Customer.id == cid).values(priority=1, priority_reason=STALE))


def _reason(ctx, cid: int) -> str:
    with ctx.sessions() as s:
        return s.get(Customer, cid).priority_reason


def test_the_days_rerank_runs_at_every_start_on_a_desk_and_once_a_day_on_a_team(ctx):
    cid = _lapsed_customer(ctx)
    _make_stale(ctx, cid)
    first = daily_refresh(ctx)
    assert first is not None and first[1] >= 1
    assert _reason(ctx, cid) != STALE
    _make_stale(ctx, cid)
    second = daily_refresh(ctx)  # another start the same day
    if ON_SERVER:
        assert second is None  # the team has had today's
        assert _reason(ctx, cid) == STALE
        assert ranked_on(ctx) == dt.date.today()
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        assert daily_refresh(ctx, tomorrow) is not None  # a new day: the first start re-ranks
        assert ranked_on(ctx) == tomorrow
        assert _reason(ctx, cid) != STALE
    else:
        assert second is not None  # a desk's own file: as before, every start
        assert _reason(ctx, cid) != STALE
        assert ranked_on(ctx) is None  # nothing recorded on a desk's own file


@pytest.mark.skipif(not ON_SERVER, reason="a desk's own file has one desk: no other to be re-ranking")
def test_a_desk_starting_while_another_re_ranks_the_team_does_not_re_rank(ctx):
    cid = _lapsed_customer(ctx)
    _make_stale(ctx, cid)
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other_desk:
        other_desk.execute(text("SELECT pg_advisory_lock(:k)"), {"k": RANK_LOCK})
        assert daily_refresh(ctx) is None
        assert _reason(ctx, cid) == STALE
        assert ranked_on(ctx) is None  # not done: the desk holding the lock will record it
        other_desk.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": RANK_LOCK})
    assert daily_refresh(ctx) is not None  # that desk went away without: the next start does it
    assert _reason(ctx, cid) != STALE


def test_desks_starting_together_re_rank_once_on_a_team_and_each_on_their_own(ctx, paths):
    cid = _lapsed_customer(ctx)
    _make_stale(ctx, cid)
    desks = [open_app(paths) for _ in range(4)]
    barrier = threading.Barrier(len(desks))
    got: list[tuple[int, int] | None] = []
    failed: list[BaseException] = []

    def start(desk) -> None:
        try:
            barrier.wait(timeout=WAIT_S)
            got.append(daily_refresh(desk))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    threads = [threading.Thread(target=start, args=(d,), daemon=True) for d in desks]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT_S)
        assert not any(t.is_alive() for t in threads)
    finally:
        for d in desks:
            d.close()
    assert failed == []
    ranked = [x for x in got if x is not None]
    assert len(ranked) == (1 if ON_SERVER else len(desks))
    assert _reason(ctx, cid) != STALE
