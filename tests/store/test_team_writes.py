"""Write transactions on a team server: serializable, a refused one run again (nothing of
either desk's change lost), and named when it cannot be (store/connection.py's docstring).

The interleaving is real: two engines, a desk's transaction reading a customer, another desk
changing that customer and committing, then the first writing what it read. SQLite cannot be
brought to that interleaving (its writers take turns from the start, BEGIN IMMEDIATE), so on
the SQLite run the same two desks write one after the other and both changes are kept too.
"""

from __future__ import annotations

import threading

import pytest

from tests.helpers.roster import add_customer
from tests.helpers.test_database import server_url
from winback_desktop.store.connection import make_engine, make_session_factory, retrying, transaction
from winback_desktop.store.errors import WriteConflict, known_problem
from winback_desktop.store.models import Customer

WAIT_S = 30


def _other_desk(ctx):
    """A second desk's sessions on the same database, with an engine of its own."""
    url = ctx.paths.database_url
    engine = make_engine(url if url is not None else ctx.paths.database)
    return engine, make_session_factory(engine)


def _add_note(sessions, cid: int, word: str, between=None) -> None:
    """Read the customer's notes, (let another desk go between), write them with ``word`` added."""
    with transaction(sessions) as s:
        c = s.get(Customer, cid)
        assert c is not None
        notes = c.notes
        if between is not None:
            between()
        c.notes = f"{notes} {word}".strip()


def _interleaved(ctx, *, attempts: int):
    """Desk A reads the notes; desk B adds "B" and commits; A adds "A". Returns A's runs."""
    cid = add_customer(ctx, "Meridian")
    engine, other = _other_desk(ctx)
    runs: list[int] = []

    def desk_b() -> None:
        done = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            try:
                _add_note(other, cid, "B")
            except BaseException as exc:  # noqa: BLE001 - reported below
                failed.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, daemon=True).start()
        assert done.wait(WAIT_S), "the second desk's write never finished"
        assert failed == []

    def unit() -> None:
        runs.append(1)
        # Only the first run lets desk B go between; a run again reads B's change.
        _add_note(ctx.sessions, cid, "A", desk_b if len(runs) == 1 else None)

    try:
        yield_error: BaseException | None = None
        try:
            retrying(unit, attempts=attempts)
        except BaseException as exc:  # noqa: BLE001 - the caller looks at it
            yield_error = exc
    finally:
        engine.dispose()
    with ctx.sessions() as s:
        notes = s.get(Customer, cid).notes
    return runs, notes, yield_error


server_only = pytest.mark.skipif(
    server_url() is None, reason="a serialization failure needs a server (SQLite's writers take turns)"
)


@server_only
def test_a_write_the_server_refuses_is_run_again_and_neither_desks_change_is_lost(ctx):
    runs, notes, error = _interleaved(ctx, attempts=3)
    assert error is None
    assert len(runs) == 2  # refused once (desk B changed what A had read), then run again
    assert notes == "B A"


@server_only
def test_a_write_still_refused_when_the_tries_run_out_is_named_and_saves_nothing(ctx):
    runs, notes, error = _interleaved(ctx, attempts=1)
    assert isinstance(error, WriteConflict)
    known = known_problem(error)
    assert known is error
    assert known.sentence == (
        "Another desk changed the same records at the same moment; nothing was saved: try again."
    )
    assert "could not serialize" in error.detail
    assert notes == "B"  # desk B's change kept, nothing of A's half-written
    assert runs == [1]


def test_two_desks_writing_one_customer_one_after_the_other_keep_both_changes(ctx):
    """Both databases: a write waits for the other desk's, reads it, and adds to it."""
    cid = add_customer(ctx, "Meridian")
    engine, other = _other_desk(ctx)
    try:
        threads = [
            threading.Thread(target=retrying, args=(lambda s=sessions, w=word: _add_note(s, cid, w),))
            for sessions, word in ((ctx.sessions, "A"), (other, "B"))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT_S)
        assert not any(t.is_alive() for t in threads)
    finally:
        engine.dispose()
    with ctx.sessions() as s:
        assert sorted(s.get(Customer, cid).notes.split()) == ["A", "B"]
