"""The team load test (bench/team_load.py) for a few seconds with three desk processes on the
test's own PostgreSQL database: every save each desk made is in the database afterwards, read
back here with a connection of this test's own. No timing is asserted: the numbers are
bench/'s (python bench/team_load.py, 20 desks for 60 s)."""

from __future__ import annotations

import os

import pytest

from tests.helpers.roster import add_customer
from tests.helpers.test_database import server_url

pytestmark = pytest.mark.skipif(
    server_url() is None, reason="the team load test needs a PostgreSQL server (WINBACK_TEST_DATABASE_URL)"
)


def _notes(url: str, call_id: int) -> dict[str, str]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT stage, field, value FROM stage_answers WHERE call_id = %s", (call_id,)
        ).fetchall()
    return {f"{stage}.{key}": value for stage, key, value in rows}


def test_three_desks_lose_no_write() -> None:
    from bench import team_load

    url = os.environ["WINBACK_DATABASE_URL"]  # this test's fresh database (tests/conftest.py)
    t = team_load.run(url, desks=3, seconds=4, customers=600, log=lambda _m: None)

    assert t.failed == [], t.failed
    assert t.lost == [], t.lost
    assert t.server_deadlocks == 0
    assert len(t.results) == 3 and {r.desk for r in t.results} == {1, 2, 3}
    assert len({r.call_id for r in t.results}) == 3  # one call each
    for r in t.results:
        assert r.saves > 0 and r.last, r  # each desk saved, so there was something to lose
        held = _notes(url, r.call_id)
        for slot, text in r.last.items():
            assert held[slot] == text, (r.desk, slot)
            assert text.startswith(f"Desk {r.desk} notes:")  # its own text, not another desk's


def test_the_read_back_sees_a_lost_write(ctx) -> None:
    """The check is not a formality: a note changed behind the desk's back is reported lost,
    and one the database holds as saved is not."""
    from bench import team_load
    from winback_desktop.services.calls import lifecycle as calls

    url = os.environ["WINBACK_DATABASE_URL"]
    call_id = calls.start_call(ctx, add_customer(ctx, "Harbour Foods"))
    calls.save_field(ctx, call_id, "probe", "their_story", "Desk 1 notes: late crates")
    calls.save_field(ctx, call_id, "probe", "what_it_takes", "Desk 1 notes: a credit")
    desk = team_load.DeskResult(1, call_id, saves=2)
    desk.last = {
        "probe.their_story": "Desk 1 notes: late crates",
        "probe.what_it_takes": "Desk 1 notes: a credit",
    }
    assert team_load.read_back(url, [desk]) == []

    calls.save_field(ctx, call_id, "probe", "their_story", "overwritten")
    lost = team_load.read_back(url, [desk])
    assert len(lost) == 1 and f"call {call_id} probe.their_story" in lost[0] and "'overwritten'" in lost[0]
