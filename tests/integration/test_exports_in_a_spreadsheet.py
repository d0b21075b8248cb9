"""Every CSV export opened in a real spreadsheet (LibreOffice, headless) as users in other locales
open it: split on commas, on semicolons, on tabs, spaces trimmed. No cell may become a formula.

A control file holding the same text written by a plain csv writer shows that the engine does
run such cells (so the test can fail), and a credit note's negative total stays a number.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers.spreadsheet import needs_soffice, open_in_calc
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.export import export_calls
from winback_desktop.services.followups.board import export_followups
from winback_desktop.services.people import team
from winback_desktop.services.roster.report import export_customers
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Customer

# Text a customer, a CRM or a caller might hand us, each aimed at some split or trim.
HOSTILE = (
    "Smith;=1+2",
    "tabbed\t=3+4",
    "two lines\n=5+6",
    "comma, =7+8",
    "=9+9",
    "trim; =2+2",
    'quote";=2+3',
    "\r=2+4",
    "deep;\t;=2+5",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "a;-2+6;b",
)


@pytest.fixture
def exports(ctx, tmp_path: Path) -> list[Path]:
    with transaction(ctx.sessions) as s:
        for i, text in enumerate(HOSTILE):
            s.add(
                Customer(
                    external_id=f'=HYPERLINK("x";{i})' if i == 0 else f"C{i};=1+{i}",
                    company=text,
                    contact_name=HOSTILE[-1 - i],
                    phone="+44 20 7946 0318; =cmd",
                    email=f"x{i}@example.com",
                    notes=text + "\n" + HOSTILE[(i + 3) % len(HOSTILE)],
                    value_lost=Decimal("1200"),
                    total_revenue=Decimal("-12.50"),  # a credit note bigger than what was bought
                )
            )
        s.flush()
        customer_ids = list(s.scalars(select(Customer.id).order_by(Customer.id)))
    caller = team.add_person(ctx, "Ana;=1+1", "caller")
    for i, customer in enumerate(customer_ids[:4]):
        call = calls.start_call(ctx, customer, caller)
        stage, _ = ctx.script.field("what_happened")
        calls.save_field(ctx, call, stage.key, "what_happened", HOSTILE[i])
        calls.add_action(ctx, call, HOSTILE[-1 - i], caller, dt.date(2030, 1, 2))
    out = tmp_path / "exports"
    out.mkdir()
    files = [out / "customers.csv", out / "calls.csv", out / "followups.csv"]
    assert export_customers(ctx, files[0]) == len(HOSTILE)
    assert export_calls(ctx, files[1]) == 4
    assert export_followups(ctx, files[2]) == 4
    control = out / "control.csv"  # the same text, not neutralized
    with control.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["id", "text", "more"], *([str(i), t, t] for i, t in enumerate(HOSTILE))])
    return [*files, control]


@needs_soffice
@pytest.mark.parametrize("separator", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_no_exported_cell_becomes_a_formula(exports: list[Path], separator: str, tmp_path: Path) -> None:
    sheets = open_in_calc(exports, separator, tmp_path, trim_spaces=True)
    assert sheets["control.csv"].formulas, "LibreOffice ran none of the control's formulas"
    for name in ("customers.csv", "calls.csv", "followups.csv"):
        assert sheets[name].formulas == [], f"{name} split on {separator!r}"
    if separator == ",":  # where the cells are the export's own: the credit note is a number
        assert "-12.5" in {v for _ref, v in sheets["customers.csv"].numbers}
