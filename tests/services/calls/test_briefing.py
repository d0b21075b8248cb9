"""The one-page pre-call brief: the data gathered, exactly one page however busy the history,
escaping and Unicode, atomic writes, and ``winback brief``."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from winback_desktop.reports import briefing as briefing_report
from winback_desktop.reports.briefing import build_briefing, write_briefing
from winback_desktop.services import catalogue
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.briefing import briefing_data, first_name
from winback_desktop.services.followups import board
from winback_desktop.services.people import team
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Call, CallAttempt, Customer, Order

TODAY = dt.date(2025, 3, 10)
STAGE_TITLES = ("Initiate", "Probe", "Earn the right to help", "Close")


def pdf(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def utc(day: dt.date, hhmm: str = "10:00") -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def book(ctx, customer_id: int, when: dt.datetime, leader: int, partner: int | None = None) -> int:
    """A booked call; ``when`` is the naive UTC the store keeps."""
    return schedule.schedule_call(ctx, customer_id, when.replace(tzinfo=dt.UTC), 30, leader, partner).call_id


def unled_call(ctx, customer_id: int, when: dt.datetime) -> int:
    """A scheduled call nobody leads yet (booking needs a leader; older data may have none)."""
    with transaction(ctx.sessions) as s:
        call = Call(customer_id=customer_id, scheduled_at=when, status="scheduled")
        s.add(call)
        s.flush()
        return call.id


def add_customer(ctx, **fields) -> int:
    row = dict(
        company="Ærø Bakeries & Søns",
        contact_name="José Muñoz",
        contact_title="Head of Purchasing",
        phone="+45 20 11 22 33",
        email="jose@aero-bakeries.dk",
        external_id="00586",
        value_lost=Decimal("48250.00"),
        last_purchase=dt.date(2024, 9, 14),
        first_purchase=dt.date(2019, 4, 2),
        orders_count=57,
        total_revenue=Decimal("310400.00"),
        yearly_revenue=Decimal("48250.00"),
        segment="Wholesale",
        owner="Karin Holm",
        decision="pursue",
        priority=82.0,
        priority_reason="Top 5% by value (48,250 lost); lapsed 1 month ago",
    )
    row.update(fields)
    with transaction(ctx.sessions) as s:
        c = Customer(**row)
        s.add(c)
        s.flush()
        return c.id


@pytest.fixture
def people(ctx) -> dict[str, int]:
    return {
        "leader": team.add_person(ctx, "Margrethe Ødegård", "executive", "Chief Operating Officer"),
        "partner": team.add_person(ctx, "Nikos Papadopoulos", "partner", "Account coordinator"),
        "caller": team.add_person(ctx, "Анна Петрова", "caller", "Recovery caller"),
    }


def earlier_call(
    ctx, customer_id: int, caller: int, day: dt.date, heard: str, primary: str, others=(), outcome="not_now"
) -> int:
    call_id = calls.start_call(ctx, customer_id, caller)
    calls.save_field(ctx, call_id, "probe", "heard_back", heard)
    calls.save_field(ctx, call_id, "close", "outcome", outcome)
    reasons = {r.code: r.id for r in catalogue.reasons(ctx)}
    calls.set_reasons(ctx, call_id, reasons[primary], [reasons[r] for r in others])
    calls.finish_call(ctx, call_id)
    with transaction(ctx.sessions) as s:
        s.execute(
            update(Call).where(Call.id == call_id).values(started_at=utc(day), ended_at=utc(day, "10:30"))
        )
    return call_id


def attempt(ctx, customer_id: int, person: int, when: dt.datetime, disposition: str, note: str = "") -> None:
    with transaction(ctx.sessions) as s:
        s.add(
            CallAttempt(
                customer_id=customer_id,
                person_id=person,
                attempted_at=when,
                disposition=disposition,
                note=note,
            )
        )


def add_orders(ctx, customer_id: int, n: int) -> None:
    with transaction(ctx.sessions) as s:
        for i in range(n):
            s.add(
                Order(
                    customer_id=customer_id,
                    order_date=dt.date(2024, 9, 14) - dt.timedelta(days=30 * i),
                    amount=Decimal("1000.00") + i,
                )
            )


@pytest.fixture
def scheduled(ctx, people) -> int:
    """A scheduled call with a customer who has some history: two earlier calls, attempts,
    orders and open promises (one overdue)."""
    cid = add_customer(ctx)
    first = earlier_call(
        ctx,
        cid,
        people["caller"],
        dt.date(2024, 11, 5),
        "Three late deliveries before Christmas.\nNobody called back.",
        "late_delivery",
        ["unresponsive"],
    )
    earlier_call(
        ctx, cid, people["leader"], dt.date(2025, 1, 20), "Still waiting for the guarantee.", "unresponsive"
    )
    calls.add_action(
        ctx, first, "Send the written delivery guarantee", people["partner"], dt.date(2025, 2, 1)
    )
    calls.add_action(ctx, first, "Introduce the depot lead", people["partner"], dt.date(2025, 4, 1))
    done = calls.add_action(ctx, first, "Already done thing", people["partner"], dt.date(2025, 1, 1))
    board.mark_done(ctx, done, "ok")
    attempt(ctx, cid, people["caller"], utc(dt.date(2024, 10, 30)), "no_answer")
    attempt(
        ctx, cid, people["caller"], utc(dt.date(2024, 11, 1)), "voicemail", "Left a message with reception"
    )
    add_orders(ctx, cid, 8)
    call_id = book(ctx, cid, utc(dt.date(2025, 3, 12), "09:30"), people["leader"], people["partner"])
    calls.save_field(
        ctx, call_id, "partner", "partner_notes", "Dial in via the Teams link; José prefers English."
    )
    return call_id


# ---------------------------------------------------------------- the data
def test_briefing_data_gathers_the_history(ctx, scheduled, people):
    b = briefing_data(ctx, scheduled, today=TODAY)
    assert b.company == "Ærø Bakeries & Søns" and b.contact_name == "José Muñoz"
    assert b.leader and b.leader.name == "Margrethe Ødegård"
    assert b.partner and b.partner.name == "Nikos Papadopoulos"
    assert b.months_since == 5 and b.orders_count == 57 and b.decision_label == "Pursue"
    assert [o.amount for o in b.recent_orders] == [Decimal("1000.00") + i for i in range(5)]
    assert b.orders_on_file == 8
    assert [a.disposition for a in b.attempts] == ["voicemail", "no_answer"]  # newest first
    assert b.attempts[0].who == "Анна Петрова" and b.attempts[0].disposition_label == "Voicemail left"
    assert [c.primary_reason for c in b.earlier_calls] == [
        "Slow or no response to problems",
        "Late or missed deliveries",
    ]
    assert b.earlier_calls[1].summary == "Three late deliveries before Christmas. Nobody called back."
    assert b.earlier_calls[0].outcome_label == "Not now"
    known = [(k.reason.code, k.calls, k.primary) for k in b.known_reasons]
    assert known == [("unresponsive", 2, True), ("late_delivery", 1, True)]
    assert [p.what for p in b.open_promises] == [
        "Send the written delivery guarantee",
        "Introduce the depot lead",
    ]
    assert [b.is_overdue(p) for p in b.open_promises] == [True, False]
    assert b.partner_notes.startswith("Dial in")
    assert [s.title for s in b.stages] == list(STAGE_TITLES)
    assert b.stages[0].first_line.startswith("Hello José, this is Margrethe Ødegård")


@pytest.mark.parametrize(
    ("name", "first"),
    [("José Muñoz", "José"), ("Dr Mark Holloway", "Mark"), ("Mrs. Ann Lee", "Ann"), ("Dr", "Dr"), ("", "")],
)
def test_first_name_skips_titles(name, first):
    assert first_name(name) == first


def test_unknown_call_is_a_lookup_error(ctx):
    with pytest.raises(LookupError, match="no call with id 999"):
        briefing_data(ctx, 999)


def test_a_bare_call_still_briefs(ctx):
    cid = add_customer(ctx, company="Bare Minimum Ltd", contact_name="", priority=0.0, priority_reason="")
    call_id = unled_call(ctx, cid, utc(dt.date(2025, 3, 12)))
    text, pages = pdf(build_briefing(briefing_data(ctx, call_id, today=TODAY)))
    assert pages == 1
    assert "Bare Minimum Ltd" in text
    assert "No earlier calls or attempts" in text
    assert "Nothing promised is still open." in text
    for title in STAGE_TITLES:
        assert squash(title) in squash(text)


# ---------------------------------------------------------------- the page
def test_brief_holds_what_the_caller_needs_on_one_page(ctx, scheduled):
    text, pages = pdf(build_briefing(briefing_data(ctx, scheduled, today=TODAY)))
    assert pages == 1
    flat = squash(text)
    for item in (
        "Pre-call briefing",
        "Ærø Bakeries & Søns",
        "José Muñoz",
        "Head of Purchasing",
        "+45 20 11 22 33",
        "00586",
        "48,250.00",  # value lost
        "14 Sep 2024",  # last purchase
        "5 months ago",
        "310,400.00",
        "Top 5% by value",
        "Margrethe Ødegård",
        "Nikos Papadopoulos",
        "Late or missed deliveries",  # known reasons
        "Slow or no response to problems",
        "Three late deliveries before Christmas.",
        "Voicemail left",
        "Left a message with reception",
        "Send the written delivery guarantee",  # open promises, one overdue
        "overdue",
        "Introduce the depot lead",
        "Dial in via the Teams link",
        "THE FOUR STAGES",
        *STAGE_TITLES,
        "Open with:",
    ):
        assert squash(item) in flat, item
    assert "Already done thing" not in text  # done promises are not open
    assert "+3 earlier" in text  # 8 orders on file, 5 shown


@pytest.mark.parametrize("n", [12, 40])
def test_a_very_busy_history_still_fits_one_page(ctx, people, n):
    cid = add_customer(ctx, decision_reason="Worth one more try. " * 30, verify_contact=True)
    first = None
    for i in range(n):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=20 * i)
        call_id = earlier_call(
            ctx,
            cid,
            people["caller"],
            day,
            f"Call {i}: " + "They told us a long story about what went wrong. " * 12,
            ["late_delivery", "unresponsive", "price"][i % 3],
            ["quality"],
        )
        first = first or call_id
        attempt(ctx, cid, people["caller"], utc(day, "09:00"), "call_back", "Busy; " * 40)
        calls.add_action(
            ctx, call_id, f"Promise {i}: " + "do the thing properly " * 15, people["partner"], day
        )
    add_orders(ctx, cid, 30)
    target = book(ctx, cid, utc(dt.date(2025, 3, 12)), people["leader"], people["partner"])
    calls.save_field(ctx, target, "partner", "partner_notes", "Logistics. " * 300)
    b = briefing_data(ctx, target, today=TODAY)
    assert len(b.earlier_calls) == n and len(b.attempts) == n and len(b.open_promises) == n
    text, pages = pdf(build_briefing(b))
    assert pages == 1
    assert re.search(r"\+\d+ more earlier calls", text)
    assert re.search(r"\+\d+ more attempts", text)
    assert re.search(r"\+\d+ more open promises", text)
    assert "Check the contact details" in text
    for title in STAGE_TITLES:
        assert squash(title) in squash(text)


def test_even_absurd_text_everywhere_stays_on_one_page(ctx, scheduled):
    b = briefing_data(ctx, scheduled, today=TODAY)
    huge = "W" * 5000
    b = replace(
        b,
        company=huge,
        contact_title=huge,
        segment=huge,
        priority_reason=huge,
        stages=[replace(s, title=huge, goal=huge, first_line=huge) for s in b.stages],
    )
    assert pdf(build_briefing(b))[1] == 1


def test_every_scheduled_demo_call_briefs_on_one_page(demo_ctx):
    with demo_ctx.sessions() as s:
        ids = list(s.scalars(select(Call.id).where(Call.status == "scheduled")))
    assert ids
    for call_id in ids:
        b = briefing_data(demo_ctx, call_id)
        text, pages = pdf(build_briefing(b))
        assert pages == 1, call_id
        assert squash(b.company) in squash(text)
        for title in STAGE_TITLES:
            assert squash(title) in squash(text)


def test_markup_prints_literally_and_unicode_prints(ctx, people):
    cid = add_customer(
        ctx,
        company="Пример & <Ελληνικά> AB",
        contact_name="<b>Νίκος</b> & Co",
        priority_reason='<img src="/no/such.png"/> <a href="http://example.invalid/">x</a>',
    )
    call_id = book(ctx, cid, utc(dt.date(2025, 3, 12)), people["leader"])
    calls.save_field(ctx, call_id, "partner", "partner_notes", "Café in Tromsø — A & B, 3 < 4 > 2")
    data = build_briefing(briefing_data(ctx, call_id, today=TODAY))
    flat = squash(pdf(data)[0])
    for item in (
        "Пример & <Ελληνικά> AB",
        "<b>Νίκος</b> & Co",
        "Margrethe Ødegård",
        "Café in Tromsø — A & B, 3 < 4 > 2",
        '<img src="/no/such.png"/>',
    ):
        assert squash(item) in flat, item
    assert b"/URI" not in data and b"/Link" not in data


# ---------------------------------------------------------------- writing the file, the CLI
def test_write_briefing_is_atomic(ctx, scheduled, tmp_path, monkeypatch):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "brief.pdf"
    b = briefing_data(ctx, scheduled)
    assert write_briefing(b, out) == out
    assert out.read_bytes().startswith(b"%PDF-")
    out.write_bytes(b"previous")

    def broken(*args, **kwargs):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(briefing_report, "build_briefing", broken)
    with pytest.raises(RuntimeError):
        write_briefing(b, out)
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in out_dir.iterdir()) == ["brief.pdf"]


@pytest.fixture
def keep_umask():
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def test_cli_brief(ctx, scheduled, tmp_path: Path, keep_umask, capsys):
    from winback_desktop.cli.entry import main

    data_dir = str(ctx.paths.data_dir)
    out = tmp_path / "brief.pdf"
    assert main(["--data-dir", data_dir, "brief", str(scheduled), "-o", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    text, pages = pdf(out.read_bytes())
    assert pages == 1 and "Ærø Bakeries & Søns" in text

    missing = tmp_path / "missing.pdf"
    assert main(["--data-dir", data_dir, "brief", "999", "-o", str(missing)]) == 1
    assert "no call with id 999" in capsys.readouterr().err
    assert not missing.exists()

    bad_dir = tmp_path / "no" / "such" / "brief.pdf"
    assert main(["--data-dir", data_dir, "brief", str(scheduled), "-o", str(bad_dir)]) == 1
    assert f"cannot write {bad_dir}" in capsys.readouterr().err
