"""The partner's follow-up board: order, overdue, filters, changes, counts, CSV and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import os
import stat
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, insert, select

from tests.helpers.zone import local_zone
from winback_desktop.cli import followups as cli_followups
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.followups import board as followups
from winback_desktop.services.followups.board import NO_OWNER, BoardCounts
from winback_desktop.services.roster import card as customers
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import ActionItem, Call, Customer, Person

TODAY = dt.date(2026, 3, 11)  # a Wednesday
DAY = dt.timedelta(days=1)


# --- helpers ------------------------------------------------------------------------------------


def add_person(ctx, name: str, role: str = "partner", active: bool = True) -> int:
    with transaction(ctx.sessions) as s:
        p = Person(name=name, role=role, active=active)
        s.add(p)
        s.flush()
        return p.id


def add_customer(ctx, company: str, **fields) -> int:
    with transaction(ctx.sessions) as s:
        c = Customer(company=company, value_lost=Decimal("1000"), **fields)
        s.add(c)
        s.flush()
        return c.id


def add_call(ctx, customer_id: int, caller_id: int, partner_id: int | None = None) -> int:
    when = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    return schedule.schedule_call(ctx, customer_id, when, 30, caller_id, partner_id).call_id


@pytest.fixture
def team(ctx):
    """Two partners (names sort case-insensitively: 'anna' before 'Zoë'), a caller, two customers."""
    zoe = add_person(ctx, "Zoë Whitfield")
    anna = add_person(ctx, "anna Berg")
    caller = add_person(ctx, "Rafael Mendonça", role="executive")
    acme = add_customer(ctx, "Ærøskøbing Købmand", contact_name="Søren Østergård", external_id="00042")
    bolt = add_customer(ctx, "Bolt & Nut Supply", contact_name="Jo Park")
    call_a = add_call(ctx, acme, caller, zoe)
    call_b = add_call(ctx, bolt, caller, anna)
    return dict(zoe=zoe, anna=anna, caller=caller, acme=acme, bolt=bolt, call_a=call_a, call_b=call_b)


@contextmanager
def statements(engine):
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


# --- the board ----------------------------------------------------------------------------------


def test_board_orders_by_owner_then_due_date_then_id(ctx, team):
    z_late = calls.add_action(ctx, team["call_a"], "z late", team["zoe"], TODAY + 5 * DAY)
    z_none = calls.add_action(ctx, team["call_a"], "z no date", team["zoe"], None)
    z_soon = calls.add_action(ctx, team["call_b"], "z soon", team["zoe"], TODAY)
    z_soon2 = calls.add_action(ctx, team["call_a"], "z soon too", team["zoe"], TODAY)
    a_one = calls.add_action(ctx, team["call_b"], "a", team["anna"], TODAY + 30 * DAY)
    nobody = calls.add_action(ctx, team["call_b"], "nobody's", None, TODAY - DAY)
    with transaction(ctx.sessions) as s:  # add_action gives the call's partner; take it away
        s.get(ActionItem, nobody).owner_id = None

    items = followups.board(ctx, today=TODAY)

    assert [f.id for f in items] == [a_one, z_soon, z_soon2, z_late, z_none, nobody]
    assert [f.owner_name for f in items] == ["anna Berg"] + ["Zoë Whitfield"] * 4 + [""]


def test_add_action_defaults_to_the_calls_partner(ctx, team):
    item = calls.add_action(ctx, team["call_a"], "thank-you note")
    assert followups.get(ctx, item).owner_id == team["zoe"]


def test_overdue_only_when_open_and_due_before_today(ctx, team):
    late = calls.add_action(ctx, team["call_a"], "late", team["zoe"], TODAY - 3 * DAY)
    today = calls.add_action(ctx, team["call_a"], "today", team["zoe"], TODAY)
    undated = calls.add_action(ctx, team["call_a"], "undated", team["zoe"], None)
    done_late = calls.add_action(ctx, team["call_a"], "done late", team["zoe"], TODAY - 9 * DAY)
    followups.mark_done(ctx, done_late, "sent")

    by_id = {f.id: f for f in followups.board(ctx, status="all", today=TODAY)}

    assert (by_id[late].overdue, by_id[late].days_overdue) == (True, 3)
    for item in (today, undated, done_late):
        assert (by_id[item].overdue, by_id[item].days_overdue) == (False, 0)
    # The same item is not overdue when "today" is its due date.
    assert not followups.get(ctx, late, today=TODAY - 3 * DAY).overdue


def test_one_row_carries_customer_call_and_people(ctx, team):
    item = calls.add_action(ctx, team["call_a"], "Send the guarantee", team["zoe"], TODAY)
    f = followups.get(ctx, item, today=TODAY)
    assert (f.call_id, f.customer_id, f.company, f.contact) == (
        team["call_a"],
        team["acme"],
        "Ærøskøbing Købmand",
        "Søren Østergård",
    )
    assert f.customer_external_id == "00042"
    assert (f.owner_id, f.owner_name, f.caller_name) == (team["zoe"], "Zoë Whitfield", "Rafael Mendonça")
    assert f.call_at == dt.datetime(2026, 3, 2, 9, 30)
    assert f.call_date is not None
    assert f.created_at is not None and f.done_at is None and f.status == "open"


def test_filters(ctx, team):
    z_late = calls.add_action(ctx, team["call_a"], "z late", team["zoe"], TODAY - 2 * DAY)
    z_next = calls.add_action(ctx, team["call_a"], "z next week", team["zoe"], TODAY + 7 * DAY)
    a_done = calls.add_action(ctx, team["call_b"], "a done", team["anna"], TODAY - 5 * DAY)
    a_gone = calls.add_action(ctx, team["call_b"], "a cancelled", team["anna"], TODAY)
    orphan = calls.add_action(ctx, team["call_b"], "orphan", team["anna"], TODAY + DAY)
    followups.mark_done(ctx, a_done)
    followups.cancel(ctx, a_gone, "customer sorted it themselves")
    followups.reassign(ctx, orphan, None)

    def ids(**filters):
        return {f.id for f in followups.board(ctx, today=TODAY, **filters)}

    assert ids() == {z_late, z_next, orphan}
    assert ids(status="done") == {a_done}
    assert ids(status="cancelled") == {a_gone}
    assert ids(status="all") == {z_late, z_next, a_done, a_gone, orphan}
    assert ids(owner_id=team["zoe"]) == {z_late, z_next}
    assert ids(owner_id=team["anna"], status="all") == {a_done, a_gone}
    assert ids(owner_id=NO_OWNER) == {orphan}
    assert ids(overdue_only=True) == {z_late}
    assert ids(overdue_only=True, status="all") == {z_late}  # done items are never overdue
    assert ids(due_before=TODAY + 7 * DAY) == {z_late, orphan}  # strictly before
    assert ids(customer_text="ærø") == {z_late, z_next}  # case-folded, accents and all
    assert ids(customer_text="bolt park") == {orphan}  # every word, anywhere in the customer
    assert ids(customer_text="bolt zzz") == set()
    assert ids(customer_text="%") == set()  # LIKE wildcards are literal

    with pytest.raises(LookupError, match="no person with id 999"):
        followups.board(ctx, owner_id=999)
    with pytest.raises(ValueError, match="unknown status"):
        followups.board(ctx, status="pending")


def test_board_is_one_query(ctx, team):
    for i in range(30):
        calls.add_action(ctx, team["call_a" if i % 2 else "call_b"], f"item {i}", team["zoe"], TODAY)
    with statements(ctx.engine) as seen:
        items = followups.board(ctx, status="all", today=TODAY)
    selects = [q for q in seen if q.lstrip().upper().startswith("SELECT")]
    assert len(items) == 30
    assert len(selects) == 1, selects
    with statements(ctx.engine) as seen:
        followups.board(ctx, owner_id=team["zoe"], today=TODAY)
    # The owner is looked up (unknown id -> LookupError), then the one board query.
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 2


# --- changing items ---------------------------------------------------------------------------------


def test_mark_done_with_a_note_moves_the_item_to_done(ctx, team):
    item = calls.add_action(ctx, team["call_a"], "Send the credit note", team["zoe"], TODAY - DAY)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=2)

    followups.mark_done(ctx, item, "  Credit note CN-1182 sent; Søren confirmed.  ")

    assert item not in {f.id for f in followups.board(ctx, today=TODAY)}
    done = {f.id: f for f in followups.board(ctx, status="done", today=TODAY)}
    assert done[item].done_note == "Credit note CN-1182 sent; Søren confirmed."
    assert done[item].done_at is not None and done[item].done_at >= before
    assert not done[item].overdue
    first_done_at = done[item].done_at

    followups.mark_done(ctx, item)  # again, with no note: keeps the note and the first time
    again = followups.get(ctx, item)
    assert (again.done_note, again.done_at) == ("Credit note CN-1182 sent; Søren confirmed.", first_done_at)


def test_mark_done_without_a_note_is_allowed(ctx, team):
    item = calls.add_action(ctx, team["call_a"], "Call back", team["zoe"], TODAY)
    followups.mark_done(ctx, item)
    f = followups.get(ctx, item)
    assert (f.status, f.done_note) == ("done", "")
    assert f.done_at is not None


def test_reopen_puts_it_back_and_keeps_the_note(ctx, team):
    item = calls.add_action(ctx, team["call_a"], "Send the guarantee", team["zoe"], TODAY - 2 * DAY)
    followups.mark_done(ctx, item, "posted")
    followups.reopen(ctx, item)
    f = followups.get(ctx, item, today=TODAY)
    assert (f.status, f.done_at, f.done_note) == ("open", None, "posted")
    assert f.overdue and f.days_overdue == 2
    assert item in {x.id for x in followups.board(ctx, today=TODAY)}
    assert item not in {x.id for x in followups.board(ctx, status="done", today=TODAY)}


def test_done_at_follows_every_status_change(ctx, team):
    """Set when marked done (kept when marked done again), cleared on reopen and on cancel."""
    item = calls.add_action(ctx, team["call_a"], "Send the price list", team["zoe"], TODAY)

    def state() -> tuple[str, dt.datetime | None]:
        f = followups.get(ctx, item)
        return f.status, f.done_at

    assert state() == ("open", None)
    followups.mark_done(ctx, item)
    status, first = state()
    assert status == "done" and first is not None
    followups.mark_done(ctx, item, "sent")
    assert state() == ("done", first)
    followups.reopen(ctx, item)
    assert state() == ("open", None)
    followups.cancel(ctx, item, "no longer needed")
    assert state() == ("cancelled", None)  # a cancelled promise was never done
    followups.mark_done(ctx, item)
    status, later = state()
    assert status == "done" and later is not None and later >= first
    followups.cancel(ctx, item)
    assert state() == ("cancelled", None)
    followups.reopen(ctx, item)
    assert state() == ("open", None)


def test_the_call_window_cannot_change_a_status(ctx, team):
    """Status changes belong to the follow-up board, so done_at never drifts from the status."""
    item = calls.add_action(ctx, team["call_a"], "Send the price list", team["zoe"], TODAY)
    for change in ({"status": "done"}, {"done_note": "x"}):
        with pytest.raises(ValueError, match="cannot change"):
            calls.update_action(ctx, item, **change)
    calls.update_action(ctx, item, what="Send the new price list", due_date=TODAY + DAY)
    f = followups.get(ctx, item)
    assert (f.what, f.due_date, f.status, f.done_at) == ("Send the new price list", TODAY + DAY, "open", None)


def test_reassign_and_set_due(ctx, team):
    item = calls.add_action(ctx, team["call_a"], "Visit", team["zoe"], TODAY - DAY)
    followups.reassign(ctx, item, team["anna"])
    assert [f.id for f in followups.board(ctx, owner_id=team["anna"])] == [item]
    assert followups.board(ctx, owner_id=team["zoe"]) == []

    followups.set_due(ctx, item, TODAY + 3 * DAY)
    f = followups.get(ctx, item, today=TODAY)
    assert (f.due_date, f.overdue) == (TODAY + 3 * DAY, False)
    followups.set_due(ctx, item, None)
    assert followups.get(ctx, item).due_date is None

    with pytest.raises(LookupError, match="no person with id 999"):
        followups.reassign(ctx, item, 999)
    retired = add_person(ctx, "Old Hand", active=False)
    with pytest.raises(ValueError, match="retired"):
        followups.reassign(ctx, item, retired)
    assert followups.get(ctx, item).owner_id == team["anna"]  # nothing changed


@pytest.mark.parametrize(
    "change",
    [
        lambda ctx: followups.mark_done(ctx, 4242, "x"),
        lambda ctx: followups.reopen(ctx, 4242),
        lambda ctx: followups.cancel(ctx, 4242),
        lambda ctx: followups.reassign(ctx, 4242, None),
        lambda ctx: followups.set_due(ctx, 4242, TODAY),
        lambda ctx: followups.get(ctx, 4242),
    ],
)
def test_unknown_action_item_is_a_clear_lookup_error(ctx, change):
    with pytest.raises(LookupError, match="no action item with id 4242"):
        change(ctx)


# --- counts and the owner filter ----------------------------------------------------------------


def test_counts(ctx, team):
    sunday = TODAY + 4 * DAY
    calls.add_action(ctx, team["call_a"], "overdue", team["zoe"], TODAY - DAY)
    calls.add_action(ctx, team["call_a"], "today", team["zoe"], TODAY)
    calls.add_action(ctx, team["call_a"], "sunday", team["anna"], sunday)
    calls.add_action(ctx, team["call_a"], "next monday", team["zoe"], sunday + DAY)
    calls.add_action(ctx, team["call_a"], "undated", team["zoe"], None)
    recent = calls.add_action(ctx, team["call_b"], "done recently", team["anna"], TODAY)
    old = calls.add_action(ctx, team["call_b"], "done long ago", team["anna"], TODAY)
    gone = calls.add_action(ctx, team["call_b"], "cancelled", team["anna"], TODAY - DAY)
    followups.mark_done(ctx, recent, "ok")
    followups.mark_done(ctx, old, "ok")
    followups.cancel(ctx, gone)
    with transaction(ctx.sessions) as s:
        s.get(ActionItem, recent).done_at = dt.datetime.combine(TODAY - 2 * DAY, dt.time(10))
        s.get(ActionItem, old).done_at = dt.datetime.combine(TODAY - 45 * DAY, dt.time(10))

    assert followups.counts(ctx, TODAY) == BoardCounts(
        open=5, overdue=1, due_this_week=2, done_last_30_days=1
    )
    assert followups.counts(ctx, TODAY, owner_id=team["anna"]) == BoardCounts(1, 0, 1, 1)
    assert followups.counts(ctx, TODAY, owner_id=NO_OWNER) == BoardCounts(0, 0, 0, 0)
    # On Sunday, "this week" is just today.
    assert followups.counts(ctx, sunday).due_this_week == 1


def test_done_in_the_last_30_days_counts_local_days(ctx, team):
    """Tokyo (UTC+9): done at 08:00 local on the window's first day is stored as 23:00 UTC the
    day before; it is inside the window, and 08:00 the day before is not."""
    first = TODAY - 30 * DAY
    inside = calls.add_action(ctx, team["call_b"], "early on the first day", team["anna"], TODAY)
    outside = calls.add_action(ctx, team["call_b"], "the day before", team["anna"], TODAY)
    for item in (inside, outside):
        followups.mark_done(ctx, item, "ok")
    with transaction(ctx.sessions) as s:
        s.get(ActionItem, inside).done_at = dt.datetime.combine(first - DAY, dt.time(23))
        s.get(ActionItem, outside).done_at = dt.datetime.combine(first - DAY, dt.time(0))
    with local_zone("Asia/Tokyo"):
        assert followups.counts(ctx, TODAY).done_last_30_days == 1


def test_counts_on_an_empty_database(ctx):
    assert followups.counts(ctx) == BoardCounts(0, 0, 0, 0)
    assert followups.board(ctx) == []
    assert followups.owners_with_open_items(ctx) == []


def test_owners_with_open_items(ctx, team):
    calls.add_action(ctx, team["call_a"], "z1", team["zoe"], TODAY - DAY)
    calls.add_action(ctx, team["call_a"], "z2", team["zoe"], None)
    done = calls.add_action(ctx, team["call_b"], "a done", team["anna"], TODAY)
    followups.mark_done(ctx, done)
    orphan = calls.add_action(ctx, team["call_b"], "orphan", team["anna"], TODAY - 3 * DAY)
    followups.reassign(ctx, orphan, None)
    retiring = add_person(ctx, "Ben Retiring")
    calls.add_action(ctx, team["call_b"], "b", retiring, TODAY)
    with transaction(ctx.sessions) as s:
        s.get(Person, retiring).active = False

    options = followups.owners_with_open_items(ctx, today=TODAY)

    assert [(o.id, o.name, o.open_items, o.overdue, o.active) for o in options] == [
        (retiring, "Ben Retiring", 1, 0, False),
        (team["zoe"], "Zoë Whitfield", 2, 1, True),
        (NO_OWNER, followups.NO_OWNER_LABEL, 1, 1, True),
    ]  # anna has nothing open; the unowned come last


# --- the sample data ----------------------------------------------------------------------------


def test_sample_board(demo_ctx):
    today = dt.date.today()  # the sample's dates are relative to the day it was loaded
    open_items = followups.board(demo_ctx, today=today)
    assert len(open_items) == 8
    assert len(followups.board(demo_ctx, status="done", today=today)) == 6
    assert len(followups.board(demo_ctx, status="all", today=today)) == 14
    overdue = [f for f in open_items if f.overdue]
    assert len(overdue) == 1 and overdue[0].days_overdue == (today - overdue[0].due_date).days > 0
    keys = [(f.owner_name.lower(), f.due_date is None, f.due_date or today, f.id) for f in open_items]
    assert keys == sorted(keys)
    counts = followups.counts(demo_ctx, today)
    assert (counts.open, counts.overdue, counts.done_last_30_days) == (8, 1, 6)
    options = followups.owners_with_open_items(demo_ctx, today=today)
    assert sum(o.open_items for o in options) == 8
    assert sum(o.overdue for o in options) == 1
    assert [o.name for o in options] == sorted(o.name for o in options)


def test_next_call_shows_open_promises_on_the_customer_card(ctx, team):
    """A promise made on one call is on the customer's card at the next call, until it is done."""
    kept = calls.add_action(ctx, team["call_a"], "Send the written guarantee", team["zoe"], TODAY)
    done = calls.add_action(ctx, team["call_a"], "Email the summary", team["zoe"], TODAY)
    followups.mark_done(ctx, done, "sent")
    calls.finish_call(ctx, team["call_a"])

    card = customers.card(ctx, team["acme"])
    assert [(p.id, p.what, p.owner_name) for p in card.open_promises] == [
        (kept, "Send the written guarantee", "Zoë Whitfield")
    ]
    assert customers.card(ctx, team["bolt"]).open_promises == []

    next_call = calls.start_call(ctx, team["acme"], team["caller"], team["anna"])
    assert next_call != team["call_a"]
    assert [p.id for p in calls.detail(ctx, next_call).customer.open_promises] == [kept]

    followups.mark_done(ctx, kept, "posted on Monday")
    assert calls.detail(ctx, next_call).customer.open_promises == []


