"""Any script on paper: font runs, shaping and right-to-left order for the printed sheets.

reportlab draws a string in one font, left to right, one character to one glyph. Our people type
Japanese, Arabic, Hebrew, emoji... so every piece of text on a sheet goes through here first:

* :func:`segment` cuts text into runs by the font that has each character
  (:func:`winback_desktop.reports.fonts.font_for`), drops invisible format characters (emoji
  variation selectors, joiners) and replaces a character no font has with U+FFFD, noting it so
  the sheet can say "Some characters could not be printed: ...";
* right-to-left runs (Arabic, Hebrew) are shaped with HarfBuzz (uharfbuzz): Arabic letters take
  their joined forms, marks and ligatures come from the font, and the glyphs come out in visual
  order. Each glyph is written as a character the font maps to it (a presentation form, else a
  private-use character added to the font's map, as reportlab's own shaping does);
* lines are broken in logical order and then each line is put in visual order, word by word, with
  the Unicode bidirectional algorithm (python-bidi) - so an Arabic note reads right to left, its
  first words on the first line, and "call 0123 (Sara)" inside it stays the right way round.

:class:`Paragraph` is reportlab's paragraph with all of that; :func:`draw_line` and
:func:`text_width` do the same for one line drawn straight on a canvas (footers, running heads).
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import uharfbuzz as hb
from bidi import algorithm as uba
from bidi import get_base_level
from bidi.mirror import MIRRORED
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph as _RLParagraph

from winback_desktop.reports.fonts import font_for, has_glyph

Run = tuple[str, str]  # (reportlab font name, text in that font)

REPLACEMENT = "\ufffd"
# Invisible format characters with no glyph of their own: variation selectors (emoji/text
# presentation), joiners, bidi marks and embeddings (the order is worked out here), tags.
_IGNORABLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f\ufeff"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
_RTL_CLASSES = frozenset({"R", "AL"})
_private_rtl: set[str] = set()  # private-use characters standing for shaped right-to-left glyphs
_missing: ContextVar[set[str] | None] = ContextVar("winback_missing_glyphs", default=None)


# ---------------------------------------------------------------- characters no font has
@contextlib.contextmanager
def collect_missing() -> Iterator[set[str]]:
    """Within the block, every character no font can draw is added to the set yielded."""
    found: set[str] = set()
    token = _missing.set(found)
    try:
        yield found
    finally:
        _missing.reset(token)


def missing_note(chars: set[str]) -> str:
    """The sentence a sheet prints when some characters could not be drawn (plain text)."""
    names = []
    for ch in sorted(chars)[:8]:
        name = unicodedata.name(ch, "").lower()
        names.append(f"U+{ord(ch):04X}" + (f" ({name})" if name else ""))
    more = f" and {len(chars) - 8} more" if len(chars) > 8 else ""
    return (
        "Some characters could not be printed (no font on this computer has them; they show "
        f"as {REPLACEMENT}): " + ", ".join(names) + more + "."
    )


# ---------------------------------------------------------------- runs and shaping
def is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in _RTL_CLASSES or ch in _private_rtl


def _strong(ch: str) -> bool:
    return ch.isalpha() or unicodedata.category(ch) in ("So", "Lo", "Mn", "Mc")


@functools.lru_cache(maxsize=4096)
def _segment(text: str, base: str) -> tuple[tuple[Run, ...], frozenset[str]]:
    text = _IGNORABLE.sub("", text)
    runs: list[list[str]] = []
    missing: set[str] = set()
    for ch in text:
        current = runs[-1][0] if runs else None
        if current is not None and not _strong(ch) and has_glyph(current, ch):
            font: str | None = current  # spaces, digits, punctuation stay in the run's font
        elif unicodedata.category(ch) == "Mn" and current is not None and has_glyph(current, ch):
            font = current  # a combining mark belongs with its letter
        else:
            font = font_for(ch, base)
        if font is None:
            missing.add(ch)
            ch, font = REPLACEMENT, font_for(REPLACEMENT, base) or base
        if font == current:
            runs[-1][1] += ch
        else:
            runs.append([font, ch])
    shaped = tuple((font, _shape_rtl(font, chunk)) for font, chunk in runs)
    return shaped, frozenset(missing)


def segment(text: str, base: str) -> list[Run]:
    """``text`` set in ``base`` as (font, text) runs; right-to-left words already shaped."""
    if text.isascii() and not _IGNORABLE.search(text):
        return [(base, text)] if text else []  # the common case, exactly as before
    runs, missing = _segment(text, base)
    if missing:
        found = _missing.get()
        if found is not None:
            found.update(missing)
    return list(runs)


_RTL_WORD = re.compile(r"(?:[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc][\u0300-\u036f\u064b-\u065f\u0670]*)+")


def _shape_rtl(font_name: str, text: str) -> str:
    """``text`` with each right-to-left word replaced by its shaped glyphs, in visual order."""
    if not any(is_rtl(ch) for ch in text):
        return text
    return _RTL_WORD.sub(lambda m: _shape_word(font_name, m.group(0)), text)


@functools.lru_cache(maxsize=8192)
def _shape_word(font_name: str, word: str) -> str:
    font = pdfmetrics.getFont(font_name)
    hb_font = _hb_font(font_name)
    buf = hb.Buffer()
    buf.add_str(word)
    buf.guess_segment_properties()
    hb.shape(hb_font, buf, {"kern": True, "liga": True})
    face = font.face
    scale = 1000 / hb_font.face.upem
    out = []
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        out.append(_char_for_glyph(face, info.codepoint, pos.x_advance * scale))
    return "".join(out)


@functools.lru_cache(maxsize=64)
def _hb_font(font_name: str) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob(pdfmetrics.getFont(font_name).face._ttf_data)))


def _char_for_glyph(face: Any, gid: int, advance: float) -> str:
    """A character that ``face`` maps to glyph ``gid``: a right-to-left one it already has (a
    presentation form), else a private-use character added to its map."""
    for cp in face.glyphToChar.get(gid, ()):
        if unicodedata.bidirectional(chr(cp)) in _RTL_CLASSES:
            return chr(cp)
    cp = 0xF0000  # plane 15 private use: no font we bundle maps anything there
    while cp in face.charToGlyph:
        cp += 1
    face.charToGlyph[cp] = gid
    face.glyphToChar.setdefault(gid, []).append(cp)
    face.charWidths[cp] = advance
    _private_rtl.add(chr(cp))
    return chr(cp)


# ---------------------------------------------------------------- visual order
def _proxy(token: str) -> str:
    """One character with the bidi class of ``token``, for the bidi algorithm."""
    for ch in token:
        if is_rtl(ch):
            return "\u05d0"
        if unicodedata.bidirectional(ch) == "L":
            return "a"
    for ch in token:
        if unicodedata.bidirectional(ch) in ("EN", "AN"):
            return "1" if unicodedata.bidirectional(ch) == "EN" else "\u0661"
    return " " if token.isspace() else (token[0] if len(token) == 1 else "!")


def levels(tokens: list[str], base: int) -> list[int]:
    """The bidi embedding level of each token (a run of one direction) in a paragraph of
    direction ``base`` (0 left to right, 1 right to left)."""
    storage = uba.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    uba.get_embedding_levels("".join(_proxy(t) for t in tokens), storage)
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    return [c["level"] for c in storage["chars"]]


def visual_order(levels_: list[int]) -> list[int]:
    """Indices in visual order (rule L2: reverse each run at or above each odd level)."""
    order = list(range(len(levels_)))
    if not levels_:
        return order
    lowest_odd = min(lv for lv in levels_ if lv % 2) if any(lv % 2 for lv in levels_) else None
    if lowest_odd is None:
        return order
    for level in range(max(levels_), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels_[order[i]] >= level:
                j = i
                while j < len(order) and levels_[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order


def mirror(token: str) -> str:
    """A neutral token shown right to left: characters reversed, brackets mirrored."""
    return "".join(MIRRORED.get(ch, ch) for ch in reversed(token))


_TOKEN = re.compile(r"\s+|[^\s]+")


def _split_direction(word: str) -> list[str]:
    """A space-free word cut where it changes between right-to-left and other characters."""
    out: list[str] = []
    for ch in word:
        if out and is_rtl(out[-1][-1]) == is_rtl(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def tokens(text: str) -> list[str]:
    """``text`` as spaces and words, words cut where their direction changes."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        piece = m.group(0)
        out.extend([piece] if piece.isspace() else _split_direction(piece))
    return out


