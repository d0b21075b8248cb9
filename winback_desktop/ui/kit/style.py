"""One calm style for the whole app: a few rules, each for the widgets of one object name."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

RULES = {
    "goal": "QLabel#goal { background: #eef4fb; border: 1px solid #c9dcf0; border-radius: 6px; "
    "padding: 8px 10px; }",
    "line": "QLabel#line { font-size: 11pt; padding: 2px 0; }",
    "guard": "QFrame#guard { background: #fff6e0; border: 1px solid #e8c66a; border-radius: 6px; }",
    "step": """
QPushButton#step { padding: 8px 6px; border: 1px solid #c8ccd2; border-radius: 6px; background: #f4f5f7;
                   color: #777; }
QPushButton#step[state="current"] { background: #2f6db3; color: white; border-color: #2f6db3;
                                    font-weight: bold; }
QPushButton#step[state="done"] { background: #e6f2e8; color: #2d6a3a; border-color: #a9cfb1; }
""",
    "card": "QWidget#card { background: #fafafa; border-left: 1px solid #ddd; }",
    "saved": "QLabel#saved { color: #2d6a3a; }",
    "timer": "QLabel#timer { font-size: 12pt; font-weight: bold; }",
    "hint": "QLabel#hint { color: #666; }",
    "emptyTitle": "QLabel#emptyTitle { font-size: 15pt; }",
}
STYLE = "\n".join(RULES.values())


def apply_style(window) -> None:
    """Style a finished window in one pass, its dialogs and later widgets included (see
    create_app for why not app-wide)."""
    window.setStyleSheet(STYLE)


def style_named_widgets(root: QWidget) -> None:
    """Give each named widget under ``root`` its own rule, for a window built often (the call
    window): a sheet on the window sends every widget in it through Qt's style-sheet engine,
    about 40 ms of a call window's 150 ms budget. Widgets named later need another call."""
    for widget in (root, *root.findChildren(QWidget)):
        rule = RULES.get(widget.objectName())
        if rule is not None and widget.styleSheet() != rule:
            widget.setStyleSheet(rule)
