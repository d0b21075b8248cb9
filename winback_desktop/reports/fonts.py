"""The fonts the printed sheets use, and which one draws each character.

Latin, Greek, Cyrillic and the ballot-box glyphs print in the bundled DejaVu Sans, as they always
have. Every other script falls back, character by character, to the first font that has a glyph
for it (read from the font's own cmap):

* bundled: Noto Sans Arabic and Noto Sans Hebrew (small, SIL OFL, regular and bold);
* found on this computer at run time: a CJK font (WenQuanYi Micro Hei from Debian's
  fonts-wqy-microhei, Droid Sans Fallback, IPA, Nanum, UnDotum) and Symbola for emoji and symbols
  (fonts-symbola) at their Debian paths, then whatever fontconfig (``fc-list``) offers for a
  character none of those has. Only TrueType-outline fonts qualify: reportlab cannot embed
  CFF-outline fonts (such as Noto Sans CJK's .ttc), so those are skipped.

Fonts are loaded the first time a character needs them and kept for the process, so a sheet in
plain English never opens the 4 MB CJK font.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from winback_desktop.resources import resource_path

REGULAR = "WinbackSans"
BOLD = "WinbackSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

_lock = threading.RLock()
_registered = False

_ARABIC = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_HEBREW = ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))


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


# ---------------------------------------------------------------- fallback fonts
@dataclass(frozen=True)
class _Source:
    """One fallback font: where to find it and, when it is a script's own font, for which
    codepoints it comes before the general fonts."""

    name: str  # the reportlab name it is registered under
    bundled: str = ""  # a file in resources/fonts
    system: tuple[str, ...] = ()  # Debian paths, the first that loads is used
    prefer: tuple[tuple[int, int], ...] = ()  # codepoint ranges this font is first for


_CJK_PATHS = {
    "WinbackCJK-WQY": (  # Chinese, Japanese and Korean in one 5 MB font (fonts-wqy-microhei)
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ),
    "WinbackCJK-Droid": ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",),
    "WinbackCJK-IPA": (
        "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
        "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    ),
    "WinbackCJK-Hangul": (
        "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
        "/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf",
    ),
}
_SYSTEM = (
    *(_Source(name, system=paths) for name, paths in _CJK_PATHS.items()),
    _Source("WinbackSymbols", system=("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",)),
)
_CHAINS: dict[str, tuple[_Source, ...]] = {
    REGULAR: (
        _Source("WinbackArabic", bundled="NotoSansArabic-Regular.ttf", prefer=_ARABIC),
        _Source("WinbackHebrew", bundled="NotoSansHebrew-Regular.ttf", prefer=_HEBREW),
        _Source(REGULAR, bundled=_FILES[REGULAR]),
        *_SYSTEM,
    ),
    BOLD: (
        _Source("WinbackArabic-Bold", bundled="NotoSansArabic-Bold.ttf", prefer=_ARABIC),
        _Source("WinbackHebrew-Bold", bundled="NotoSansHebrew-Bold.ttf", prefer=_HEBREW),
        _Source(BOLD, bundled=_FILES[BOLD]),
        _Source(REGULAR, bundled=_FILES[REGULAR]),  # what DejaVu Bold lacks, DejaVu may have
        *_SYSTEM,
    ),
}

_loaded: dict[str, TTFont | None] = {}  # reportlab name -> the font, None when it cannot load
_choice: dict[tuple[str, str], str | None] = {}  # (chain, character) -> font name
_fc_tried: dict[str, str | None] = {}  # character -> a font fontconfig found for it
_FC_LIMIT = 48  # fontconfig look-ups per process: garbage text must not run hundreds


def _load(source: _Source) -> TTFont | None:
    """The font of ``source``, registered with reportlab; None if it is not on this computer."""
    if source.name in _loaded:
        return _loaded[source.name]
    font: TTFont | None = None
    if source.name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(source.name)
    elif source.bundled:
        font = TTFont(source.name, str(font_path(source.bundled)))
        pdfmetrics.registerFont(font)
    else:
        for path in source.system:
            font = _try_file(source.name, path)
            if font is not None:
                break
    _loaded[source.name] = font
    return font


def _try_file(name: str, path: str) -> TTFont | None:
    """A system font file loaded and registered as ``name``, or None (absent, CFF outlines...)."""
    if not Path(path).is_file():
        return None
    try:
        font = TTFont(name, path, subfontIndex=0)
    except (TTFError, OSError, ValueError, KeyError, IndexError, AssertionError):
        return None
    pdfmetrics.registerFont(font)
    return font


def _covers(font: TTFont | None, ch: str) -> bool:
    return font is not None and ord(ch) in font.face.charToGlyph


def _fontconfig(ch: str) -> str | None:
    """A TrueType font fontconfig knows that has ``ch``, registered under its own name."""
    if ch in _fc_tried:
        return _fc_tried[ch]
    found: str | None = None
    fc = shutil.which("fc-list")
    if fc is not None and len(_fc_tried) < _FC_LIMIT:
        try:
            out = subprocess.run(
                [fc, f":charset={ord(ch):x}", "file"], capture_output=True, text=True, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in sorted(out.splitlines()):
            path = line.rstrip(": ").strip()
            name = f"WinbackSystem-{Path(path).stem}"
            font = _loaded.get(name) if name in _loaded else _try_file(name, path)
            _loaded[name] = font
            if _covers(font, ch):
                found = name
                break
    _fc_tried[ch] = found
    return found


def font_for(ch: str, base: str) -> str | None:
    """The font that draws ``ch`` in text set in ``base`` (REGULAR or BOLD; any other font is
    taken to be regular); None when no font on this computer has a glyph for it."""
    chain = base if base in _CHAINS else REGULAR
    key = (chain, ch)
    if key in _choice:
        return _choice[key]
    with _lock:
        register_fonts()
        cp = ord(ch)
        sources = _CHAINS[chain]
        first = [s for s in sources if any(lo <= cp <= hi for lo, hi in s.prefer)]
        rest = [s for s in sources if not s.prefer]
        found = next((s.name for s in (*first, *rest) if _covers(_load(s), ch)), None)
        if found is None:
            found = _fontconfig(ch)
        _choice[key] = found
    return found


def has_glyph(font_name: str, ch: str) -> bool:
    """Whether the registered font ``font_name`` has a glyph for ``ch``."""
    return _covers(pdfmetrics.getFont(font_name), ch)