def reorder_runs(runs: list[Run], base: int) -> list[Run]:
    """One line's runs (logical order) put in visual order."""
    items = [(font, tok) for font, text in runs for tok in tokens(text)]
    lv = levels([tok for _, tok in items], base)
    out = []
    for i in visual_order(lv):
        font, tok = items[i]
        if lv[i] % 2 and not any(is_rtl(ch) for ch in tok):
            tok = mirror(tok) if not any(unicodedata.bidirectional(c) == "L" for c in tok) else tok
        out.append((font, tok))
    return out


def base_level(text: str) -> int:
    """1 when the text's first strong character is right to left, else 0."""
    return get_base_level(text) if any(is_rtl(ch) for ch in text) else 0


def has_rtl(text: str) -> bool:
    return any(is_rtl(ch) for ch in text)


# ---------------------------------------------------------------- straight on a canvas
def line_runs(text: str, font: str) -> list[Run]:
    """``text`` as one line in ``font``: font runs, shaped, in visual order."""
    runs = segment(text, font)
    if any(has_rtl(t) for _, t in runs):
        runs = reorder_runs(runs, base_level(text))
    return runs


def text_width(text: str, font: str, size: float) -> float:
    """How wide ``text`` prints on one line (its fallback fonts and shaping included)."""
    if text.isascii():
        return stringWidth(text, font, size)
    return sum(stringWidth(t, f, size) for f, t in segment(text, font))


