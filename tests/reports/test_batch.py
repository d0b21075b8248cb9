"""Action sheets for many calls in one PDF, the partner's logistics notes on the sheet, choosing
the calls of a day or a cycle, progress and cancel, and ``winback sheets``."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from winback_desktop.reports.action_sheet import build_action_sheet
from winback_desktop.reports.batch import BatchCancelled, build_batch_sheets, write_batch
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.sheets import calls_for_cycle, calls_for_day, sheet_batch
from winback_desktop.services.people import team
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Call, Customer, CycleAssignment, RescueCycle

from .test_action_sheet import make_call, squash


def pages_text(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def local_naive_utc(day: dt.date, hhmm: str) -> dt.datetime:
    """A local wall-clock time as the naive UTC the store keeps."""
    t = dt.datetime.combine(day, dt.time.fromisoformat(hhmm)).astimezone()
    return t.astimezone(dt.UTC).replace(tzinfo=None)


def set_times(ctx, call_id: int, **values) -> None:
    with transaction(ctx.sessions) as s:
        s.execute(update(Call).where(Call.id == call_id).values(**values))


# ---------------------------------------------------------------- partner's logistics notes
def test_partner_notes_print_in_their_own_section_only_when_present(ctx):
    call_id = make_call(ctx)
    without = squash("\n".join(pages_text(build_action_sheet(calls.detail(ctx, call_id)))))
    assert squash("Partner’s logistics notes") not in without
    assert squash("Partner’s notes, by hand") in without  # the ruled space is always there

    note = "Booked the Teams room; Анна sends the dial-in.\n<b>not bold</b> & Ελληνικά, 3 < 4"
    calls.save_field(ctx, call_id, "partner", "partner_notes", note)
    detail = calls.detail(ctx, call_id)
    assert detail.answers["partner_notes"] == note
    text = squash("\n".join(pages_text(build_action_sheet(detail))))
    assert squash("Partner’s logistics notes") in text
    for line in note.splitlines():
        assert squash(line) in text, line
    # apart from the caller's notes: after what the caller noted, before the ruled space
    assert text.index(squash("What they say it would take")) < text.index(squash("Partner’s logistics notes"))
    assert text.index(squash("Partner’s logistics notes")) < text.index(squash("Partner’s notes, by hand"))


def test_blank_partner_notes_print_nothing(ctx):
    call_id = make_call(ctx)
    calls.save_field(ctx, call_id, "partner", "partner_notes", "   \n  ")
    text = "\n".join(pages_text(build_action_sheet(calls.detail(ctx, call_id))))
    assert squash("Partner’s logistics notes") not in squash(text)


# ---------------------------------------------------------------- one PDF, many calls
def make_calls(ctx, n: int) -> list[int]:
    """``n`` finished calls with customers "Customer 000 Ærø & Søns", ... (one each)."""
    partner = team.add_person(ctx, "Nikos Papadopoulos", "partner", "Account coordinator")
    caller = team.add_person(ctx, "Margrethe Ødegård", "executive", "Chief Operating Officer")
    ids = []
    for i in range(n):
        with transaction(ctx.sessions) as s:
            customer = Customer(
                company=f"Customer {i:03d} Ærø & Søns",
                contact_name="José Muñoz",
                external_id=f"C-{i:05d}",
                value_lost=Decimal("1000.00") * (i + 1),
                last_purchase=dt.date(2024, 9, 14),
            )
            s.add(customer)
            s.flush()
            customer_id = customer.id
        call_id = calls.start_call(ctx, customer_id, caller, partner)
        calls.save_field(ctx, call_id, "probe", "heard_back", f"Story number {i}: deliveries came late.")
        calls.save_field(ctx, call_id, "close", "outcome", "open_door")
        calls.add_action(
            ctx, call_id, f"Send the guarantee to customer {i:03d}", partner, dt.date(2025, 3, 14)
        )
        calls.finish_call(ctx, call_id)
        ids.append(call_id)
    return ids


def sheet_ranges(texts: list[str]) -> list[tuple[int, int]]:
    """(sheet number, page number within the sheet) of every page, from the printed furniture."""
    out = []
    for text in texts:
        sheet = re.search(r"sheet (\d+) of (\d+)", text)
        page = re.search(r"page (\d+) of (\d+)", text)
        assert sheet and page, text
        out.append((int(sheet.group(1)), int(page.group(1))))
    return out


def test_each_call_starts_a_new_page_in_order_with_its_own_numbering(ctx):
    ids = make_calls(ctx, 4)
    details = [calls.detail(ctx, i) for i in ids]
    singles = [len(pages_text(build_action_sheet(d))) for d in details]
    data = build_batch_sheets(details, company_name="Nordic Flour Co.")
    texts = pages_text(data)
    assert len(texts) == sum(singles)  # the same sheets, nothing lost or added

    pos = 0
    for n, (call_id, count) in enumerate(zip(ids, singles, strict=True)):
        sheet = texts[pos : pos + count]
        assert f"Customer {n:03d} Ærø & Søns" in sheet[0]  # the customer's name heads its first page
        assert f"Recovery call #{call_id}" in sheet[0]
        for k, page in enumerate(sheet, 1):
            assert f"page {k} of {count}" in page
            assert f"sheet {n + 1} of {len(ids)}" in page
            assert f"Call #{call_id}" in page
            others = [f"Customer {m:03d}" for m in range(len(ids)) if m != n]
            assert not any(o in page for o in others)  # no page mixes two customers
        pos += count
    outline = [o.title for o in PdfReader(io.BytesIO(data)).outline]
    assert outline == [f"Customer {n:03d} Ærø & Søns" for n in range(len(ids))]


def test_order_is_the_order_given(ctx):
    ids = make_calls(ctx, 3)
    data = build_batch_sheets([calls.detail(ctx, i) for i in reversed(ids)])
    firsts = [t for t in pages_text(data) if "page 1 of" in t]
    assert [re.search(r"Customer (\d{3})", t).group(1) for t in firsts] == ["002", "001", "000"]


def test_empty_batch_is_an_error(ctx):
    with pytest.raises(ValueError, match="no calls"):
        build_batch_sheets([])


def test_progress_per_call_and_atomic_private_file(ctx, tmp_path):
    ids = make_calls(ctx, 3)
    out = tmp_path / "day.pdf"
    seen: list[tuple[int, int]] = []
    assert write_batch(sheet_batch(ctx, ids), out, progress=lambda d, t: seen.append((d, t))) == out
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert out.read_bytes().startswith(b"%PDF-")
    if os.name == "posix":
        assert (out.stat().st_mode & 0o777) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["day.pdf"]


@pytest.mark.parametrize("after", [0, 1, 2])
def test_cancel_writes_nothing(ctx, tmp_path, after):
    ids = make_calls(ctx, 3)
    out = tmp_path / "day.pdf"
    out.write_bytes(b"previous")
    seen: list[int] = []
    with pytest.raises(BatchCancelled):
        write_batch(
            sheet_batch(ctx, ids),
            out,
            progress=lambda d, t: seen.append(d),
            should_cancel=lambda: len(seen) >= after + 1,
        )
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["day.pdf"]


def test_cancel_during_the_final_pass_writes_nothing(ctx, tmp_path):
    ids = make_calls(ctx, 2)
    out = tmp_path / "day.pdf"
    seen: list[int] = []
    checks = iter(range(10_000))
    # Let every sheet be laid out, then cancel while the pages are being finished.
    with pytest.raises(BatchCancelled):
        write_batch(
            sheet_batch(ctx, ids),
            out,
            progress=lambda d, t: seen.append(d),
            should_cancel=lambda: next(checks) > 3,
        )
    assert not out.exists()


def test_unknown_call_fails_and_writes_nothing(ctx, tmp_path):
    ids = make_calls(ctx, 1)
    out = tmp_path / "x.pdf"
    with pytest.raises(LookupError, match="no call with id 999"):
        write_batch(sheet_batch(ctx, [*ids, 999]), out)
    assert not out.exists()


def test_write_batch_from_a_worker_thread(ctx, tmp_path):
    """The UI runs the batch off the GUI thread."""
    ids = make_calls(ctx, 2)
    out = tmp_path / "t.pdf"
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(write_batch(sheet_batch(ctx, ids), out)))
    worker.start()
    worker.join(60)
    assert result == [out] and out.stat().st_size > 0


def test_a_hundred_calls_is_quick(ctx):
    base = calls.detail(ctx, make_call(ctx))
    details = [base] * 100
    start = time.perf_counter()
    texts = pages_text(build_batch_sheets(details))
    elapsed = time.perf_counter() - start
    assert sum(1 for t in texts if "page 1 of" in t) == 100
    assert elapsed < 30, elapsed  # ~3 s on the 2-core machine: a guard against going quadratic


# ---------------------------------------------------------------- choosing the calls
def test_calls_for_day_picks_scheduled_started_or_ended_that_local_day(ctx):
    day = dt.date(2025, 3, 12)
    a, b, c, d, e = make_calls(ctx, 5)
    set_times(ctx, a, scheduled_at=local_naive_utc(day, "09:00"), started_at=None, ended_at=None)
    set_times(ctx, b, scheduled_at=None, started_at=local_naive_utc(day, "14:00"), ended_at=None)
    # started the evening before, ended just after midnight: on both days
    set_times(
        ctx,
        c,
        scheduled_at=None,
        started_at=local_naive_utc(day - dt.timedelta(days=1), "23:40"),
        ended_at=local_naive_utc(day, "00:10"),
    )
    set_times(ctx, d, scheduled_at=local_naive_utc(day + dt.timedelta(days=1), "00:00"), started_at=None)
    set_times(ctx, e, scheduled_at=None, started_at=local_naive_utc(day, "00:00"), ended_at=None)
    assert calls_for_day(ctx, day) == [c, e, a, b]  # in time order
    assert calls_for_day(ctx, day + dt.timedelta(days=1)) == [d]
    assert c in calls_for_day(ctx, day - dt.timedelta(days=1))
    assert calls_for_day(ctx, dt.date(2001, 1, 1)) == []


def test_calls_for_cycle(ctx):
    a, b, c, d = make_calls(ctx, 4)
    with transaction(ctx.sessions) as s:
        cycle = RescueCycle(name="Q1", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31))
        other = RescueCycle(name="Q2", starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 6, 30))
        s.add_all([cycle, other])
        s.flush()
        cycle_id, other_id = cycle.id, other.id
        customer_c = s.scalar(select(Call.customer_id).where(Call.id == c))
        customer_d = s.scalar(select(Call.customer_id).where(Call.id == d))
        s.add(CycleAssignment(cycle_id=cycle_id, customer_id=customer_c, kind="caller"))
        s.add(CycleAssignment(cycle_id=cycle_id, customer_id=customer_d, kind="caller"))
    set_times(ctx, a, cycle_id=cycle_id, started_at=local_naive_utc(dt.date(2025, 2, 3), "10:00"))
    set_times(ctx, b, cycle_id=other_id, started_at=local_naive_utc(dt.date(2025, 2, 1), "10:00"))
    # not filed under a cycle, but with a customer of the cycle, within its dates: part of it
    set_times(ctx, c, cycle_id=None, started_at=local_naive_utc(dt.date(2025, 1, 15), "10:00"))
    # with a customer of the cycle but long after it: not part of it
    set_times(ctx, d, cycle_id=None, started_at=local_naive_utc(dt.date(2025, 9, 1), "10:00"))
    assert calls_for_cycle(ctx, cycle_id) == [c, a]
    assert calls_for_cycle(ctx, other_id) == [b]
    with pytest.raises(LookupError, match="no cycle with id 999"):
        calls_for_cycle(ctx, 999)


def test_day_sheets_leave_out_calls_not_yet_held(demo_ctx, tmp_path):
    with demo_ctx.sessions() as s:
        booked = s.scalar(
            select(Call.scheduled_at).where(Call.status == "scheduled").order_by(Call.scheduled_at)
        )
        held = s.scalar(select(Call.ended_at).where(Call.status == "completed").order_by(Call.ended_at))
    booked_day = (booked.replace(tzinfo=dt.UTC)).astimezone().date()
    with demo_ctx.sessions() as s:
        statuses = {s.get(Call, i).status for i in calls_for_day(demo_ctx, booked_day)}
    assert "scheduled" not in statuses  # a booked call has nothing to print yet
    ids = calls_for_day(demo_ctx, (held.replace(tzinfo=dt.UTC)).astimezone().date())
    assert ids
    out = write_batch(sheet_batch(demo_ctx, ids), tmp_path / "day.pdf")
    texts = pages_text(out.read_bytes())
    assert sum(1 for t in texts if "page 1 of" in t) == len(ids)


# ---------------------------------------------------------------- the CLI
@pytest.fixture
def keep_umask():
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def test_cli_sheets(ctx, tmp_path: Path, keep_umask, capsys):
    from winback_desktop.cli.entry import main

    day = dt.date(2025, 3, 12)
    a, b = make_calls(ctx, 2)
    for call_id in (a, b):
        set_times(
            ctx, call_id, started_at=local_naive_utc(day, "10:00"), ended_at=local_naive_utc(day, "10:30")
        )
    with transaction(ctx.sessions) as s:
        cycle = RescueCycle(name="Q1", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31))
        s.add(cycle)
        s.flush()
        cycle_id = cycle.id
    set_times(ctx, a, cycle_id=cycle_id)
    data_dir = str(ctx.paths.data_dir)
    out = tmp_path / "day.pdf"

    assert main(["--data-dir", data_dir, "sheets", "--day", day.isoformat(), "-o", str(out)]) == 0
    assert "2 calls" in capsys.readouterr().out
    assert sum(1 for t in pages_text(out.read_bytes()) if "page 1 of" in t) == 2

    cycle_out = tmp_path / "cycle.pdf"
    assert main(["--data-dir", data_dir, "sheets", "--cycle", str(cycle_id), "-o", str(cycle_out)]) == 0
    assert "1 call " in capsys.readouterr().out

    empty = tmp_path / "empty.pdf"
    assert main(["--data-dir", data_dir, "sheets", "--day", "2001-01-01", "-o", str(empty)]) == 1
    assert "no calls held on 2001-01-01" in capsys.readouterr().err
    assert not empty.exists()

    assert main(["--data-dir", data_dir, "sheets", "--cycle", "999", "-o", str(empty)]) == 1
    assert "no cycle with id 999" in capsys.readouterr().err

    with pytest.raises(SystemExit) as info:  # one of --day / --cycle is required
        main(["--data-dir", data_dir, "sheets", "-o", str(empty)])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        main(["--data-dir", data_dir, "sheets", "--day", "12/03/2025", "-o", str(empty)])
    assert "not a date" in capsys.readouterr().err
    assert not empty.exists()
