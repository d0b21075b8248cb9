"""Presence: a desk with a call open holds a lease; another desk opening the call is told who
is in it; a desk that stopped beating stops counting after the lease time. Both databases."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import update

from tests.helpers.roster import add_customer
from winback_desktop import desk
from winback_desktop.bootstrap import open_app
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.team import presence
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import CallPresence, utcnow

WAIT_S = 10.0


@pytest.fixture
def other(paths, tmp_path):
    """Another desk on the same database: its own config (so its own desk id), its own engine."""
    there = open_app(dataclasses.replace(paths, config=tmp_path / "other-desk-config"))
    yield there
    there.close()


@pytest.fixture
def call_id(ctx):
    return calls.start_call(ctx, add_customer(ctx, "Meridian Foods"))


def test_a_desk_keeps_its_own_id(paths, tmp_path):
    first = presence.desk_id(paths)
    presence._desk_ids.clear()  # as a new process would
    assert presence.desk_id(paths) == first
    assert desk.load(paths).extra[presence.DESK_KEY] == first
    assert presence.desk_id(dataclasses.replace(paths, config=tmp_path / "elsewhere")) != first


def test_another_desk_in_the_call_is_named_with_its_time(ctx, other, call_id):
    here, there = presence.desk_id(ctx.paths), presence.desk_id(other.paths)
    presence.take(other, call_id, there, None, "Priya Shah")
    found = presence.others_in(ctx, [call_id], here)
    assert [(p.holder, p.desk) for p in found] == [("Priya Shah", there)]
    opened = found[0].opened_at
    assert abs(opened - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert presence.describe(found) == f"Priya Shah is in this call (at another desk since {opened:%H:%M})"
    assert presence.others_in(other, [call_id], there) == []  # a desk is not told of itself
    presence.give_back(other, there, [call_id])
    assert presence.others_in(ctx, [call_id], here) == []


def test_a_desk_that_stopped_beating_stops_counting(ctx, other, call_id):
    here, there = presence.desk_id(ctx.paths), presence.desk_id(other.paths)
    presence.take(other, call_id, there, None, "Priya Shah")
    with transaction(other.sessions) as s:  # that desk died 31 s ago: no beat since
        s.execute(update(CallPresence).values(heartbeat_at=utcnow() - dt.timedelta(seconds=31)))
    assert presence.others_in(ctx, [call_id], here) == []
    presence.take(other, call_id, there, None, "Priya Shah")  # it came back: counts again, from now
    (found,) = presence.others_in(ctx, [call_id], here)
    assert abs(found.opened_at - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=20)


def test_two_people_at_two_desks_are_both_named():
    t = dt.datetime(2026, 12, 2, 10, 42, tzinfo=dt.UTC).astimezone()
    a = presence.Presence(1, "d1", None, "Priya", t)
    b = presence.Presence(1, "d2", None, "Sam", t + dt.timedelta(minutes=5))
    assert presence.describe([a, b]) == f"Priya and Sam are in this call (at other desks since {t:%H:%M})"
    assert presence.describe([dataclasses.replace(a, holder="")]).startswith("Someone is in this call")


def test_the_keeper_takes_renews_tells_and_gives_back(ctx, other, call_id):
    there = presence.Keeper(other, heartbeat_s=0.2)
    seen_there: list[list[presence.Presence]] = []
    there.enter(call_id, None, "Priya Shah", seen_there.append)
    assert there.wait_round(WAIT_S)
    assert seen_there[-1] == []  # nobody else yet
    here = presence.Keeper(ctx, heartbeat_s=0.2)
    seen_here: list[list[presence.Presence]] = []
    here.enter(call_id, None, "Sam Ortiz", seen_here.append)
    assert here.wait_round(WAIT_S)
    assert [p.holder for p in seen_here[-1]] == ["Priya Shah"]
    # Priya's desk hears of Sam at its next beat, and its heartbeat moves on
    deadline_rounds = 50
    while not (seen_there[-1] and seen_there[-1][0].holder == "Sam Ortiz") and deadline_rounds:
        assert there.wait_round(WAIT_S)
        deadline_rounds -= 1
    assert [p.holder for p in seen_there[-1]] == ["Sam Ortiz"]
    with other.sessions() as s:
        beats = {r.desk: r.heartbeat_at for r in s.query(CallPresence)}
    assert there.wait_round(WAIT_S) and there.wait_round(WAIT_S)
    with other.sessions() as s:
        later = s.get(CallPresence, (call_id, there.desk))
        assert later is not None and later.heartbeat_at > beats[there.desk]
    there.leave(call_id)
    assert there.wait_round(WAIT_S)
    here.refresh(call_id)
    assert here.wait_round(WAIT_S)
    assert seen_here[-1] == []
    here.close()
    with ctx.sessions() as s:
        assert s.query(CallPresence).count() == 0  # closing gave every lease back
    there.close()


def test_a_read_only_desk_reads_but_takes_no_lease(ctx, other, call_id):
    presence.take(other, call_id, presence.desk_id(other.paths), None, "Priya Shah")
    ctx.read_only = "the disk is read-only"
    kept = presence.Keeper(ctx, heartbeat_s=0.2)
    seen: list[list[presence.Presence]] = []
    kept.enter(call_id, None, "Sam", seen.append)
    assert kept.wait_round(WAIT_S)
    assert [p.holder for p in seen[-1]] == ["Priya Shah"]
    with ctx.sessions() as s:
        assert s.query(CallPresence).count() == 1
    kept.close()
