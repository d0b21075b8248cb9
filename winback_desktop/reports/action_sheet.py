"""The tag-team partner's follow-up action sheet for one recovery call (A4 PDF).

Everything the partner needs to own the follow-through: who the customer is, why they left in
their own words, what was offered, every next step with a tick box, permission to keep in touch,
and ruled room for notes. The PDF is built fully in memory and then written atomically.

All text that came from a person (notes, names, free-text offers) goes through :func:`para`:
it is escaped, so markup in a note prints literally and can never fetch an image or a link.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from winback_desktop.reports.atomic import atomic_write_bytes
from winback_desktop.reports.fonts import BOLD, REGULAR, register_fonts
from winback_desktop.script import CallScript, ScriptError, default_script, load_script_text
from winback_desktop.services.dto import ActionInfo, CallDetail, ReasonInfo

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

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
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


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fmt_date(d: dt.date | None, *, weekday: bool = False) -> str:
    if d is None:
        return ""
    text = f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    return f"{_DAYS[d.weekday()]} {text}" if weekday else text


def _local(t: dt.datetime) -> dt.datetime:
    """The store keeps naive UTC; the partner reads local time."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone()


def fmt_datetime(t: dt.datetime | None) -> str:
    if t is None:
        return ""
    t = _local(t)
    return f"{fmt_date(t.date(), weekday=True)}, {t:%H:%M}"


def _money(value) -> str:
    try:
        return f"{value:,.2f}"
    except (TypeError, ValueError):
        return str(value)


# ---------------------------------------------------------------- labels from the call script
class _Labels:
    """Choice labels from the script the call used (its snapshot), else the default script."""

    def __init__(self, snapshot: str):
        self.scripts: list[CallScript] = []
        if snapshot.strip():
            try:
                self.scripts.append(load_script_text(snapshot, "<call snapshot>"))
            except ScriptError:
                pass
        try:
            self.scripts.append(default_script())
        except (ScriptError, OSError):
            pass

    def choice(self, key: str, code: str) -> str:
        if not code:
            return ""
        for script in self.scripts:
            try:
                _, field = script.field(key)
            except KeyError:
                continue
            label = dict(field.choices).get(code)
            if label:
                return label
        return code


# ---------------------------------------------------------------- styles and flowables
def _styles() -> dict[str, ParagraphStyle]:
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


class _Rule(Flowable):
    """A thin horizontal line under a section heading."""

    def __init__(self, color=RULE, thickness: float = 0.6, space_after: float = 5):
        super().__init__()
        self.color, self.thickness, self.space_after = color, thickness, space_after

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.thickness + self.space_after

    def draw(self):
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        y = self.space_after
        self.canv.line(0, y, self.width, y)


class _QuoteBar(Flowable):
    """A paragraph with a calm bar down its left edge; splits across pages like a paragraph."""

    def __init__(self, paragraph: Paragraph):
        super().__init__()
        self.paragraph = paragraph

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        _, self.height = self.paragraph.wrap(avail_width, avail_height)
        return avail_width, self.height

    def split(self, avail_width, avail_height):
        return [_QuoteBar(p) for p in self.paragraph.split(avail_width, avail_height)]

    def getSpaceAfter(self):  # noqa: N802 (reportlab's name)
        return self.paragraph.getSpaceAfter()

    def draw(self):
        self.canv.setFillColor(QUOTE_BAR)
        self.canv.rect(0, 0, 2.2, self.height, stroke=0, fill=1)
        self.paragraph.drawOn(self.canv, 0, 0)


