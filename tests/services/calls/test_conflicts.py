"""Saves under concurrency, on the database the run uses (SQLite, or the team server with
WINBACK_TEST_DATABASE_URL): a note's first save is an upsert; a save names the version its window
knew and never overwrites someone else's change; the notes writer parks such a save for the
caller's choice instead of retrying it; two people deciding about one customer at once are told."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.helpers.roster import add_customer
from winback_desktop.bootstrap import open_app
from winback_desktop.services import roster
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.journal import action_save, field_save, owed
from winback_desktop.services.calls.writer import NotesWriter
from winback_desktop.services.conflicts import SEPARATOR, Choice, Stale
from winback_desktop.store.models import Customer, StageAnswer

N = 40


def at_once(n: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(i)`` for i in 0..n-1 on n threads released together; what each returned or raised."""
    barrier = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - kept for the test to judge
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


@pytest.fixture
def desks(paths):
    """N desks on one database: each its own engine (a process of its own, as far as the database
    can tell), opened before the race so that opening is not what is raced."""
    opened = [open_app(paths) for _ in range(N)]
    yield opened
    for c in opened:
        c.close()


def answers(ctx, call_id: int) -> list[tuple[str, int]]:
    with ctx.sessions() as s:
        rows = s.scalars(select(StageAnswer).where(StageAnswer.call_id == call_id))
        return [(a.value, a.version) for a in rows]


def test_forty_first_saves_of_one_field_at_once_make_one_row(ctx, desks):
    call_id = calls.start_call(ctx, add_customer(ctx, "Harbourline Foods Ltd"))
    typed = [f"Their story, as desk {i} heard it" for i in range(N)]
    out = at_once(N, lambda i: calls.save_field(desks[i], call_id, "probe", "their_story", typed[i]))
    assert [o for o in out if isinstance(o, BaseException)] == []  # a probe: 27 of 40 crashed
    rows = answers(ctx, call_id)
    assert len(rows) == 1
    value, version = rows[0]
    assert value in typed
    assert version == N  # every save counted: 1 for the first, one more for each after it
    assert sorted(out) == list(range(1, N + 1))


def test_forty_first_saves_naming_no_row_one_wins_the_rest_are_told(ctx, desks):
    call_id = calls.start_call(ctx, add_customer(ctx, "Harbourline Foods Ltd"))
    typed = [f"Desk {i}'s words" for i in range(N)]
    out = at_once(N, lambda i: calls.save_field(desks[i], call_id, "probe", "their_story", typed[i], 0))
    won = [i for i, o in enumerate(out) if o == 1]
    told = [o for o in out if isinstance(o, Stale)]
    assert len(won) == 1 and len(told) == N - 1, out
    assert answers(ctx, call_id) == [(typed[won[0]], 1)]
    for stale in told:  # each is shown what stands, and keeps its own words
        assert stale.conflict.theirs == typed[won[0]] and stale.conflict.version == 1
        assert stale.conflict.mine in typed and stale.conflict.mine != typed[won[0]]


def test_a_save_over_a_version_changed_elsewhere_overwrites_nothing(ctx, paths):
    call_id = calls.start_call(ctx, add_customer(ctx, "Harbourline Foods Ltd"))
    other = open_app(paths)  # a second desk process on the same database
    try:
        v1 = calls.save_field(ctx, call_id, "probe", "their_story", "Invoices were late", 0)
        assert calls.detail(ctx, call_id).answer_versions == {"their_story": v1}
        v2 = calls.save_field(other, call_id, "probe", "their_story", "Invoices late; rep rude", v1)
        with pytest.raises(Stale) as raised:
            calls.save_field(ctx, call_id, "probe", "their_story", "Invoices late twice", v1)
    finally:
        other.close()
    c = raised.value.conflict
    assert (c.theirs, c.mine, c.version) == ("Invoices late; rep rude", "Invoices late twice", v2)
    assert c.changed_at is not None and "someone at another desk" in c.sentence()
    assert answers(ctx, call_id) == [("Invoices late; rep rude", v2)]
    # The same words as stored are no conflict: that version is taken on.
    assert calls.save_field(ctx, call_id, "probe", "their_story", "Invoices late; rep rude", v1) == v2


def wait_for(pred: Callable[[], bool], timeout: float = 10.0) -> bool:
    done = threading.Event()
    deadline = threading.Timer(timeout, done.set)
    deadline.start()
    try:
        while not done.is_set():
            if pred():
                return True
            done.wait(0.02)
        return pred()
    finally:
        deadline.cancel()


@pytest.mark.parametrize(
    ("choice", "stored"),
    [
        (Choice.MINE, "Late twice"),
        (Choice.THEIRS, "Late; rep rude"),
        (Choice.BOTH, f"Late; rep rude\n{SEPARATOR}\nLate twice"),
    ],
)
def test_the_writer_parks_a_conflict_and_saves_the_choice(ctx, paths, choice, stored):
    call_id = calls.start_call(ctx, add_customer(ctx, "Harbourline Foods Ltd"))
    v1 = calls.save_field(ctx, call_id, "probe", "their_story", "Late", 0)
    writer = NotesWriter(ctx, retry_s=0.05)
    other = open_app(paths)
    try:
        writer.submit([field_save(call_id, "probe", "their_story", "Late again", v1)])
        assert writer.wait(call_id, 10)  # its own save: no conflict
        # This window still knows v1; the writer knows it saved v2: no conflict with itself.
        writer.submit([field_save(call_id, "probe", "their_story", "Late", v1)])
        assert writer.wait(call_id, 10) and writer.conflicts(call_id) == {}
        calls.save_field(other, call_id, "probe", "their_story", "Late; rep rude", 3)  # another desk
        writer.submit([field_save(call_id, "probe", "their_story", "Late twice", v1)])
        assert wait_for(lambda: bool(writer.conflicts(call_id)))
        assert writer.wait(call_id, 1)  # parked, not owed: never retried blindly
        assert answers(ctx, call_id)[0][0] == "Late; rep rude"
        [(slot, conflict)] = writer.conflicts(call_id).items()
        assert (conflict.theirs, conflict.mine) == ("Late; rep rude", "Late twice")
        assert writer.state(call_id).conflicts == 1
        assert [e.save.args["value"] for e in owed(paths.journal)] == ["Late twice"]  # kept on disk
        assert writer.overlay(calls.detail(ctx, call_id)).answers["their_story"] == "Late twice"
        writer.resolve(slot, choice)
        assert writer.wait(call_id, 10)
        assert answers(ctx, call_id)[0][0] == stored
        assert writer.conflicts(call_id) == {}
        assert wait_for(lambda: owed(paths.journal) == [])  # marked done just after the write
    finally:
        other.close()
        writer.close()


