"""The roster panel: paged model, search, filters and the pursue / let-go decision."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QInputDialog
from sqlalchemy import insert

from winback_desktop.services import roster
from winback_desktop.store.models import Customer, customer_search_text
from winback_desktop.ui.roster.panel import RosterPanel


@pytest.fixture
def panel(qtbot, demo_ctx):
    p = RosterPanel(demo_ctx)
    qtbot.addWidget(p)
    p.refresh()
    p.show()
    return p


def companies(panel):
    return [panel.model.row_at(i).company for i in range(panel.model.rowCount())]


def test_model_is_sound_and_ranked(qtmodeltester, panel):
    qtmodeltester.check(panel.model)
    priorities = [panel.model.row_at(i).priority for i in range(panel.model.rowCount())]
    assert priorities == sorted(priorities, reverse=True)
    assert panel.count_label.text() == "50 customers"


def test_search_as_you_type_and_filters(qtbot, panel):
    qtbot.keyClicks(panel.search, "ørsted")
    qtbot.waitUntil(lambda: companies(panel) == ["Ørsted & Dahl Delikatesser"])
    panel.search.clear()
    panel.status.setCurrentIndex(panel.status.findText("Lost"))
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0)
    assert {panel.model.row_at(i).status for i in range(panel.model.rowCount())} == {"lost"}
    assert "match" in panel.count_label.text()


def test_let_go_leaves_the_call_list_and_keeps_history(qtbot, panel, demo_ctx, monkeypatch):
    panel.table.selectRow(0)
    top = panel.model.row_at(0)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("always disputes invoices", True))
    panel.details.let_go.click()
    row = roster.roster_page(demo_ctx, text=top.external_id)[0]
    assert row.decision == "let_go" and row.priority == 0 and "always disputes" in row.priority_reason
    panel.decision.setCurrentIndex(panel.decision.findText("To call (pursue + undecided)"))
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0)
    assert top.company not in companies(panel)
    assert top.id not in [r.id for r in roster.call_list(demo_ctx, limit=100)]


def test_verify_contact_flag_and_checked_today(qtbot, panel, demo_ctx):
    panel.table.selectRow(1)
    chosen = panel.model.row_at(1)
    panel.details.verify.setChecked(True)
    assert roster.roster_page(demo_ctx, text=chosen.external_id)[0].verify_contact
    panel.details.verified.click()
    row = roster.roster_page(demo_ctx, text=chosen.external_id)[0]
    assert not row.verify_contact and row.contact_verified_on == dt.date.today()


def test_rows_are_fetched_a_page_at_a_time(qtbot, ctx):
    with ctx.engine.begin() as conn:
        conn.execute(
            insert(Customer),
            [
                {
                    "external_id": f"{i:05d}",
                    "company": f"Company {i}",
                    "search_text": customer_search_text(f"Company {i}", "", f"{i:05d}", "", ""),
                    "priority": float(i % 100),
                }
                for i in range(450)
            ],
        )
    p = RosterPanel(ctx)
    qtbot.addWidget(p)
    p.refresh()
    assert p.model.rowCount() == 200 and p.model.canFetchMore()
    p.model.fetchMore()
    assert p.model.rowCount() == 400
    p.model.fetchMore()
    assert p.model.rowCount() == 450 and not p.model.canFetchMore()
