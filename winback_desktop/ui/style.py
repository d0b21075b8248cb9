"""One calm style sheet for the whole app."""

STYLE = """
QLabel#goal { background: #eef4fb; border: 1px solid #c9dcf0; border-radius: 6px; padding: 8px 10px; }
QLabel#line { font-size: 11pt; padding: 2px 0; }
QFrame#guard { background: #fff6e0; border: 1px solid #e8c66a; border-radius: 6px; }
QPushButton#step { padding: 8px 6px; border: 1px solid #c8ccd2; border-radius: 6px; background: #f4f5f7;
                   color: #777; }
QPushButton#step[state="current"] { background: #2f6db3; color: white; border-color: #2f6db3;
                                    font-weight: bold; }
QPushButton#step[state="done"] { background: #e6f2e8; color: #2d6a3a; border-color: #a9cfb1; }
QWidget#card { background: #fafafa; border-left: 1px solid #ddd; }
QLabel#saved { color: #2d6a3a; }
QLabel#timer { font-size: 12pt; font-weight: bold; }
QLabel#hint { color: #666; }
QLabel#emptyTitle { font-size: 15pt; }
"""


def apply_style(window) -> None:
    """Style a finished window in one pass (see create_app for why not app-wide)."""
    window.setStyleSheet(STYLE)
