"""The lines to say, larger or smaller (Ctrl+= / Ctrl+- / Ctrl+0), remembered per user.

The lines are read aloud on a live call, at arm's length from a laptop screen: the caller sets
their size once and every call after opens at it. The steps are ratios of the lines' own 11 pt;
the choice is kept beside the window sizes (``kit/access/geometry.store``).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QLabel

from winback_desktop.ui.kit.access.geometry import store

KEY = "call/script_zoom"
BASE_PT = 11.0  # the "line" rule's size (kit/style.py)
STEPS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5)
NORMAL = STEPS.index(1.0)


def saved_step() -> int:
    value = store().value(KEY)
    try:
        step = int(str(value))
    except ValueError:
        return NORMAL
    return step if 0 <= step < len(STEPS) else NORMAL


def save_step(step: int) -> None:
    settings = store()
    settings.setValue(KEY, step)
    settings.sync()


def line_rule(step: int) -> str:
    return f"QLabel#line {{ font-size: {BASE_PT * STEPS[step]:.1f}pt; padding: 2px 0; }}"


def percent(step: int) -> str:
    return f"{round(STEPS[step] * 100)}%"


class ScriptZoom:
    """The size of the lines to say in one call window; every change is saved."""

    def __init__(self) -> None:
        self.step = saved_step()

    def apply(self, labels: Iterable[QLabel]) -> None:
        rule = line_rule(self.step)
        for label in labels:
            if label.styleSheet() != rule:
                label.setStyleSheet(rule)

    def change(self, by: int) -> bool:
        """One step larger (+1) or smaller (-1), or back to normal (0); False at either end."""
        step = NORMAL if by == 0 else min(max(self.step + by, 0), len(STEPS) - 1)
        if step == self.step:
            return False
        self.step = step
        save_step(step)
        return True
