"""Two people deciding about one customer at once, through the roster's buttons: the second is
told (the conflict dialog shows what stands and what they asked) and chooses; neither reason is
silently lost. Real widgets over a real database (SQLite, or the team server)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from tests.helpers.dialogs import when_dialog
from winback_desktop.bootstrap import open_app
from winback_desktop.services import roster
from winback_desktop.services.conflicts import Choice
from winback_desktop.store.models import Customer
from winback_desktop.ui.roster.panel import RosterPanel

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def panel(qtbot, demo_ctx):
    p = RosterPanel(demo_ctx)
    qtbot.addWidget(p)
    p.refresh()
    p.show()
    p.table.selectRow(0)
    assert p.details.row is not None
    return p


def notes_of(ctx, customer_id: int) -> str:
    with ctx.sessions() as s:
        return s.get(Customer, customer_id).notes


def test_marked_lost_at_another_desk_meanwhile_keep_both_reasons(qtbot, panel, demo_ctx, paths, monkeypatch):
    row = panel.details.row
    other = open_app(paths)
    try:
        roster.mark_lost(other, row.id, "Went to a competitor", row.version)
    finally:
        other.close()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Closed their Leeds site", True))
    seen: list = []
    when_dialog(lambda d: qtbot.keyClick(d, Qt.Key.Key_Return), seen)  # Enter keeps both
    panel.details.lost.click()
    assert seen, "no conflict dialog"
    assert "Went to a competitor" in seen[0].theirs.toPlainText()
    assert "Closed their Leeds site" in seen[0].mine.toPlainText()
    assert seen[0].choice is Choice.BOTH
    notes = notes_of(demo_ctx, row.id)
    assert "Went to a competitor" in notes and "Closed their Leeds site" in notes


def test_let_go_at_another_desk_meanwhile_keep_mine(qtbot, panel, demo_ctx, paths, monkeypatch):
    row = panel.details.row
    other = open_app(paths)
    try:
        roster.decide(other, row.id, "let_go", "Only buys on discount", row.version)
    finally:
        other.close()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Always disputes invoices", True))
    seen: list = []
    when_dialog(lambda d: qtbot.keyClick(d, Qt.Key.Key_M, ALT), seen)
    panel.details.let_go.click()
    assert seen and seen[0].theirs.toPlainText() == "Let go — Only buys on discount"
    assert seen[0].choice is Choice.MINE
    assert roster.roster_page(demo_ctx, text=row.external_id)[0].decision_reason == "Always disputes invoices"


def test_take_theirs_changes_nothing_and_the_roster_shows_what_stands(qtbot, panel, demo_ctx, paths):
    row = panel.details.row
    other = open_app(paths)
    try:
        roster.decide(other, row.id, "let_go", "Only buys on discount", row.version)
    finally:
        other.close()
    seen: list = []
    when_dialog(lambda d: qtbot.keyClick(d, Qt.Key.Key_T, ALT), seen)
    panel.details.pursue.click()
    assert seen and seen[0].choice is Choice.THEIRS and not seen[0].keep_both.isVisible()
    stands = roster.roster_page(demo_ctx, text=row.external_id)[0]
    assert (stands.decision, stands.decision_reason) == ("let_go", "Only buys on discount")
    qtbot.waitUntil(lambda: panel.details.row is not None and panel.details.row.version == stands.version)