def test_typing_on_while_a_conflict_waits_updates_what_is_kept(ctx, paths):
    call_id = calls.start_call(ctx, add_customer(ctx, "Harbourline Foods Ltd"))
    calls.save_field(ctx, call_id, "probe", "their_story", "Theirs", None)
    writer = NotesWriter(ctx, retry_s=0.05)
    try:
        writer.submit([field_save(call_id, "probe", "their_story", "Mine", 0)])
        assert wait_for(lambda: bool(writer.conflicts(call_id)))
        writer.submit([field_save(call_id, "probe", "their_story", "Mine, and more", 0)])
        [(slot, conflict)] = writer.conflicts(call_id).items()
        assert conflict.mine == "Mine, and more"
        assert answers(ctx, call_id)[0][0] == "Theirs"
        writer.resolve(slot, Choice.MINE)
        assert writer.wait(call_id, 10)
        assert answers(ctx, call_id)[0][0] == "Mine, and more"
    finally:
        writer.close()


def test_a_next_step_changed_elsewhere_is_not_overwritten(ctx, paths):
    call_id = calls.start_call(ctx, add_customer(ctx, "Harbourline Foods Ltd"))
    step = calls.add_action(ctx, call_id, "Send the price list")
    loaded = calls.detail(ctx, call_id).actions[0].version
    other = open_app(paths)
    writer = NotesWriter(ctx, retry_s=0.05)
    try:
        calls.update_action(other, step, loaded, what="Send the price list and the credit note")
        writer.submit([action_save(call_id, step, {"what": "Call back Tuesday"}, loaded)])
        assert wait_for(lambda: bool(writer.conflicts(call_id)))
        [(slot, conflict)] = writer.conflicts(call_id).items()
        assert conflict.theirs.startswith("Send the price list and the credit note")
        assert conflict.mine.startswith("Call back Tuesday")
        writer.resolve(slot, Choice.BOTH)
        assert writer.wait(call_id, 10)
    finally:
        writer.close()
        other.close()
    assert calls.detail(ctx, call_id).actions[0].what == (
        f"Send the price list and the credit note\n{SEPARATOR}\nCall back Tuesday"
    )


def test_two_people_marking_one_customer_lost_at_once_neither_reason_is_lost(ctx, paths):
    customer = add_customer(ctx, "Harbourline Foods Ltd", status="lapsed")
    version = roster.roster_search(ctx, text="Harbourline").rows[0].version
    two = [open_app(paths), open_app(paths)]
    reasons = ["Went to a competitor", "Closed their Leeds site"]
    try:
        out = at_once(2, lambda i: roster.mark_lost(two[i], customer, reasons[i], version))
    finally:
        for c in two:
            c.close()
    stale = [o for o in out if isinstance(o, Stale)]
    assert len(stale) == 1 and version + 1 in out, out
    loser = out.index(stale[0])
    conflict = stale[0].conflict
    assert reasons[1 - loser] in conflict.theirs and reasons[loser] in conflict.mine
    # Told, the second keeps both: both reasons stand in the notes.
    roster.mark_lost(ctx, customer, reasons[loser], conflict.version)
    with ctx.sessions() as s:
        notes = s.get(Customer, customer).notes
    assert all(r in notes for r in reasons)


def test_keep_mine_over_someone_elses_lost_mark_replaces_their_line(ctx):
    customer = add_customer(ctx, "Harbourline Foods Ltd", status="lapsed")
    v = roster.mark_lost(ctx, customer, "Went to a competitor")
    with pytest.raises(Stale) as raised:
        roster.mark_lost(ctx, customer, "Closed their Leeds site", v - 1)
    c = raised.value.conflict
    roster.mark_lost(ctx, customer, "Closed their Leeds site", c.version, instead_of=str(c.stored["line"]))
    with ctx.sessions() as s:
        notes = s.get(Customer, customer).notes
    assert "Closed their Leeds site" in notes and "competitor" not in notes


def test_a_decision_taken_elsewhere_meanwhile_is_shown(ctx):
    customer = add_customer(ctx, "Harbourline Foods Ltd", status="lapsed")
    version = roster.roster_search(ctx, text="Harbourline").rows[0].version
    roster.decide(ctx, customer, "let_go", "Always disputes invoices", version)
    with pytest.raises(Stale) as raised:
        roster.decide(ctx, customer, "pursue", "", version)
    assert raised.value.conflict.theirs == "Let go — Always disputes invoices"
    assert roster.decide(ctx, customer, "let_go", "Always disputes invoices", version) == version + 1