class _RuledLines(Flowable):
    """Ruled lines for handwriting: fills what is left of the page, within min/max lines."""

    def __init__(self, gap: float = 9 * mm, min_lines: int = 5, max_lines: int = 26):
        super().__init__()
        self.gap, self.min_lines, self.max_lines = gap, min_lines, max_lines
        self.lines = min_lines

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.lines = max(self.min_lines, min(self.max_lines, int(avail_height // self.gap)))
        return avail_width, self.lines * self.gap

    def draw(self):
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.6)
        for i in range(1, self.lines + 1):
            y = self.lines * self.gap - i * self.gap
            self.canv.line(0, y, self.width, y)


def _section(title: str, st, need: float = 32 * mm) -> list[Flowable]:
    """A heading that never sits alone at the foot of a page: it starts a new page unless
    ``need`` points are left for it and the first lines of what follows. (Not keepWithNext:
    that would push a long section whole onto the next page and leave a gap.)"""
    return [CondPageBreak(need), Paragraph(escape(title), st["h2"]), _Rule()]


def _pairs_table(rows: list[tuple[str, Flowable | list[Flowable]]], st, label_w: float = 34 * mm) -> Table:
    """Label / value rows; rows may split across a page break, so long values never overflow."""
    data = [[Paragraph(escape(label), st["label"]), value] for label, value in rows]
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


def _value(text: str, st, style: str = "value", empty: str = "—") -> Paragraph:
    if str(text or "").strip():
        return Paragraph(para(text), st[style])
    return Paragraph(escape(empty), st["muted"])


# ---------------------------------------------------------------- the sheet's parts
def _header(detail: CallDetail, company_name: str, labels: _Labels, st) -> list[Flowable]:
    c = detail.customer
    kicker = "Follow-up action sheet"
    if company_name.strip():
        kicker = f"{clean(company_name)} · {kicker}"
    when = detail.started_at or detail.scheduled_at
    sub = [f"Recovery call #{detail.id}"]
    if when:
        sub.append(fmt_date(_local(when).date(), weekday=True))
    if detail.partner:
        sub.append(f"for {clean(detail.partner.name)}, who owns the follow-through")
    out: list[Flowable] = [
        Paragraph(escape(kicker), st["kicker"]),
        Paragraph(para(_clip(clean(c.company), 300) or "Unnamed customer"), st["title"]),
        Paragraph(escape(" · ".join(sub)), st["sub"]),
        Spacer(1, 8),
        _glance(detail, labels, st),
        Spacer(1, 4),
    ]
    return out


def _glance(detail: CallDetail, labels: _Labels, st) -> Table:
    """The band at the top: what came of the call and whether we may come back."""
    if detail.keep_in_touch is None:
        touch = "Not asked"
    else:
        touch = labels.choice("keep_in_touch", "yes" if detail.keep_in_touch else "no")
        if not detail.keep_in_touch:
            touch += " — please don't contact them"
    cells = [
        ("Outcome", labels.choice("outcome", detail.outcome) or "Not recorded"),
        ("Their answer", labels.choice("customer_answer", detail.customer_answer) or "Not recorded"),
        ("May we keep in touch?", touch),
        ("Next contact", fmt_date(detail.next_contact, weekday=True) or "Not set"),
    ]
    row = [
        [Paragraph(escape(label), st["label"]), Paragraph(para(_clip(value, 200)), st["strong"])]
        for label, value in cells
    ]
    t = Table([row], colWidths=[BODY_W / 4] * 4, splitInRow=1)
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), BAND),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("LINEAFTER", (0, 0), (-2, -1), 0.8, colors.white),
            ]
        )
    )
    return t


def _who(name: str, title: str, st) -> Paragraph:
    """A person: the name in bold, the title under it."""
    name, title = _clip(clean(name), 300), _clip(clean(title), 300)
    if not name and not title:
        return _value("", st)
    markup = f"<b>{escape(name)}</b>" if name else ""
    if title:
        markup += f'{"<br/>" if name else ""}<font color="#616E7C">{escape(title)}</font>'
    return Paragraph(markup, st["value"])


