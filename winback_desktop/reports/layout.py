"""Shared building blocks for the printable A4 documents (reportlab).

Page geometry and colours, text helpers that make user text safe to print, the paragraph styles,
a few flowables (rules, quote bars, ruled lines for handwriting), label/value tables and the page
furniture ("page N of M" footer, running head). The action sheet uses them; so can any other
report that should look like it belongs to the same family.

All text that came from a person (notes, names, free-text offers) goes through :func:`para`:
it is escaped, so markup in a note prints literally and can never fetch an image or a link.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import CondPageBreak, Flowable, Table, TableStyle

from winback_desktop.formats import day_month_year_time
from winback_desktop.reports.fonts import BOLD, REGULAR
from winback_desktop.reports.text import ADDRESS, Paragraph, draw_line, fit_line, missing_note, text_width
from winback_desktop.services.clock import to_local

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18 * mm, 16 * mm, 20 * mm
FRAME_PADDING = 6  # SimpleDocTemplate's frame pads each side by 6 pt
BODY_W = PAGE_W - 2 * MARGIN_X - 2 * FRAME_PADDING

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#616E7C")
ACCENT = colors.HexColor("#2B5F75")
RULE = colors.HexColor("#CBD2D9")
BAND = colors.HexColor("#EEF3F6")
QUOTE_BAR = colors.HexColor("#9FB8C6")
WARN = colors.HexColor("#A8321E")

Styles = dict[str, ParagraphStyle]  # the paragraph styles by name, as :func:`styles` builds them

# Control characters (not tab/newline, which are handled) and non-characters print as boxes or
# confuse text extraction; they carry no meaning in a note.
_JUNK = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


# ---------------------------------------------------------------- text helpers
def clean(text: object) -> str:
    """Plain text, safe to draw directly on a canvas: one line, no control characters."""
    return _JUNK.sub("", " ".join(str(text or "").split()))


def para(text: object) -> str:
    """User text as Paragraph markup: escaped (``<``, ``>``, ``&``), line breaks as ``<br/>``."""
    lines = str(text or "").replace("\t", "    ").splitlines()
    return "<br/>".join(escape(_JUNK.sub("", line)) for line in lines)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when it was cut; never
    inside an email or web address (the cut moves to before it)."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    for m in ADDRESS.finditer(text, 0, len(text)):
        if m.start() < cut < m.end():
            cut = m.start()
            break
    return text[:cut].rstrip() + "…"


local = to_local  # the store keeps naive UTC; the partner reads local time


def fmt_datetime(t: dt.datetime | None) -> str:
    if t is None:
        return ""
    return day_month_year_time(local(t), weekday=True)


# ---------------------------------------------------------------- styles and flowables
def styles() -> Styles:
    """The paragraph styles, by name; build them after :func:`register_fonts`."""
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=13, textColor=INK)
    return {
        "body": base,
        "kicker": ParagraphStyle("kicker", base, fontSize=8.5, leading=11, textColor=MUTED),
        "title": ParagraphStyle(
            "title", base, fontName=BOLD, fontSize=19, leading=23, spaceBefore=2, spaceAfter=2
        ),
        "sub": ParagraphStyle("sub", base, fontSize=9.5, leading=13, textColor=MUTED),
        "h2": ParagraphStyle(
            "h2", base, fontName=BOLD, fontSize=11, leading=14, textColor=ACCENT, spaceBefore=13, spaceAfter=3
        ),
        "label": ParagraphStyle("label", base, fontSize=8, leading=10.5, textColor=MUTED),
        "value": ParagraphStyle("value", base, fontSize=9.5, leading=12.5),
        "strong": ParagraphStyle("strong", base, fontName=BOLD, fontSize=10, leading=13),
        "quote": ParagraphStyle("quote", base, fontSize=10, leading=14.5, leftIndent=10, spaceAfter=4),
        "caption": ParagraphStyle(
            "caption", base, fontSize=8, leading=10.5, textColor=MUTED, leftIndent=10, spaceAfter=2
        ),
        "muted": ParagraphStyle("muted", base, textColor=MUTED),
        "bullet": ParagraphStyle("bullet", base, leftIndent=12, bulletIndent=2, spaceAfter=1),
        "th": ParagraphStyle("th", base, fontName=BOLD, fontSize=8, leading=10, textColor=MUTED),
        "box": ParagraphStyle("box", base, fontSize=13, leading=14),
    }


class Rule(Flowable):
    """A thin horizontal line under a section heading."""

    def __init__(self, color: Color = RULE, thickness: float = 0.6, space_after: float = 5) -> None:
        super().__init__()
        self.color, self.thickness, self.space_after = color, thickness, space_after

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.thickness + self.space_after

    def draw(self) -> None:
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        y = self.space_after
        self.canv.line(0, y, self.width, y)


class QuoteBar(Flowable):
    """A paragraph with a calm bar down its left edge; splits across pages like a paragraph."""

    def __init__(self, paragraph: Paragraph) -> None:
        super().__init__()
        self.paragraph = paragraph

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        _, self.height = self.paragraph.wrap(avail_width, avail_height)
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[QuoteBar]:
        return [QuoteBar(p) for p in self.paragraph.split(avail_width, avail_height)]

    def getSpaceAfter(self) -> float:  # noqa: N802 (reportlab's name)
        return self.paragraph.getSpaceAfter()

    def draw(self) -> None:
        self.canv.setFillColor(QUOTE_BAR)
        self.canv.rect(0, 0, 2.2, self.height, stroke=0, fill=1)
        self.paragraph.drawOn(self.canv, 0, 0)


class RuledLines(Flowable):
    """Ruled lines for handwriting: fills what is left of the page, within min/max lines."""

    def __init__(self, gap: float = 9 * mm, min_lines: int = 5, max_lines: int = 26) -> None:
        super().__init__()
        self.gap, self.min_lines, self.max_lines = gap, min_lines, max_lines
        self.lines = min_lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.lines = max(self.min_lines, min(self.max_lines, int(avail_height // self.gap)))
        return avail_width, self.lines * self.gap

    def draw(self) -> None:
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.6)
        for i in range(1, self.lines + 1):
            y = self.lines * self.gap - i * self.gap
            self.canv.line(0, y, self.width, y)


def missing_glyphs(chars: set[str], st: Styles) -> list[Flowable]:
    """The note a sheet carries when some characters in it could not be drawn (else nothing)."""
    if not chars:
        return []
    note = ParagraphStyle("missing", st["caption"], leftIndent=0, textColor=WARN, spaceBefore=2)
    return [Paragraph(escape(missing_note(chars)), note)]


def section(title: str, st: Styles, need: float = 32 * mm) -> list[Flowable]:
    """A heading that never sits alone at the foot of a page: it starts a new page unless
    ``need`` points are left for it and the first lines of what follows. (Not keepWithNext:
    that would push a long section whole onto the next page and leave a gap.)"""
    return [CondPageBreak(need), Paragraph(escape(title), st["h2"]), Rule()]


def pairs_table(
    rows: list[tuple[str, Flowable | list[Flowable]]], st: Styles, label_w: float = 34 * mm
) -> Table:
    """Label / value rows; rows may split across a page break, so long values never overflow."""
    data = [[Paragraph(escape(label), st["label"]), cell] for label, cell in rows]
    t = Table(data, colWidths=[label_w, None], splitInRow=1, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (0, -1), 2.5),
            ]
        )
    )
    return t


def band_row(
    cells: list[tuple[str, str]], st: Styles, *, pad_top: float, pad_bottom: float, **table_kw: Any
) -> Table:
    """One shaded row of labelled figures across the body, in four equal columns.

    ``cells`` are (label, markup) pairs: the label is escaped here, the markup is used as given.
    ``table_kw`` goes to the ``Table`` (``splitInRow``, ``hAlign``)."""
    row = [[Paragraph(escape(label), st["label"]), Paragraph(text, st["strong"])] for label, text in cells]
    t = Table([row], colWidths=[BODY_W / 4] * 4, **table_kw)
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), BAND),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), pad_top),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad_bottom),
                ("LINEAFTER", (0, 0), (-2, -1), 0.8, colors.white),
            ]
        )
    )
    return t


def value(text: str, st: Styles, style: str = "value", empty: str = "—") -> Paragraph:
    """User text as a paragraph in ``style``; ``empty`` (muted) when there is nothing to show."""
    if str(text or "").strip():
        return Paragraph(para(text), st[style])
    return Paragraph(escape(empty), st["muted"])


def who(name: str, title: str, st: Styles) -> Paragraph:
    """A person: the name in bold, the title (muted) under it."""
    name, title = clip(clean(name), 300), clip(clean(title), 300)
    if not name and not title:
        return value("", st)
    markup = f"<b>{escape(name)}</b>" if name else ""
    if title:
        markup += f'{"<br/>" if name else ""}<font color="#616E7C">{escape(title)}</font>'
    return Paragraph(markup, st["value"])


# ---------------------------------------------------------------- page furniture
def canvas_maker(footer_left: str, running_head: str) -> type[rl_canvas.Canvas]:
    """A canvas that knows the page count when it draws the footer ("page N of M").

    ``footer_left`` is printed at the foot of every page, ``running_head`` at the top of every
    page after the first. Pass the result as ``canvasmaker`` to ``SimpleDocTemplate.build``.
    """

    class _Canvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._furniture(number, total)
                super().showPage()
            super().save()

        def _furniture(self, number: int, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            y = MARGIN_BOTTOM - 8 * mm
            left, right = MARGIN_X + FRAME_PADDING, PAGE_W - MARGIN_X - FRAME_PADDING
            self.line(left, y + 9, right, y + 9)
            self.setFont(REGULAR, 7.5)
            self.setFillColor(MUTED)
            page = f"page {number} of {total}"
            room = right - left - text_width(page, REGULAR, 7.5) - 12
            draw_line(self, left, y, fit_line(footer_left, REGULAR, 7.5, room), REGULAR, 7.5)
            draw_line(self, right, y, page, REGULAR, 7.5, "right")
            if number > 1:
                head = fit_line(running_head, REGULAR, 7.5, right - left)
                draw_line(self, left, PAGE_H - MARGIN_TOP + 4 * mm, head, REGULAR, 7.5)
            self.restoreState()

    return _Canvas
