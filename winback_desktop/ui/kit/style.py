"""One calm style for the whole app: a few rules, each for the widgets of one object name."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from winback_desktop.ui.kit import palette as P

RULES = {
    "goal": f"QLabel#goal {{ background: {P.ACCENT_FACE}; border: 1px solid {P.ACCENT_LINE}; "
    "border-radius: 6px; padding: 8px 10px; }",
    "line": "QLabel#line { font-size: 11pt; padding: 2px 0; }",
    "guard": f"QFrame#guard {{ background: {P.CAUTION_FACE}; border: 1px solid {P.CAUTION_LINE}; "
    "border-radius: 6px; }",
    "step": f"""
QPushButton#step {{ padding: 8px 6px; border: 1px solid {P.STEP_LINE}; border-radius: 6px;
                   background: {P.STEP_FACE}; color: {P.STEP_TEXT}; }}
QPushButton#step[state="current"] {{ background: {P.ACCENT}; color: {P.ON_ACCENT}; border-color: {P.ACCENT};
                                    font-weight: bold; }}
QPushButton#step[state="done"] {{ background: {P.DONE_FACE}; color: {P.DONE_TEXT};
                                 border-color: {P.DONE_LINE}; }}
""",
    "card": f"QWidget#card {{ background: {P.CARD_FACE}; border-left: 1px solid {P.CARD_LINE}; }}",
    "saved": f"QLabel#saved {{ color: {P.DONE_TEXT}; }}",
    "timer": "QLabel#timer { font-size: 12pt; font-weight: bold; }",
    "hint": f"QLabel#hint {{ color: {P.HINT}; }}",
    "emptyTitle": "QLabel#emptyTitle { font-size: 15pt; }",
}
STYLE = "\n".join(RULES.values())


def apply_style(window: QWidget) -> None:
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
