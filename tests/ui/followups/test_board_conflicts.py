"""The follow-up board over a change made at another desk meanwhile: nothing is overwritten, the
conflict dialog shows the item as it stands and this change, and the choice is saved. Real
widgets over a real database (SQLite, or the team server with WINBACK_TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.helpers.dialogs import when_dialog
from winback_desktop.bootstrap import open_app
from winback_desktop.services.conflicts import SEPARATOR
from winback_desktop.services.followups import board as followups
from winback_desktop.ui.followups.tab import FollowUpsTab
from winback_desktop.ui.kit.confirm import NoteDialog

ALT = Qt.KeyboardModifier.AltModifier
ITEM = 6  # Café Lumière: the monthly statement review (sample data)


@pytest.fixture
def tab(qtbot, demo_ctx) -> FollowUpsTab:
    t = FollowUpsTab(demo_ctx)
    qtbot.addWidget(t)
    t.resize(1100, 600)
    t.show()
    qtbot.waitExposed(t)
    t.activateWindow()
    qtbot.waitUntil(t.isActiveWindow)
    assert t.select_item(ITEM)
    return t


def done_elsewhere(paths, note: str) -> None:
    other = open_app(paths)
    try:
        followups.mark_done(other, ITEM, note, followups.get(other, ITEM).version)
    finally:
        other.close()


@pytest.mark.parametrize(
    ("key", "note"),
    [
        (Qt.Key.Key_B, f"Invite sent\n{SEPARATOR}\nReview booked for the 1st"),
        (Qt.Key.Key_M, "Review booked for the 1st"),
        (Qt.Key.Key_T, "Invite sent"),
    ],
)
def test_marked_done_at_another_desk_meanwhile(qtbot, tab, demo_ctx, paths, monkeypatch, key, note):
    done_elsewhere(paths, "Invite sent")  # the board still shows the item as it was
    monkeypatch.setattr(NoteDialog, "ask", staticmethod(lambda *a, **k: ("Review booked for the 1st", True)))
    seen: list = []
    when_dialog(lambda d: qtbot.keyClick(d, key, ALT), seen)
    assert tab.mark_done()
    # Asked once the worker met the change; then the choice is saved by a job of its own.
    qtbot.waitUntil(lambda: bool(seen) and not seen[0].isVisible() and tab.job is None, timeout=10_000)
    assert followups.get(demo_ctx, ITEM).done_note == note
    assert "Invite sent" in seen[0].theirs.toPlainText()
    assert seen[0].mine.toPlainText() == "Done · Review booked for the 1st"
    assert followups.get(demo_ctx, ITEM).status == "done"