def fit_line(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points on one line."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def draw_line(canv: Any, x: float, y: float, text: str, font: str, size: float, align: str = "left") -> None:
    """Draw ``text`` on ``canv`` at (x, y) - left, right or centre aligned - in any script."""
    runs = line_runs(text, font)
    width = sum(stringWidth(t, f, size) for f, t in runs)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    for f, t in runs:
        canv.setFont(f, size)
        canv.drawString(x, y, t)
        x += stringWidth(t, f, size)


# ---------------------------------------------------------------- the paragraph
class ScriptParagraph(_RLParagraph):
    """reportlab's Paragraph that prints every script: see the module's docstring."""

    frags: list[Any]
    style: Any
    blPara: Any

    def __init__(self, text: Any, style: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(text, style, *args, **kwargs)
        if text is None:
            return  # a part of a paragraph split across pages: its fragments are done
        plain = "".join(getattr(f, "text", "") for f in self.frags)
        if plain.isascii():
            return
        base = base_level(plain)
        frags = []
        for frag in self.frags:
            if hasattr(frag, "cbDefn") or not getattr(frag, "text", ""):
                frags.append(frag)
                continue
            runs = segment(frag.text, frag.fontName)
            if runs == [(frag.fontName, frag.text)]:
                frags.append(frag)  # all in its own font, nothing to shape: as it was
                continue
            for font, chunk in runs:
                frags.append(frag.clone(text=chunk, fontName=font))
        if has_rtl(plain) and len(frags) == 1:
            frags.append(frags[0].clone(text=""))  # kind 1 lines, which draw_para can reorder
        for frag in frags:
            frag.winback_base = base
        self.frags = frags
        if base == 1 and self.style.alignment == TA_LEFT:
            self.style = ParagraphStyle(f"{self.style.name}-rtl", self.style, alignment=TA_RIGHT)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Lay out in ``avail_width``; an email address or web address wider than the column is
        first cut at its own / . @ (see :func:`break_address`), never mid-word."""
        if not hasattr(self, "_whole_frags"):
            self._whole_frags = self.frags
        room = avail_width - self.style.leftIndent - self.style.rightIndent
        room -= max(self.style.firstLineIndent, 0)
        self.frags = _break_addresses(self._whole_frags, room)
        return super().wrap(avail_width, avail_height)

    def drawPara(self, debug: int = 0) -> None:  # noqa: N802 (reportlab's name)
        bl = self.blPara
        if getattr(bl, "kind", 0) != 1 or not any(
            has_rtl(getattr(f, "text", "")) for line in bl.lines for f in line.words
        ):
            super().drawPara(debug)
            return
        visual = bl.clone()
        visual.lines = [_visual_line(line) for line in bl.lines]
        self.blPara = visual
        try:
            super().drawPara(debug)
        finally:
            self.blPara = bl


# ---------------------------------------------------------------- addresses
# A web address (with a scheme or www.) or an email address: never broken inside a word.
ADDRESS = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"]+|[^\s@<>()\"',;:]+@[^\s@<>()\"',;:]+\.[^\s@<>()\"',;:]+", re.I
)
_ADDRESS_CUTS = re.compile(r"(?<=/)(?!/)|(?=[.@?&#=])")


def break_address(address: str, fits: Any) -> list[str]:
    """``address`` cut into lines that each ``fits``: after a slash, before a dot, @, ? & # or =
    (no hyphen is added). A part with no such point that is still too wide is cut where it must."""
    parts = [p for p in _ADDRESS_CUTS.split(address) if p]
    lines: list[str] = []
    for part in parts:
        if lines and fits(lines[-1] + part):
            lines[-1] += part
            continue
        while not fits(part) and len(part) > 1:
            n = len(part) - 1
            while n > 1 and not fits(part[:n]):
                n -= 1
            lines.append(part[:n])
            part = part[n:]
        lines.append(part)
    return lines


def _break_addresses(frags: list[Any], room: float) -> list[Any]:
    """``frags`` with every address wider than ``room`` cut into lines (forced line breaks)."""
    out: list[Any] = []
    for frag in frags:
        text = getattr(frag, "text", "")
        if hasattr(frag, "cbDefn") or "@" not in text and "/" not in text and "www." not in text:
            out.append(frag)
            continue
        font, size = frag.fontName, frag.fontSize

        def fits(s: str, font: str = font, size: float = size) -> bool:
            return stringWidth(s, font, size) <= room

        pos = 0
        for m in ADDRESS.finditer(text):
            if fits(m.group(0)):
                continue
            lines = break_address(m.group(0), fits)
            pieces = [text[pos : m.start()] + lines[0], *lines[1:]]
            for i, piece in enumerate(pieces):
                if i:
                    out.append(frag.clone(text="", lineBreak=True))
                out.append(frag.clone(text=piece))
            pos = m.end()
        out.append(frag.clone(text=text[pos:]) if pos else frag)
    return out


# Typed loosely like reportlab's own Paragraph, so it fits wherever a Flowable is expected.
Paragraph: Any = ScriptParagraph


def _visual_line(line: Any) -> Any:
    frags = [f for f in line.words if not hasattr(f, "cbDefn")]
    if len(frags) != len(line.words) or not any(has_rtl(f.text) for f in frags):
        return line
    base = getattr(frags[0], "winback_base", 0)
    pieces = [(i, tok) for i, f in enumerate(frags) for tok in tokens(f.text)]
    lv = levels([tok for _, tok in pieces], base)
    words = []
    for k in visual_order(lv):
        i, tok = pieces[k]
        if lv[k] % 2 and not any(is_rtl(ch) or unicodedata.bidirectional(ch) == "L" for ch in tok):
            tok = mirror(tok)
        words.append(frags[i].clone(text=tok))
    out = line.clone() if hasattr(line, "clone") else line
    out.words = words
    return out