# --- CSV ----------------------------------------------------------------------------------------


def test_export_reads_back(ctx, team, tmp_path):
    formula = calls.add_action(ctx, team["call_a"], '=HYPERLINK("http://x","y")', team["zoe"], TODAY)
    accents = calls.add_action(ctx, team["call_a"], "Café visit — Ærø, Großmann", team["zoe"], TODAY - DAY)
    done = calls.add_action(ctx, team["call_b"], "done", team["anna"], TODAY)
    followups.mark_done(ctx, done, "+ sent the note")
    out = tmp_path / "followups.csv"

    n = followups.export_followups(ctx, out, status="all", today=TODAY)

    header, rows = read_csv(out)
    assert n == len(rows) == 3
    assert header[0] == "id"
    assert [r["id"] for r in rows] == [str(f.id) for f in followups.board(ctx, status="all", today=TODAY)]
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[formula]["what"] == '\'=HYPERLINK("http://x","y")'  # neutralized, not run
    assert by_id[accents]["what"] == "Café visit — Ærø, Großmann"
    assert by_id[accents]["company"] == "Ærøskøbing Købmand"
    assert by_id[accents]["customer_external_id"] == "00042"
    assert by_id[accents]["overdue_days"] == "1"
    assert by_id[formula]["overdue_days"] == ""
    assert by_id[done]["done_note"] == "'+ sent the note"
    assert by_id[done]["done_at"].endswith("+00:00")
    assert by_id[accents]["owner"] == "Zoë Whitfield"
    assert by_id[accents]["caller"] == "Rafael Mendonça"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_export_takes_the_board_filters(ctx, team, tmp_path):
    calls.add_action(ctx, team["call_a"], "z", team["zoe"], TODAY - DAY)
    calls.add_action(ctx, team["call_b"], "a", team["anna"], TODAY)
    out = tmp_path / "mine.csv"
    assert followups.export_followups(ctx, out, owner_id=team["anna"], today=TODAY) == 1
    assert [r["what"] for r in read_csv(out)[1]] == ["a"]
    assert followups.export_followups(ctx, out, overdue_only=True, today=TODAY) == 1
    assert [r["what"] for r in read_csv(out)[1]] == ["z"]
    with pytest.raises(FileNotFoundError):
        followups.export_followups(ctx, tmp_path / "missing" / "x.csv")


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def winback(monkeypatch):
    """``winback`` itself, whose ``followups`` command runs cli_followups' handler on the database."""
    from winback_desktop.cli import entry as cli

    args = cli.build_parser().parse_args(["followups", "--overdue"])
    assert args.func.__module__ == cli_followups.__name__ and args.needs_db
    old = os.umask(0o022)
    os.umask(old)
    yield cli.main
    os.umask(old)  # main() sets a private umask for the whole process


