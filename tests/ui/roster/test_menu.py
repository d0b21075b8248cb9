"""The roster menu's lapse-rule dialog writes the setting through the settings service."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from tests.ui.roster.test_ranking import JOB_TIMEOUT_MS
from winback_desktop.services import settings
from winback_desktop.ui.main_window import MainWindow


def test_the_lapse_rule_dialog_sets_the_months(qtbot, ctx, monkeypatch):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    asked = []

    def answer(_parent, _title, _label, value, low, high):
        asked.append((value, low, high))
        return 3, True

    monkeypatch.setattr(QInputDialog, "getInt", answer)
    window.roster_menu.edit_lapse_rule()
    assert asked == [(6, 1, 60)]  # the default offered, within the dialog's range
    assert settings.lapse_months(ctx) == 3
    # (re-ranking afterwards, and its status message: tests/ui/roster/test_ranking.py)

    monkeypatch.setattr(QInputDialog, "getInt", lambda *a: (9, False))  # cancelled
    window.roster_menu.edit_lapse_rule()
    assert settings.lapse_months(ctx) == 3
    qtbot.waitUntil(lambda: not window.ranking.running, timeout=JOB_TIMEOUT_MS)
