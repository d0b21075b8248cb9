"""Every colour the app paints with, named for what it means (style sheets, models, charts).

Plain "#rrggbb" strings: style sheets and HTML take them as they are, ``QColor(palette.X)`` for
models and charts. Colour is never the only cue (overdue rows also say "OVERDUE").

The names below are the light scheme. Under a dark desktop theme the window text is light, so a
pale box (the Goal, a banner) would hold light text on a light face: ``colour("ACCENT_FACE")``
gives the dark scheme's value when the application's palette is dark, and every box names its
text colour too (``*_TEXT``), so no box takes the theme's text onto a face of its own.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPalette

ACCENT = "#2f6db3"  # the current stage; the volume chart's bars
ON_ACCENT = "white"
ACCENT_FACE = "#eef4fb"  # a stage's goal
ACCENT_LINE = "#c9dcf0"
ACCENT_TEXT = "#1d2939"  # the goal's words
CAUTION_FACE = "#fff6e0"  # "listen first" guard
CAUTION_LINE = "#e8c66a"
CAUTION_TEXT = "#3d2c00"
STEP_FACE = "#f4f5f7"  # a stage not reached yet
STEP_LINE = "#c8ccd2"
STEP_TEXT = "#777"
DONE_FACE = "#e6f2e8"  # a stage done
DONE_LINE = "#a9cfb1"
DONE_TEXT = "#2d6a3a"  # also "All changes saved"
CARD_FACE = "#fafafa"  # the customer card beside a call
CARD_LINE = "#ddd"
CARD_TEXT = "#1f2328"
FIGURE_FACE = "#f6f8fb"  # a cycle's figures
FIGURE_LINE = "#d5dde8"
FIGURE_TEXT = "#1f2328"
HINT = "#666"  # quiet words under a title, "None.", "No note yet."
MUTED = "#8a8f98"  # closed cycles, retired people
QUIET = "#6b6f76"  # follow-ups that are done, cancelled or without an owner
WARN = "#a15c00"  # "⚠ verify" on an assignment
WARNING_TEXT = "#9a4b00"  # a double booking
OVERDUE = "#b3261e"  # follow-ups past their due date
LATE = "#800000"  # the Today list's late items (Qt's dark red)
LOSS = "#d9822b"  # the volume chart's line: yearly business lost
ERROR_FACE = "#fdecea"  # a form's error box
ERROR_LINE = "#e6a19a"
ERROR_TEXT = "#8a1f11"
BAD_FIELD = "#d9534f"  # the field an error is about

# The dark scheme: faces dark and text light, at least 4.5:1 apart (WCAG AA), lines between.
DARK = {
    "ACCENT": "#4f8fd6",
    "ON_ACCENT": "#0b1220",
    "ACCENT_FACE": "#1c2c40",
    "ACCENT_LINE": "#3b5d85",
    "ACCENT_TEXT": "#e3ecf7",
    "CAUTION_FACE": "#3a2f12",
    "CAUTION_LINE": "#8a6d1f",
    "CAUTION_TEXT": "#f6e7bf",
    "STEP_FACE": "#2b2e33",
    "STEP_LINE": "#4a4f57",
    "STEP_TEXT": "#b9bec5",
    "DONE_FACE": "#1d3322",
    "DONE_LINE": "#3f6b48",
    "DONE_TEXT": "#9ad8a8",
    "CARD_FACE": "#24262a",
    "CARD_LINE": "#3a3d42",
    "CARD_TEXT": "#e6e8eb",
    "FIGURE_FACE": "#222830",
    "FIGURE_LINE": "#3b4452",
    "FIGURE_TEXT": "#e6e8eb",
    "HINT": "#a7abb1",
    "MUTED": "#9096a0",
    "QUIET": "#a0a4ab",
    "WARN": "#f0a64a",
    "WARNING_TEXT": "#f4ad68",
    "OVERDUE": "#ff8a80",
    "LATE": "#ff9e94",
    "LOSS": "#f0a04b",
    "ERROR_FACE": "#3b1d1a",
    "ERROR_LINE": "#8a3b33",
    "ERROR_TEXT": "#ffc0b6",
    "BAD_FIELD": "#ff6b66",
}


def dark() -> bool:
    """Is the application's palette a dark one (light text on a dark window)?"""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return False
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def colour(name: str) -> str:
    """The colour called ``name`` in the scheme the application's palette asks for."""
    if dark():
        return DARK[name]
    value = globals()[name]
    assert isinstance(value, str), name
    return value