def test_cli_table(winback, capsys):
    assert winback(["demo"]) == 0
    capsys.readouterr()

    assert winback(["followups"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "DUE", "STATUS", "OWNER", "CUSTOMER", "WHAT"]
    body = lines[1:-1]
    assert len(body) == 8
    assert len([line for line in body if "OVERDUE" in line]) == 1
    # Aligned: every column starts at the same place on every line.
    for column in ("DUE", "STATUS", "OWNER", "CUSTOMER", "WHAT"):
        at = lines[0].index(column)
        assert all(line[at - 2 : at] == "  " and line[at] != " " for line in body), column
    assert lines[-1].startswith("8 items (board: 8 open, 1 overdue")

    assert winback(["followups", "--overdue"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 3 and "OVERDUE" in out and "d " in out.splitlines()[1]

    assert winback(["followups", "--status", "done"]) == 0
    assert "6 items" in capsys.readouterr().out

    assert winback(["followups", "--owner", "999"]) == 1
    assert "no person with id 999" in capsys.readouterr().err

    assert winback(["followups", "--customer", "no such customer"]) == 0
    assert "No follow-ups match." in capsys.readouterr().out


def test_cli_csv(winback, capsys, tmp_path):
    assert winback(["demo"]) == 0
    out = tmp_path / "followups.csv"
    assert winback(["followups", "-o", str(out), "--status", "all"]) == 0
    assert "wrote 14 follow-ups" in capsys.readouterr().out
    header, rows = read_csv(out)
    assert header[0] == "id" and len(rows) == 14
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600

    missing = tmp_path / "nope" / "f.csv"
    assert winback(["followups", "-o", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.count("cannot write") == 1 and "does not exist" in err


def test_format_table_marks_overdue(ctx, team):
    item = calls.add_action(ctx, team["call_a"], "line one\nline two", team["zoe"], TODAY - 3 * DAY)
    table = cli_followups.format_table(followups.board(ctx, today=TODAY))
    assert "OVERDUE 3d" in table
    assert "line one line two" in table  # one line per item
    assert str(item) in table


# --- scale --------------------------------------------------------------------------------------


def test_board_for_one_owner_among_20000_items(ctx):
    owners = [add_person(ctx, f"Partner {i:02d}") for i in range(10)]
    with transaction(ctx.sessions) as s:
        s.execute(
            insert(Customer),
            [{"company": f"Customer {i}", "search_text": f"customer {i}"} for i in range(2000)],
        )
        customer_ids = list(s.scalars(select(Customer.id)))
        s.execute(
            insert(Call),
            [{"customer_id": cid, "status": "completed", "caller_id": owners[0]} for cid in customer_ids],
        )
        call_rows = s.execute(select(Call.id, Call.customer_id)).all()
        created = dt.datetime(2026, 1, 1)
        s.execute(
            insert(ActionItem),
            [
                {
                    "call_id": call_rows[i % len(call_rows)][0],
                    "customer_id": call_rows[i % len(call_rows)][1],
                    "what": f"promise {i}",
                    "owner_id": owners[i % len(owners)],
                    "due_date": TODAY + dt.timedelta(days=i % 90 - 30),
                    "status": "open" if i % 3 else "done",
                    "created_at": created,
                }
                for i in range(20_000)
            ],
        )

    followups.board(ctx, owner_id=owners[3], today=TODAY)  # warm the connection and caches
    start = time.perf_counter()
    items = followups.board(ctx, owner_id=owners[3], today=TODAY)
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    everything = followups.board(ctx, status="all", today=TODAY)
    all_elapsed = time.perf_counter() - start
    print(
        f"\nboard for one owner: {len(items)} of 20000 items in {elapsed * 1000:.1f} ms; "
        f"all {len(everything)} items in {all_elapsed * 1000:.1f} ms"
    )
    assert len(items) == len([i for i in range(20_000) if i % 10 == 3 and i % 3])
    assert len(everything) == 20_000
