"""Opening a call costs a fixed number of queries, whatever the customer's history: on a team
server each query (and each session's BEGIN and ROLLBACK) is a network round trip, so a lazy
load in a loop (one query per earlier call, per promise, per person) would show as a slow
window. Counted on the sample data, on the database the suite runs on (SQLite, or PostgreSQL
with WINBACK_TEST_DATABASE_URL), for ``calls.detail`` and for a real call window."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event

from winback_desktop.services import roster
from winback_desktop.services.calls import lifecycle as calls

# The bounds: what opening a call takes today. A change that adds a query fails here; if it is
# needed, raise the bound and say why in the commit (and look at bench/run.py's "open").
DETAIL_QUERIES = 6  # the call with its customer, caller and partner; calls; notes; steps; reasons; offers
WINDOW_QUERIES = 11  # the detail, the people, the reasons, the help options, two settings
WINDOW_SESSIONS = 6  # each a BEGIN and a ROLLBACK besides its queries


@dataclass
class Tally:
    statements: list[str] = field(default_factory=list)
    sessions: int = 0  # connections checked out of the pool (one per session)


@contextmanager
def counted(ctx) -> Iterator[Tally]:
    """The statements and sessions this thread sends to ``ctx``'s database meanwhile (other
    threads' -- the presence heartbeat, the change feed -- are not the window's to wait for)."""
    me, tally = threading.get_ident(), Tally()

    def statement(conn, cursor, sql, params, context, many) -> None:
        if threading.get_ident() == me and not sql.lstrip().upper().startswith("BEGIN"):
            tally.statements.append(" ".join(sql.split())[:120])  # SQLite's BEGIN is the session's

    def checkout(*_args) -> None:
        if threading.get_ident() == me:
            tally.sessions += 1

    event.listen(ctx.engine, "before_cursor_execute", statement)
    event.listen(ctx.engine, "checkout", checkout)
    try:
        yield tally
    finally:
        event.remove(ctx.engine, "before_cursor_execute", statement)
        event.remove(ctx.engine, "checkout", checkout)


def harbourline(ctx) -> int:
    """The sample data's customer with a finished call (notes, a promise); a call started."""
    customer = roster.roster_page(ctx, text="Harbourline")[0].id
    return calls.start_call(ctx, customer)


def more_history(ctx, call_id: int, n: int) -> None:
    """``n`` more finished calls with the same customer, each with a note and two next steps."""
    customer = calls.detail(ctx, call_id).customer.id
    calls.finish_call(ctx, call_id)
    for i in range(n):
        earlier = calls.start_call(ctx, customer)
        calls.save_field(ctx, earlier, "probe", "their_story", f"Story {i}")
        for what in ("Send the credit note", "Call back"):
            calls.add_action(ctx, earlier, f"{what} {i}", due=dt.date(2026, 1, 1) + dt.timedelta(days=i))
        calls.finish_call(ctx, earlier)


def cost(ctx, open_it: Callable[[], object]) -> Tally:
    open_it()  # once first: what is read once per process (the script) is not the point
    with counted(ctx) as tally:
        open_it()
    return tally


def test_a_calls_detail_is_one_session_of_one_query_per_table(demo_ctx):
    call_id = harbourline(demo_ctx)
    calls.add_action(demo_ctx, call_id, "Send the price list")
    first = cost(demo_ctx, lambda: calls.detail(demo_ctx, call_id))
    assert first.sessions == 1, first
    assert len(first.statements) <= DETAIL_QUERIES, "\n".join(first.statements)


def test_the_queries_do_not_grow_with_the_customers_history(demo_ctx):
    call_id = harbourline(demo_ctx)
    before = cost(demo_ctx, lambda: calls.detail(demo_ctx, call_id))
    more_history(demo_ctx, call_id, 12)  # more than the timeline shows (8)
    customer = calls.detail(demo_ctx, call_id).customer.id
    now = calls.start_call(demo_ctx, customer)
    calls.add_action(demo_ctx, now, "Send the price list")
    after = cost(demo_ctx, lambda: calls.detail(demo_ctx, now))
    assert len(after.statements) == len(before.statements), "\n".join(after.statements)
    assert after.sessions == 1

    d = calls.detail(demo_ctx, now)  # and what they read is all there
    assert [a.what for a in d.actions] == ["Send the price list"]
    timeline = d.customer.earlier_calls
    assert len(timeline) >= 13
    assert timeline[0].said == "Story 11"
    assert [p.what for p in timeline[0].promised] == ["Send the credit note 11", "Call back 11"]
    assert all(not k.promised for k in timeline[8:])  # beyond the timeline: not read
    open_promises = [p.what for p in d.customer.open_promises]
    assert "Send the price list" not in open_promises  # this call's own are its next steps
    assert {f"Call back {i}" for i in range(12)} <= set(open_promises)
    dues = [p.due_date for p in d.customer.open_promises if p.due_date is not None]
    assert dues == sorted(dues)


@pytest.mark.usefixtures("qapp")
def test_opening_a_call_window_costs_a_fixed_number_of_queries(qtbot, demo_ctx):
    from winback_desktop.ui.call.window import CallWindow

    call_id = harbourline(demo_ctx)
    more_history(demo_ctx, call_id, 10)
    customer = calls.detail(demo_ctx, call_id).customer.id
    call_id = calls.start_call(demo_ctx, customer)
    windows = []

    def open_window() -> None:
        w = CallWindow(demo_ctx, call_id)
        qtbot.addWidget(w)
        w.show()
        windows.append(w)

    tally = cost(demo_ctx, open_window)
    qtbot.waitExposed(windows[-1])
    assert len(tally.statements) <= WINDOW_QUERIES, "\n".join(tally.statements)
    assert tally.sessions <= WINDOW_SESSIONS, tally
    for w in windows:
        w.close()
