"""The bundled Unicode fonts (DejaVu Sans), registered with reportlab once per process.

reportlab's built-in Helvetica only covers Latin-1; DejaVu prints accents, Cyrillic, Greek and
the ballot-box glyphs the sheets use.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from winback_desktop.resources import resource_path

REGULAR = "WinbackSans"
BOLD = "WinbackSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

_lock = threading.Lock()
_registered = False


class FontMissingError(FileNotFoundError):
    """A bundled font file is not where the app expects it (a broken install)."""

    def __init__(self, filename: str, detail: str = ""):
        self.filename = filename
        message = (
            f"The bundled font {filename} is missing from resources/fonts, so PDFs cannot be "
            "written. Reinstall Win-Back Desk."
        )
        super().__init__(f"{message} ({detail})" if detail else message)


def font_path(filename: str) -> Path:
    """The path of a bundled font file; FontMissingError naming the file if it is not there."""
    try:
        return resource_path("fonts", filename)
    except FileNotFoundError as exc:
        raise FontMissingError(filename, str(exc)) from None


def register_fonts() -> tuple[str, str]:
    """Register the regular and bold fonts (idempotent); returns their reportlab names."""
    global _registered
    with _lock:
        if not _registered:
            for name, filename in _FILES.items():
                if name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(name, str(font_path(filename))))
            # So <b> in our own markup picks the bold face; there is no italic face bundled.
            addMapping(REGULAR, 0, 0, REGULAR)
            addMapping(REGULAR, 1, 0, BOLD)
            addMapping(REGULAR, 0, 1, REGULAR)
            addMapping(REGULAR, 1, 1, BOLD)
            _registered = True
    return REGULAR, BOLD