def _facts(detail: CallDetail, st) -> list[Flowable]:
    c = detail.customer
    last = fmt_date(c.last_purchase)
    if c.last_purchase is not None:
        months = c.months_since_purchase()
        last += f" ({months} month{'s' if months != 1 else ''} ago)"
    left = [
        ("Contact", _who(c.contact_name, c.contact_title, st)),
        ("Phone", _value(clean(c.phone), st)),
        ("Email", _value(clean(c.email), st)),
        ("Customer id", _value(clean(c.external_id), st)),
        ("Value lost", _value(_money(c.value_lost), st)),
        ("Last purchase", _value(last, st)),
    ]

    ended = ""
    if detail.ended_at:
        ended = fmt_datetime(detail.ended_at)
        if detail.started_at and detail.ended_at >= detail.started_at:
            minutes = round((detail.ended_at - detail.started_at).total_seconds() / 60)
            ended += f" ({minutes} min)"
    right = [
        (
            "Called by",
            _who(detail.caller.name, detail.caller.title, st)
            if detail.caller
            else _value("", st, empty="Not recorded"),
        ),
        (
            "Partner",
            _who(detail.partner.name, detail.partner.title, st)
            if detail.partner
            else _value("", st, empty="Not assigned"),
        ),
        ("Started", _value(fmt_datetime(detail.started_at), st, empty="Not started")),
        ("Ended", _value(ended, st, empty="Not finished")),
        ("Status", _value(clean(detail.status).replace("_", " ").capitalize(), st)),
        (
            "Script",
            _value(" ".join(x for x in (clean(detail.script_name), clean(detail.script_version)) if x), st),
        ),
    ]
    half = (BODY_W - 8 * mm) / 2
    grid = Table(
        [
            [Paragraph("Customer", st["th"]), "", Paragraph("The call", st["th"])],
            [_pairs_table(left, st, 25 * mm), "", _pairs_table(right, st, 21 * mm)],
        ],
        colWidths=[half, 8 * mm, half],
        splitInRow=1,
    )
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
                ("LINEBELOW", (0, 0), (0, 0), 0.6, RULE),
                ("LINEBELOW", (2, 0), (2, 0), 0.6, RULE),
            ]
        )
    )
    return [Spacer(1, 8), grid]


def _reason(r: ReasonInfo) -> str:
    return f"{r.label} ({r.category})" if r.category else r.label


def _own_words(detail: CallDetail, st) -> list[Flowable]:
    a = detail.answers
    out = _section("Why they left — in their own words", st)
    heard = a.get("heard_back", "").strip()
    if heard:
        out.append(Paragraph("What the caller read back to them and they confirmed:", st["caption"]))
        out.append(_QuoteBar(Paragraph(para(heard), st["quote"])))
    else:
        shown = False
        for key, caption in (
            ("what_happened", "What they said happened:"),
            ("their_story", "Their story, in more detail:"),
        ):
            text = a.get(key, "").strip()
            if text:
                out.append(Paragraph(escape(caption), st["caption"]))
                out.append(_QuoteBar(Paragraph(para(text), st["quote"])))
                shown = True
        if not shown:
            out.append(Paragraph("Nothing was noted in their words.", st["muted"]))
    primary = detail.primary_reason
    rows = [
        ("Main reason", _value(_reason(primary) if primary else "", st, "strong", "Not recorded")),
    ]
    if detail.other_reasons:
        others = "\n".join(_reason(r) for r in detail.other_reasons)
        rows.append(("Also played a part", _value(others, st)))
    rows.append(("At fault", _value(a.get("fault", ""), st, empty="Not recorded")))
    out += [Spacer(1, 4), _pairs_table(rows, st)]
    return out


def _help(detail: CallDetail, labels: _Labels, st) -> list[Flowable]:
    a = detail.answers
    out = _section("What we offered, and what it would take", st)
    if detail.offers:
        offers: list[Flowable] = [
            Paragraph(para(o.label), st["bullet"], bulletText="•") for o in detail.offers
        ]
    else:
        offers = [Paragraph("Nothing was offered.", st["muted"])]
    rows = [
        ("Offered", offers),
        ("Accepts help?", _value(labels.choice("accepts_help", detail.accepts_help), st, empty="Not asked")),
    ]
    out.append(_pairs_table(rows, st))
    takes = a.get("what_it_takes", "").strip()
    block: list[Flowable] = [
        CondPageBreak(20 * mm),
        Spacer(1, 3),
        Paragraph("What they say it would take:", st["caption"]),
    ]
    if takes:
        block.append(_QuoteBar(Paragraph(para(takes), st["quote"])))
    else:
        block.append(Paragraph("Not recorded.", ParagraphStyle("q0", st["muted"], leftIndent=10)))
    answer = labels.choice("customer_answer", detail.customer_answer)
    block.append(_pairs_table([("Their answer", _value(answer, st, "strong", "Not recorded"))], st))
    return out + block


_BOXES = {"done": "☑", "cancelled": "☒"}


