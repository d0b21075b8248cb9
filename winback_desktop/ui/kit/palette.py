"""Every colour the app paints with, named for what it means (style sheets, models, charts).

Plain "#rrggbb" strings: style sheets and HTML take them as they are, ``QColor(palette.X)`` for
models and charts. Colour is never the only cue (overdue rows also say "OVERDUE").
"""

from __future__ import annotations

ACCENT = "#2f6db3"  # the current stage; the volume chart's bars
ON_ACCENT = "white"
ACCENT_FACE = "#eef4fb"  # a stage's goal
ACCENT_LINE = "#c9dcf0"
CAUTION_FACE = "#fff6e0"  # "listen first" guard
CAUTION_LINE = "#e8c66a"
STEP_FACE = "#f4f5f7"  # a stage not reached yet
STEP_LINE = "#c8ccd2"
STEP_TEXT = "#777"
DONE_FACE = "#e6f2e8"  # a stage done
DONE_LINE = "#a9cfb1"
DONE_TEXT = "#2d6a3a"  # also "All changes saved"
CARD_FACE = "#fafafa"  # the customer card beside a call
CARD_LINE = "#ddd"
FIGURE_FACE = "#f6f8fb"  # a cycle's figures
FIGURE_LINE = "#d5dde8"
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
