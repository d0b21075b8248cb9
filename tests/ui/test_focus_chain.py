"""Every window works from the keyboard in the order of the screen: Tab reaches every enabled
control, and never goes back up a column or left along a row (the main window on each tab,
the call on each stage and with a next step added, every dialog)."""

from __future__ import annotations

from tests.helpers.screens.focus import describe, interactive, out_of_order, tab_stops
from tests.helpers.screens.windows import every_window


def test_tab_reaches_every_control_in_the_order_of_the_screen(qtbot, demo_ctx, tmp_path):
    problems = []
    seen = []
    for name, window in every_window(demo_ctx, tmp_path):
        seen.append(name)
        stops = tab_stops(window)
        missing = [describe(w) for w in interactive(window) if w not in stops]
        if missing:
            problems.append(f"{name}: Tab never reaches {missing}")
        problems += [f"{name}: {step}" for step in out_of_order(stops)]
    assert len(seen) > 20
    assert problems == [], "\n".join(problems)