def _actions_table(actions: list[ActionInfo], st) -> Table:
    head = [
        Paragraph("", st["th"]),
        Paragraph("What", st["th"]),
        Paragraph("Owner", st["th"]),
        Paragraph("Due", st["th"]),
    ]
    data = [head]
    for item in actions:
        what = para(item.what) or '<font color="#616E7C">(no description)</font>'
        if item.status == "cancelled":
            what += ' <font color="#616E7C">(cancelled)</font>'
        if item.done_note.strip():
            what += f'<br/><font color="#616E7C" size="8.5">Done: {para(item.done_note)}</font>'
        data.append(
            [
                Paragraph(_BOXES.get(item.status, "☐"), st["box"]),
                Paragraph(what, st["value"]),
                _value(clean(item.owner_name), st, empty="Unassigned"),
                _value(fmt_date(item.due_date, weekday=True), st, empty="No date"),
            ]
        )
    # A row taller than a page splits inside itself (splitInRow). reportlab then also repeats the
    # header just above the split row, mid-page; so repeat the header only when no row is huge.
    huge = any(len(i.what) + len(i.done_note) > 1200 for i in actions)
    t = Table(data, colWidths=[9 * mm, None, 38 * mm, 35 * mm], repeatRows=0 if huge else 1, splitInRow=1)
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
                ("TOPPADDING", (1, 1), (-1, -1), 6.5),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
            ]
        )
    )
    return t


def _next_steps(detail: CallDetail, st) -> list[Flowable]:
    out = _section("Next steps — what, who, by when", st)
    if detail.actions:
        out.append(_actions_table(detail.actions, st))
    else:
        out.append(Paragraph("No next steps were agreed on this call.", st["muted"]))
    earlier = detail.customer.open_promises
    if earlier:
        out.append(Spacer(1, 8))
        out.append(Paragraph("Still open from earlier calls with this customer:", st["caption"]))
        out.append(_actions_table(earlier, st))
    return out


def _notes(st) -> list[Flowable]:
    lines = _RuledLines()
    return [*_section("Partner’s notes", st, need=14 * mm + lines.min_lines * lines.gap), Spacer(1, 2), lines]


# ---------------------------------------------------------------- page furniture
def _canvas_maker(footer_left: str, running_head: str):
    """A canvas that knows the page count when it draws the footer ("page N of M")."""

    class _Canvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
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
            self.drawString(left, y, footer_left)
            self.drawRightString(right, y, f"page {number} of {total}")
            if number > 1:
                self.drawString(left, PAGE_H - MARGIN_TOP + 4 * mm, running_head)
            self.restoreState()

    return _Canvas


# ---------------------------------------------------------------- public API
def build_action_sheet(
    detail: CallDetail, *, company_name: str = "", generated: dt.datetime | None = None
) -> bytes:
    """Render the action sheet for ``detail`` and return the PDF bytes (nothing is written)."""
    register_fonts()
    st = _styles()
    labels = _Labels(detail.script_snapshot or "")
    generated = generated or dt.datetime.now().astimezone()
    customer = _clip(clean(detail.customer.company) or "Unnamed customer", 70)
    footer = f"Call #{detail.id} · {customer} · generated {fmt_date(generated.date())}, {generated:%H:%M}"
    footer += " · contains personal data: keep it safe"

    story: list[Flowable] = []
    story += _header(detail, company_name, labels, st)
    story += _facts(detail, st)
    story += _next_steps(detail, st)
    story += _own_words(detail, st)
    story += _help(detail, labels, st)
    story += _notes(st)

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"Action sheet: {customer}",
        author=clean(company_name) or "Win-Back Desk",
        subject=f"Recovery call #{detail.id}",
        creator="Win-Back Desk",
    )
    doc.build(story, canvasmaker=_canvas_maker(footer, f"{customer} · action sheet, continued"))
    return buf.getvalue()


def write_action_sheet(
    detail: CallDetail, out: Path, *, company_name: str = "", generated: dt.datetime | None = None
) -> Path:
    """Write the action sheet PDF to ``out`` atomically; returns the path written.

    The whole document is rendered in memory first: if rendering fails, nothing is written and
    an existing file at ``out`` is left untouched.
    """
    data = build_action_sheet(detail, company_name=company_name, generated=generated)
    out = Path(out)
    atomic_write_bytes(out, data)
    return out
