"""CSV export of calls: one row per call, safe to open in a spreadsheet, written atomically."""

from __future__ import annotations

import csv
import datetime as dt
import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from winback_desktop.files import FORMULA_TRIGGERS
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.export import export_calls
from winback_desktop.services.people import team
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Call, Customer


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def add_customer(ctx, **fields) -> int:
    values = {"company": "Ærøskøbing Købmand", "contact_name": "Søren Østergård", "external_id": "00042"}
    values.update(fields)
    with transaction(ctx.sessions) as s:
        c = Customer(value_lost=Decimal("1200"), **values)
        s.add(c)
        s.flush()
        return c.id


def test_one_row_per_call_with_everything(demo_ctx, tmp_path):
    out = tmp_path / "calls.csv"
    n = export_calls(demo_ctx, out)
    with demo_ctx.sessions() as s:
        ids = [str(i) for i in s.scalars(select(Call.id).order_by(Call.id))]
    assert n == len(ids) == 11
    cols = header(out)
    assert cols[0] == "call_id"
    for col in (
        "customer_external_id",
        "company",
        "contact",
        "caller",
        "partner",
        "status",
        "scheduled_at",
        "started_at",
        "ended_at",
        "script_name",
        "script_version",
        "what_happened",
        "their_story",
        "heard_back",
        "fault",
        "what_it_takes",
        "primary_reason",
        "other_reasons",
        "offers",
        "accepts_help",
        "customer_answer",
        "keep_in_touch",
        "next_contact",
        "outcome",
        "action_items",
    ):
        assert col in cols
    rows = read(out)
    assert [r["call_id"] for r in rows] == ids
    by_company = {r["company"]: r for r in rows}

    lumiere = by_company["Café Lumière"]  # accents survive the round trip
    assert lumiere["contact"] == "Amélie Rousseau"
    assert lumiere["customer_external_id"] == "00907"  # leading zero kept
    assert "oat milk" in lumiere["what_happened"]
    assert lumiere["primary_reason"] == "Billing errors or surprise charges"
    assert lumiere["offers"] == "A credit on the next order; Fix the original problem now"
    assert lumiere["outcome"] == "won_back" and lumiere["keep_in_touch"] == "yes"
    dt.datetime.fromisoformat(lumiere["started_at"])
    assert "€1,240" in lumiere["action_items"]

    harbourline = by_company["Harbourline Foods Ltd"]
    items = harbourline["action_items"].split("\n")
    assert len(items) == 4
    assert all(len(item.split(" — ")) == 4 for item in items)
    assert items[0].endswith(" — done") and items[-1].endswith(" — open")
    assert "; " in harbourline["other_reasons"]
    assert harbourline["caller"] == "Eleanor Hartley" and harbourline["partner"] == "Daniel Okonkwo"

    scheduled = [r for r in rows if r["status"] == "scheduled"]
    assert len(scheduled) == 5
    assert all(r["scheduled_at"] and not r["started_at"] and not r["what_happened"] for r in scheduled)


def test_file_is_utf8_bom_private_and_alone(demo_ctx, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "calls.csv"
    out.write_text("an older export", encoding="utf-8")
    os.chmod(out, 0o644)
    export_calls(demo_ctx, out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbfcall_id,")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["calls.csv"]  # no temp file left


def test_formula_cells_are_neutralized(ctx, tmp_path):
    customer = add_customer(ctx, company='=HYPERLINK("http://x")', contact_name="+Ana Núñez")
    caller = team.add_person(ctx, "@Mallory", "caller")
    call = calls.start_call(ctx, customer, caller)
    notes = {
        "what_happened": "=SUM(A1)",
        "their_story": "+1",
        "heard_back": "-2+A1",
        "fault": "@x",
        "what_it_takes": "\tcmd|' /C calc'!A0",
    }
    for key, value in notes.items():
        stage, _ = ctx.script.field(key)
        calls.save_field(ctx, call, stage.key, key, value)
    calls.set_offers(ctx, call, [], ["plain", "=1+1 credit"])
    calls.add_action(ctx, call, "-do it", caller, dt.date(2030, 1, 2))

    out = tmp_path / "calls.csv"
    assert export_calls(ctx, out) == 1
    (row,) = read(out)
    for key, value in notes.items():
        assert row[key] == "'" + value
    assert row["company"] == '\'=HYPERLINK("http://x")'
    assert row["contact"] == "'+Ana Núñez"
    assert row["caller"] == "'@Mallory"
    assert row["offers"] == "plain; '=1+1 credit"  # a semicolon split would start a field there
    assert row["action_items"] == "'-do it — @Mallory — 2030-01-02 — open"
    assert not any(v.startswith(FORMULA_TRIGGERS) for v in row.values())


def test_no_calls_gives_a_header_only(ctx, tmp_path):
    out = tmp_path / "calls.csv"
    assert export_calls(ctx, out) == 0
    assert header(out)[0] == "call_id"
    assert read(out) == []


def test_missing_folder_is_a_clear_error(ctx, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        export_calls(ctx, tmp_path / "nowhere" / "calls.csv")


def test_a_failed_export_keeps_the_earlier_file(demo_ctx, tmp_path, monkeypatch):
    from winback_desktop import files

    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "calls.csv"
    out.write_text("the earlier export", encoding="utf-8")
    calls_written = 0

    def failing(cell: str, **_options: bool) -> str:
        nonlocal calls_written
        calls_written += 1
        if calls_written > 100:
            raise OSError("disk full")
        return cell

    monkeypatch.setattr(files, "neutralize", failing)
    with pytest.raises(OSError, match="disk full"):
        export_calls(demo_ctx, out)
    assert out.read_text(encoding="utf-8") == "the earlier export"
    assert sorted(p.name for p in folder.iterdir()) == ["calls.csv"]


def test_cli_export(tmp_path, capsys):
    from winback_desktop.cli.entry import main

    d, f = str(tmp_path / "cli-data"), tmp_path / "out.csv"
    assert main(["--data-dir", d, "demo"]) == 0
    assert main(["--data-dir", d, "export", "calls", "-o", str(f)]) == 0
    assert "wrote 11 calls" in capsys.readouterr().out
    rows = read(f)
    assert len(rows) == 11
    assert any(r["company"] == "Großmann Feinkost GmbH" for r in rows)
