"""Rescue cycles: dates, quota, filling from the ranked roster, progress."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import select

from winback_desktop.cli.entry import main
from winback_desktop.services.calls import attempts
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.cycles import progress as cycle_reading
from winback_desktop.services.cycles import rescue as cycles
from winback_desktop.services.followups import board as followups
from winback_desktop.services.people import team as people
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Customer, CycleAssignment


@pytest.fixture(autouse=True)
def keep_umask():
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def make_customer(
    ctx, company: str, priority: float, decision: str = "pursue", status: str = "lapsed"
) -> int:
    with transaction(ctx.sessions) as s:
        c = Customer(company=company, priority=priority, decision=decision, status=status)
        s.add(c)
        s.flush()
        return c.id


@pytest.fixture
def team(ctx):
    return {
        "ex1": people.add_person(ctx, "Ana Exec", "executive"),
        "ex2": people.add_person(ctx, "Ben Exec", "executive"),
        "p1": people.add_person(ctx, "Pia Partner", "partner"),
        "p2": people.add_person(ctx, "Per Partner", "partner"),
        "c1": people.add_person(ctx, "Cara Caller", "caller"),
        "c2": people.add_person(ctx, "Cole Caller", "caller"),
        "c3": people.add_person(ctx, "Cy Caller", "caller"),
    }


@pytest.fixture
def roster(ctx):
    """A mixed roster; returns {customer id: (priority, decision, status)}."""
    made = {}
    specs = [
        # priority, decision, status
        (95, "let_go", "lapsed"),  # the best, but let go
        (90, "pursue", "lapsed"),
        (88, "undecided", "lapsed"),  # not decided: not taken
        (85, "pursue", "lost"),
        (80, "pursue", "active"),  # not departed
        (77, "pursue", "won_back"),
        (75, "pursue", "lapsed"),
        (70, "pursue", "lapsed"),
        (70, "pursue", "lost"),  # a tie: the higher id ranks first
        (60, "pursue", "lapsed"),
        (55, "let_go", "lost"),
        (50, "pursue", "lapsed"),
        (40, "pursue", "lapsed"),
        (30, "pursue", "lost"),
        (20, "pursue", "lapsed"),
        (10, "pursue", "lapsed"),
        (5, "pursue", "lapsed"),
    ]
    for i, (prio, decision, status) in enumerate(specs):
        made[make_customer(ctx, f"Customer {i:02d}", prio, decision, status)] = (prio, decision, status)
    return made


def ranked_eligible(made: dict) -> list[int]:
    eligible = [cid for cid, (_, d, s) in made.items() if d == "pursue" and s in ("lapsed", "lost")]
    return sorted(eligible, key=lambda cid: (-made[cid][0], -cid))


def assignments(ctx, cycle_id: int) -> dict[int, tuple[int, int | None, str]]:
    with ctx.sessions() as s:
        rows = s.execute(
            select(
                CycleAssignment.customer_id,
                CycleAssignment.assignee_id,
                CycleAssignment.partner_id,
                CycleAssignment.kind,
            ).where(CycleAssignment.cycle_id == cycle_id)
        ).all()
    return {cid: (who, partner, kind) for cid, who, partner, kind in rows}


# --- dates and creation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        ("month", dt.date(2025, 6, 17), (dt.date(2025, 6, 1), dt.date(2025, 6, 30))),
        ("month", dt.date(2024, 2, 1), (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
        ("month", dt.date(2025, 12, 31), (dt.date(2025, 12, 1), dt.date(2025, 12, 31))),
        ("quarter", dt.date(2025, 5, 2), (dt.date(2025, 4, 1), dt.date(2025, 6, 30))),
        ("quarter", dt.date(2025, 1, 1), (dt.date(2025, 1, 1), dt.date(2025, 3, 31))),
        ("quarter", dt.date(2025, 11, 30), (dt.date(2025, 10, 1), dt.date(2025, 12, 31))),
    ],
)
def test_cycle_dates(kind, day, expected):
    assert cycles.cycle_dates(kind, day) == expected


def test_cycle_names_and_bad_kind():
    assert cycles.cycle_name("month", dt.date(2025, 6, 17)) == "June 2025"
    assert cycles.cycle_name("quarter", dt.date(2025, 11, 3)) == "Q4 2025"
    with pytest.raises(ValueError, match="month or a quarter"):
        cycles.cycle_dates("week", dt.date(2025, 1, 1))


@pytest.mark.parametrize("quota", [0, 11, -1, True, 2.5, "5"])
def test_quota_out_of_range_is_refused(ctx, quota):
    start, end = cycles.cycle_dates("month", dt.date(2025, 6, 1))
    with pytest.raises(ValueError, match="1 to 10"):
        cycles.create_cycle(ctx, "June", start, end, quota)
    assert cycles.list_cycles(ctx) == []


def test_create_cycle_checks_name_and_dates(ctx):
    with pytest.raises(ValueError, match="name"):
        cycles.create_cycle(ctx, "  ", dt.date(2025, 6, 1), dt.date(2025, 6, 30), 5)
    with pytest.raises(ValueError, match="before it starts"):
        cycles.create_cycle(ctx, "June", dt.date(2025, 6, 30), dt.date(2025, 6, 1), 5)
    for quota in (1, 10):
        cid = cycles.create_cycle(ctx, f"Q{quota}", dt.date(2025, 4, 1), dt.date(2025, 6, 30), quota)
        info = cycles.get_cycle(ctx, cid)
        assert (info.executive_quota, info.status, info.assigned) == (quota, "open", 0)


# --- filling -------------------------------------------------------------------------------------


def test_fill_quota_per_executive_round_robin_callers_pursue_only(ctx, team, roster):
    cid = cycles.create_cycle(ctx, "June", dt.date(2025, 6, 1), dt.date(2025, 6, 30), 2)
    summary = cycles.fill_cycle(
        ctx, cid, [(team["ex1"], team["p1"]), (team["ex2"], team["p2"])], [team["c1"], team["c2"], team["c3"]]
    )
    ranked = ranked_eligible(roster)
    got = assignments(ctx, cid)
    assert set(got) == set(ranked)  # every eligible customer, and only those
    assert summary.added == len(ranked) and summary.remaining == 0
    # the four best go to the executives, dealt in turn, each with their own partner
    assert got[ranked[0]] == (team["ex1"], team["p1"], "executive")
    assert got[ranked[1]] == (team["ex2"], team["p2"], "executive")
    assert got[ranked[2]] == (team["ex1"], team["p1"], "executive")
    assert got[ranked[3]] == (team["ex2"], team["p2"], "executive")
    # the rest round-robin over the callers, in rank order
    callers = [team["c1"], team["c2"], team["c3"]]
    for i, customer_id in enumerate(ranked[4:]):
        assert got[customer_id] == (callers[i % 3], None, "caller")
    shares = {s.person_id: s for s in summary.shares}
    assert shares[team["ex1"]].added == 2 and shares[team["ex2"]].total == 2
    assert sum(shares[c].added for c in callers) == len(ranked) - 4
    assert summary.executives_short == []
    # let-go, undecided, active and won-back customers are never taken
    for customer_id, (_, decision, status) in roster.items():
        if decision != "pursue" or status not in ("lapsed", "lost"):
            assert customer_id not in got


def test_no_customer_in_two_open_cycles_and_closing_frees_them(ctx, team, roster):
    ranked = ranked_eligible(roster)
    first = cycles.create_cycle(ctx, "June", dt.date(2025, 6, 1), dt.date(2025, 6, 30), 3)
    s1 = cycles.fill_cycle(ctx, first, [(team["ex1"], team["p1"])], [team["c1"]], limit=2)
    assert s1.added == 5 and s1.remaining == len(ranked) - 5
    taken = set(assignments(ctx, first))
    assert taken == set(ranked[:5])

    second = cycles.create_cycle(ctx, "Q3", dt.date(2025, 7, 1), dt.date(2025, 9, 30), 3)
    cycles.fill_cycle(ctx, second, [(team["ex2"], team["p2"])], [team["c2"]])
    got = assignments(ctx, second)
    assert not taken & set(got)
    assert [c for c in ranked if c in got][:3] == ranked[5:8]
    assert all(got[c][0] == team["ex2"] for c in ranked[5:8])
    assert set(got) == set(ranked[5:])

    cycles.close_cycle(ctx, first)
    assert cycles.get_cycle(ctx, first).status == "closed"
    third = cycles.create_cycle(ctx, "Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), 3)
    s3 = cycles.fill_cycle(ctx, third, [(team["ex1"], team["p1"])], [team["c1"]])
    assert set(assignments(ctx, third)) == taken  # back in play once their cycle closed
    assert s3.remaining == 0
    with pytest.raises(ValueError, match="closed"):
        cycles.fill_cycle(ctx, first, [(team["ex1"], team["p1"])], [])


def test_refill_tops_up_without_duplicates(ctx, team, roster):
    cid = cycles.create_cycle(ctx, "June", dt.date(2025, 6, 1), dt.date(2025, 6, 30), 3)
    cycles.fill_cycle(ctx, cid, [(team["ex1"], team["p1"])], [team["c1"], team["c2"]], limit=1)
    before = assignments(ctx, cid)
    assert len(before) == 4
    new = make_customer(ctx, "Newly pursued", 99.0)
    summary = cycles.fill_cycle(ctx, cid, [(team["ex1"], team["p1"])], [team["c1"], team["c2"]], limit=2)
    after = assignments(ctx, cid)
    assert {k: v for k, v in after.items() if k in before} == before
    shares = {s.person_id: s for s in summary.shares}
    assert shares[team["ex1"]].added == 0 and shares[team["ex1"]].total == 3  # already full
    # the caller with fewer customers gets the next one: c2 (had 0) first, then c1 (tie, listed first)
    ranked = ranked_eligible(roster)
    assert after[new] == (team["c2"], None, "caller")
    assert after[ranked[4]] == (team["c1"], None, "caller")
    assert (shares[team["c1"]].total, shares[team["c2"]].total) == (2, 1)
    assert summary.added == 2 and len(after) == 6


def test_fill_without_callers_or_with_too_few_customers(ctx, team):
    a = make_customer(ctx, "Only one", 50.0)
    cid = cycles.create_cycle(ctx, "June", dt.date(2025, 6, 1), dt.date(2025, 6, 30), 3)
    summary = cycles.fill_cycle(ctx, cid, [(team["ex1"], None), (team["ex2"], team["p2"])], [])
    assert assignments(ctx, cid) == {a: (team["ex1"], None, "executive")}
    assert [s.person_id for s in summary.executives_short] == [team["ex1"], team["ex2"]]


def test_fill_checks_the_team(ctx, team, roster):
    cid = cycles.create_cycle(ctx, "June", dt.date(2025, 6, 1), dt.date(2025, 6, 30), 2)
    with pytest.raises(ValueError, match="not an executive"):
        cycles.fill_cycle(ctx, cid, [(team["c1"], team["p1"])], [])
    with pytest.raises(ValueError, match="not a recovery caller"):
        cycles.fill_cycle(ctx, cid, [], [team["ex1"]])
    with pytest.raises(ValueError, match="twice"):
        cycles.fill_cycle(ctx, cid, [], [team["c1"], team["c1"]])
    with pytest.raises(LookupError):
        cycles.fill_cycle(ctx, cid, [(team["ex1"], 999)], [])
    with pytest.raises(LookupError):
        cycles.fill_cycle(ctx, 999, [(team["ex1"], team["p1"])], [])
    people.retire_person(ctx, team["p1"])
    with pytest.raises(ValueError, match="retired"):
        cycles.fill_cycle(ctx, cid, [(team["ex1"], team["p1"])], [])
    with pytest.raises(ValueError, match="limit"):
        cycles.fill_cycle(ctx, cid, [], [team["c1"]], limit=-1)
    assert assignments(ctx, cid) == {}


def test_cycle_assignments_listing(ctx, team, roster):
    cid = cycles.create_cycle(ctx, "June", dt.date(2025, 6, 1), dt.date(2025, 6, 30), 1)
    cycles.fill_cycle(ctx, cid, [(team["ex1"], team["p1"])], [team["c1"]], limit=3)
    rows = cycle_reading.cycle_assignments(ctx, cid)
    assert [r.kind for r in rows] == ["executive", "caller", "caller", "caller"]
    assert rows[0].assignee_name == "Ana Exec" and rows[0].partner_name == "Pia Partner"
    mine = cycle_reading.cycle_assignments(ctx, cid, assignee_id=team["c1"])
    assert [r.priority for r in mine] == sorted((r.priority for r in mine), reverse=True)
    assert all(r.next_call_id is None for r in rows)
    [listed] = cycles.list_cycles(ctx)
    assert (listed.id, listed.assigned) == (cid, 4)


# --- progress ------------------------------------------------------------------------------------


def test_progress_counts(ctx, team):
    today = dt.date.today()
    ids = [make_customer(ctx, f"C{i}", 90 - i) for i in range(6)]
    cid = cycles.create_cycle(ctx, "Now", today - dt.timedelta(days=5), today + dt.timedelta(days=5), 2)
    cycles.fill_cycle(ctx, cid, [(team["ex1"], team["p1"])], [team["c1"]])
    got = assignments(ctx, cid)
    assert len(got) == 6
    a, b, c, d, e, f = ids  # a, b: the executive's; the rest the caller's

    # a: a completed call that won them back, with an open and a done follow-up
    call = calls.start_call(ctx, a, team["ex1"], team["p1"])
    calls.save_field(ctx, call, "close", "outcome", "won_back")
    calls.add_action(ctx, call, "Send the plan", team["p1"], today)
    done = calls.add_action(ctx, call, "Thank-you note", team["p1"], today)
    followups.mark_done(ctx, done)
    calls.finish_call(ctx, call)
    # b: no answer (called, not reached)
    attempts.log_attempt(ctx, b, "no_answer", team["ex1"])
    # c: reached on an attempt
    attempts.log_attempt(ctx, c, "reached", team["c1"])
    # d: an attempt long before the cycle does not count
    attempts.log_attempt(ctx, d, "reached", team["c1"], at=dt.datetime.now() - dt.timedelta(days=60))
    # e: a call still running does not count
    calls.start_call(ctx, e, team["c1"])

    p = cycle_reading.cycle_progress(ctx, cid)
    assert (p.assigned, p.called, p.reached, p.won_back, p.open_followups) == (6, 3, 2, 1, 1)
    by = {x.assignee_id: x for x in p.by_assignee}
    assert (by[team["ex1"]].assigned, by[team["ex1"]].called, by[team["ex1"]].reached) == (2, 2, 1)
    assert (by[team["ex1"]].won_back, by[team["ex1"]].open_followups) == (1, 1)
    assert (by[team["c1"]].assigned, by[team["c1"]].called, by[team["c1"]].reached) == (4, 1, 1)
    assert by[team["ex1"]].name == "Ana Exec"
    assert f in got
    with pytest.raises(LookupError):
        cycle_reading.cycle_progress(ctx, 999)


def test_cycle_cli(ctx, team, roster, capsys):
    assert main(["cycle", "new", "--month", "--date", "2025-06-10", "--quota", "2"]) == 0
    assert "June 2025, 2025-06-01 to 2025-06-30" in capsys.readouterr().out
    [c] = cycles.list_cycles(ctx)
    args = ["cycle", "fill", str(c.id), "--exec", f"{team['ex1']}:{team['p1']}", "--caller", str(team["c1"])]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Ana Exec" in out and "assigned" in out
    assert len(assignments(ctx, c.id)) == len(ranked_eligible(roster))
    assert main(["cycle", "show", str(c.id), "--customers"]) == 0
    assert "called" in capsys.readouterr().out
    assert main(["cycle", "list"]) == 0
    assert main(["cycle", "close", str(c.id)]) == 0
    assert cycles.get_cycle(ctx, c.id).status == "closed"

    assert main(["cycle", "new", "--quarter", "--quota", "11"]) == 1
    assert "1 to 10" in capsys.readouterr().err
    assert main(["cycle", "show", "999"]) == 1
    assert main(["cycle", "fill", str(c.id), "--caller", str(team["c1"])]) == 1  # closed
    assert main(["cycle", "fill", str(c.id)]) == 1
    for bad in (
        ["cycle", "new", "--quota", "3"],  # neither --month nor --quarter
        ["cycle", "new", "--month", "--quarter", "--quota", "3"],
        ["cycle", "fill", "1", "--exec", "x:y"],
        ["cycle", "new", "--month", "--date", "June", "--quota", "3"],
        ["cycle"],
    ):
        with pytest.raises(SystemExit) as info:
            main(bad)
        assert info.value.code == 2
