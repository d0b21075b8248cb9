"""One calm style for the whole app: a few rules, each for the widgets of one object name."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from winback_desktop.ui.kit import palette as P


def rules() -> dict[str, str]:
    """The style rules in the colours of the current scheme (light or dark: kit/palette.py)."""
    c = P.colour
    return {
        "goal": f"QLabel#goal {{ background: {c('ACCENT_FACE')}; color: {c('ACCENT_TEXT')}; "
        f"border: 1px solid {c('ACCENT_LINE')}; border-radius: 6px; padding: 8px 10px; }}",
        "line": "QLabel#line { font-size: 11pt; padding: 2px 0; }",
        "guard": f"QFrame#guard {{ background: {c('CAUTION_FACE')}; border: 1px solid {c('CAUTION_LINE')}; "
        f"border-radius: 6px; }} QFrame#guard QLabel {{ color: {c('CAUTION_TEXT')}; }}",
        "step": f"""
QPushButton#step {{ padding: 8px 6px; border: 1px solid {c("STEP_LINE")}; border-radius: 6px;
                   background: {c("STEP_FACE")}; color: {c("STEP_TEXT")}; }}
QPushButton#step[state="current"] {{ background: {c("ACCENT")}; color: {c("ON_ACCENT")};
                                    border-color: {c("ACCENT")}; font-weight: bold; }}
QPushButton#step[state="done"] {{ background: {c("DONE_FACE")}; color: {c("DONE_TEXT")};
                                 border-color: {c("DONE_LINE")}; }}
""",
        "card": f"QWidget#card {{ background: {c('CARD_FACE')}; border-left: 1px solid {c('CARD_LINE')}; }} "
        f"QWidget#card QLabel {{ color: {c('CARD_TEXT')}; }}",
        "saved": f"QLabel#saved {{ color: {c('DONE_TEXT')}; }}",
        "timer": "QLabel#timer { font-size: 12pt; font-weight: bold; }",
        "hint": f"QLabel#hint {{ color: {c('HINT')}; }}",
        "emptyTitle": "QLabel#emptyTitle { font-size: 15pt; }",
    }


def banner_style(name: str, face: str, line: str, text: str, extra: str = "") -> str:
    """A box of words at the top of a window (``#name``), in the current scheme's colours."""
    c = P.colour
    return (
        f"#{name} {{ background: {c(face)}; color: {c(text)}; border: 1px solid {c(line)}; "
        f"border-radius: 4px; padding: 6px 10px; {extra}}}"
    )


RULES = rules()  # the light scheme's, as the module is imported (tests compare with rules())


def apply_style(window: QWidget) -> None:
    """Style a finished window in one pass, its dialogs and later widgets included (see
    create_app for why not app-wide)."""
    window.setStyleSheet("\n".join(rules().values()))


def style_named_widgets(root: QWidget) -> None:
    """Give each named widget under ``root`` its own rule, for a window built often (the call
    window): a sheet on the window sends every widget in it through Qt's style-sheet engine,
    about 40 ms of a call window's 150 ms budget. Widgets named later need another call."""
    now = rules()
    for widget in (root, *root.findChildren(QWidget)):
        rule = now.get(widget.objectName())
        if rule is not None and widget.styleSheet() != rule:
            widget.setStyleSheet(rule)
