"""What a PDF really draws, glyph by glyph: not its extracted text, but the glyphs its content
streams select in the embedded font subsets (read back with pypdf and fontTools).

For each text-showing operator (Tj, TJ) the font set by Tf is looked up in the page resources;
each byte code is mapped through the embedded TrueType subset's own cmap to a glyph. A glyph that
is ``.notdef`` (glyph 0) is the empty box a reader sees for a character the font lacks.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from functools import cache

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream


@dataclass(frozen=True)
class Glyph:
    font: str  # the embedded font's name without the subset tag ("DejaVuSans")
    code: int  # the byte drawn
    name: str  # the glyph's name in the embedded subset
    gid: int  # its glyph id there (0 is .notdef)
    contours: int  # outline contours (0: an empty glyph, such as a space)
    text: str  # what the font's ToUnicode says it stands for
    outline: tuple  # the glyph's coordinates, to compare with a glyph in the original font
    y: float = 0.0  # the baseline it sits on, in text space (a new line has a new y)

    @property
    def notdef(self) -> bool:
        return self.gid == 0 or self.name == ".notdef"


@dataclass
class _Font:
    name: str
    cmap: dict[int, str]
    tt: TTFont
    unicode: dict[int, str]


def _to_unicode(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    inside = False
    for line in data.decode("latin-1").splitlines():
        if line.endswith("beginbfchar"):
            inside = True
        elif line.startswith("endbfchar"):
            inside = False
        elif inside and line.startswith("<"):
            code, uni = line.split(None, 1)
            hexes = uni.replace("<", "").replace(">", "").replace(" ", "")
            # UTF-16BE as the PDF spec says, or (reportlab, past the BMP) the bare code point.
            text = bytes.fromhex(hexes).decode("utf-16-be") if len(hexes) % 4 == 0 else chr(int(hexes, 16))
            out[int(code.strip("<>"), 16)] = text
    return out


def _font(obj) -> _Font:
    obj = obj.get_object()
    name = str(obj["/BaseFont"]).lstrip("/").split("+", 1)[-1]
    data = obj["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
    tt = TTFont(io.BytesIO(data))
    cmap: dict[int, str] = {}
    for table in tt["cmap"].tables:
        for code, glyph in table.cmap.items():
            cmap.setdefault(code & 0xFF if code >= 0xF000 else code, glyph)
    unicode = _to_unicode(obj["/ToUnicode"].get_object().get_data()) if "/ToUnicode" in obj else {}
    return _Font(name, cmap, tt, unicode)


def outline(tt: TTFont, name: str) -> tuple:
    glyf = tt["glyf"]
    g = glyf[name]
    if g.numberOfContours == 0:
        return ()
    coords, _, _ = g.getCoordinates(glyf)
    return tuple(tuple(c) for c in coords)


def drawn_glyphs(data: bytes) -> list[list[Glyph]]:
    """Every glyph each page draws, in the order drawn (left to right along a line)."""
    reader = PdfReader(io.BytesIO(data))
    pages = []
    for page in reader.pages:
        resources = page["/Resources"]["/Font"].items()
        fonts = {k: _font(v) for k, v in resources if "/FontDescriptor" in v.get_object()}
        current: _Font | None = None
        drawn: list[Glyph] = []
        y = leading = 0.0
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"BT":
                y = 0.0
            elif op == b"Tm":
                y = float(operands[5])
            elif op in (b"Td", b"TD"):
                y += float(operands[1])
            elif op == b"TL":
                leading = float(operands[0])
            elif op == b"T*":
                y -= leading
            elif op == b"Tf":
                current = fonts.get(str(operands[0]))
            elif op in (b"Tj", b"TJ") and current is not None:
                pieces = operands if op == b"Tj" else operands[0]
                strings = [s for s in pieces if not isinstance(s, int | float)]
                for s in strings:
                    raw = s.original_bytes if hasattr(s, "original_bytes") else bytes(s)
                    drawn += [replace(_glyph(current, code), y=y) for code in raw]
        pages.append(drawn)
    return pages


def _glyph(font: _Font, code: int) -> Glyph:
    name = font.cmap.get(code, ".notdef")
    gid = font.tt.getGlyphID(name)
    g = font.tt["glyf"][name]
    text = font.unicode.get(code, "")
    return Glyph(font.name, code, name, gid, g.numberOfContours, text, _outline(font, name))


def _outline(font: _Font, name: str) -> tuple:
    return outline(font.tt, name)


@cache
def original_font(path: str) -> TTFont:
    return TTFont(path, fontNumber=0)


def all_glyphs(data: bytes) -> list[Glyph]:
    return [g for page in drawn_glyphs(data) for g in page]


def drawn_lines(data: bytes) -> list[str]:
    """The drawn characters line by line (top to bottom), each in drawing order."""
    lines: list[tuple[float, str]] = []
    for page in drawn_glyphs(data):
        for g in page:
            if lines and abs(lines[-1][0] - g.y) < 0.01:
                lines[-1] = (g.y, lines[-1][1] + g.text)
            else:
                lines.append((g.y, g.text))
    return [text for _, text in lines]


def drawn_text(data: bytes) -> str:
    """The characters the drawn glyphs stand for, in drawing order (visual order)."""
    return "".join(g.text for g in all_glyphs(data))
