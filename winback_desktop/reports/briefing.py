"""The one-page pre-call brief (A4 PDF): read it in two minutes before picking up the phone.

Who the customer is, what they bought and when they stopped, what they are worth, why they are
on the list, every earlier attempt and call, the reasons already heard, the promises still open,
and — at the foot, boxed like a card to keep by the phone — the four stages of the call.

It is always exactly one page: long lists are clipped ("+N more") and notes shortened, tighter
step by step until the page holds; a last resort shrinks the whole page to fit. All text a person
typed goes through ``para`` (escaped: markup in a note prints literally).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, Spacer, Table, TableStyle

from winback_desktop.files import atomic_write_bytes
from winback_desktop.formats import day_month_year, day_month_year_time, money, months_ago
from winback_desktop.reports.action_sheet import sheet_document
from winback_desktop.reports.fonts import BOLD, REGULAR, register_fonts
from winback_desktop.reports.layout import (
    ACCENT,
    BAND,
    BODY_W,
    FRAME_PADDING,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MUTED,
    PAGE_H,
    RULE,
    Rule,
    Styles,
    band_row,
    canvas_maker,
    clean,
    clip,
    fmt_datetime,
    local,
    missing_glyphs,
    pairs_table,
    para,
    styles,
    value,
    who,
)
from winback_desktop.reports.text import Paragraph, collect_missing, text_width
from winback_desktop.services.calls.briefing import Briefing
from winback_desktop.services.dto import PersonInfo

OVERDUE = colors.HexColor("#A8321E")
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - 2 * FRAME_PADDING


@dataclass(frozen=True)
class _Fit:
    """How much of each list and note one page can show; tighter levels are tried in turn."""

    calls: int
    attempts: int
    promises: int
    orders: int
    reasons: int
    summary: int  # characters of an earlier call's summary
    note: int  # characters of an attempt note; twice that for the decision note and logistics
    promise: int  # characters of a promise
    goal: bool  # the stage goals in full (else their first sentence)
    opener: bool  # the first line to say, under each stage


# The lists give way first; the card by the phone keeps its full goals and openers the longest.
FITS = (
    _Fit(4, 4, 5, 5, 6, summary=110, note=96, promise=120, goal=True, opener=True),
    _Fit(3, 3, 3, 4, 5, summary=80, note=70, promise=90, goal=True, opener=True),
    _Fit(2, 2, 2, 3, 4, summary=60, note=50, promise=50, goal=True, opener=True),
    _Fit(1, 1, 2, 2, 3, summary=50, note=40, promise=50, goal=True, opener=True),
    _Fit(1, 1, 2, 2, 3, summary=50, note=40, promise=50, goal=False, opener=True),
    _Fit(1, 1, 1, 2, 2, summary=40, note=30, promise=40, goal=False, opener=False),
)


def _styles() -> Styles:
    st = styles()
    base = st["body"]
    st["h2"] = ParagraphStyle("b_h2", st["h2"], spaceBefore=8, spaceAfter=2)
    st["value"] = ParagraphStyle("b_value", st["value"], fontSize=9, leading=11.5)
    st["small"] = ParagraphStyle("small", base, fontSize=8.5, leading=10.5)
    st["more"] = ParagraphStyle("more", st["small"], textColor=MUTED, spaceBefore=2)
    st["stage_no"] = ParagraphStyle(
        "stage_no", base, fontName=BOLD, fontSize=14, leading=15, textColor=ACCENT
    )
    st["stage"] = ParagraphStyle("stage", base, fontSize=8.5, leading=10.5)
    st["card_head"] = ParagraphStyle("card_head", st["th"], textColor=ACCENT, fontSize=8.5)
    st["warn"] = ParagraphStyle("warn", st["value"], textColor=OVERDUE)
    st["warn_small"] = ParagraphStyle("warn_small", st["small"], textColor=OVERDUE)
    return st


def _head(text: str, st: Styles) -> list[Flowable]:
    return [Paragraph(escape(text), st["h2"]), Rule(space_after=3)]


def _more(n: int, what: str, st: Styles) -> list[Flowable]:
    return [Paragraph(escape(f"+{n} more {what}"), st["more"])] if n > 0 else []


def _words(code: str) -> str:
    return clean(code).replace("_", " ").capitalize()


def _nobreak(text: str) -> str:
    return escape(text).replace(" ", "&nbsp;")


def _short_time(t: dt.datetime) -> str:
    """A stored (naive UTC) time as a short local date and time: "1 Nov 2024, 10:00"."""
    return day_month_year_time(local(t))


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    ends = [i for i in (text.find(". "), text.find("! "), text.find("? ")) if i > 0]
    return text[: min(ends) + 1] if ends else text


def _cell(text: str, st: Styles, limit: int = 60, empty: str = "—") -> Paragraph:
    """User text, one clipped line's worth, as a small table cell."""
    return Paragraph(para(clip(clean(text), limit)) or escape(empty), st["small"])


def _pairs(rows: list[tuple[str, Flowable | list[Flowable]]], st: Styles, label_w: float = 24 * mm) -> Table:
    """Label / value rows, a little tighter than the action sheet's."""
    t = pairs_table(rows, st, label_w)
    t.setStyle(
        TableStyle(
            [
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (0, -1), 2),
            ]
        )
    )
    return t


def _list_table(head: list[Paragraph], rows: list[list[Flowable]], widths: list[float | None]) -> Table:
    """A compact list (earlier calls, attempts, promises): bold muted header, hairlines between rows."""
    t = Table([head, *rows], colWidths=widths, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, MUTED),
                ("LINEBELOW", (0, 1), (-1, -2), 0.4, RULE),
            ]
        )
    )
    return t


def _th(names: tuple[str, ...], st: Styles) -> list[Paragraph]:
    return [Paragraph(escape(n), st["th"]) for n in names]


# ---------------------------------------------------------------- the parts of the page
def _header(b: Briefing, st: Styles) -> list[Flowable]:
    kicker = "Pre-call briefing"
    if b.our_company.strip():
        kicker = f"{clean(b.our_company)} · {kicker}"
    sub = [f"Recovery call #{b.call_id}"]
    if b.scheduled_at:
        when = fmt_datetime(b.scheduled_at)
        if b.duration_minutes:
            when += f" ({b.duration_minutes} min)"
        sub.append(when)
    if b.cycle_name.strip():
        sub.append(clip(clean(b.cycle_name), 60))
    return [
        Paragraph(escape(kicker), st["kicker"]),
        Paragraph(para(clip(clean(b.company), 80) or "Unnamed customer"), st["title"]),
        Paragraph(escape(" · ".join(sub)), st["sub"]),
        Paragraph(escape(_people(b)), st["sub"]),
        Spacer(1, 5),
        _band(b, st),
    ]


def _person(p: PersonInfo) -> str:
    name, title = clip(clean(p.name), 60), clip(clean(p.title), 50)
    return f"{name} ({title})" if title else name


def _people(b: Briefing) -> str:
    partner = f"partner: {clip(clean(b.partner.name), 60)}" if b.partner else "no partner assigned"
    leader = f"Led by {_person(b.leader)}" if b.leader else "No one leads this call yet"
    return f"{leader} · {partner}"


def _band(b: Briefing, st: Styles) -> Table:
    last = escape(day_month_year(b.last_purchase) or "Not known")
    if b.months_since is not None:
        last += f'<br/><font color="#616E7C" size="8.5">{escape(months_ago(b.months_since))}</font>'
    priority = f"{b.priority:.0f} / 100" if b.priority or b.priority_reason else "Not ranked"
    decision = escape(b.decision_label)
    if b.status:
        decision += f'<br/><font color="#616E7C" size="8.5">{escape(_words(b.status))}</font>'
    yearly = escape(money(b.yearly_revenue)) if b.yearly_revenue else ""
    lost = escape(money(b.value_lost))
    if yearly and b.yearly_revenue != b.value_lost:
        lost += f'<br/><font color="#616E7C" size="8.5">{yearly} a year</font>'
    cells = [
        ("Value lost", lost),
        ("Last purchase", last),
        ("Priority", escape(priority)),
        ("Decision", decision),
    ]
    return band_row(cells, st, pad_top=4, pad_bottom=5, hAlign="LEFT")


def _facts(b: Briefing, fit: _Fit, st: Styles) -> list[Flowable]:
    left = [
        ("Contact", who(clip(clean(b.contact_name), 80), clip(clean(b.contact_title), 80), st)),
        ("Phone", value(clip(clean(b.phone), 60), st)),
        ("Email", value(clip(clean(b.email), 254), st)),  # wraps at its own . and @
        ("Customer id", value(clip(clean(b.external_id), 60), st)),
    ]
    orders = f"{b.orders_count:,}" if b.orders_count else ""
    if orders and b.total_revenue:
        orders += f", worth {money(b.total_revenue)}"
    span = " – ".join(day_month_year(d) for d in (b.first_purchase, b.last_purchase) if d)
    right = [
        ("Segment", value(clip(clean(b.segment), 60), st)),
        ("Account owner", value(clip(clean(b.owner), 60), st)),
        ("Bought", value(span, st, empty="No purchases on file")),
        ("Orders", value(orders, st, empty="None on file")),
        ("Yearly revenue", value(money(b.yearly_revenue) if b.yearly_revenue else "", st, empty="Not known")),
    ]
    gap = 8 * mm
    left_w = (BODY_W - gap) * 0.53  # room for a long email address
    grid = Table(
        [
            [Paragraph("Who they are", st["th"]), "", Paragraph("What they bought", st["th"])],
            [_pairs(left, st), "", _pairs(right, st, 25 * mm)],
        ],
        colWidths=[left_w, gap, BODY_W - gap - left_w],
        hAlign="LEFT",
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
    why = [("Why them", value(clip(clean(b.priority_reason), 240), st, empty="Not ranked yet"))]
    if b.recent_orders:
        shown = b.recent_orders[: fit.orders]
        items = [
            f"{_nobreak(day_month_year(o.date))}&nbsp;&nbsp;<b>{_nobreak(money(o.amount))}</b>" for o in shown
        ]
        more = max(b.orders_on_file, len(b.recent_orders)) - len(shown)
        if more > 0:
            items.append(f'<font color="#616E7C">+{more:,} earlier</font>')
        why.append(("Latest orders", Paragraph(" · ".join(items), st["value"])))
    if b.decision_reason.strip():
        why.append(("Decision note", value(clip(clean(b.decision_reason), fit.note * 2), st)))
    if b.verify_contact:
        warn = "Check the contact details first: reported wrong or out of date."
        why.append(("Before you dial", Paragraph(f"<b>{escape(warn)}</b>", st["warn"])))
    return [Spacer(1, 6), grid, Spacer(1, 3), _pairs(why, st)]


def _reasons(b: Briefing, fit: _Fit, st: Styles) -> Paragraph:
    if not b.known_reasons:
        return Paragraph("None named yet.", st["muted"])
    shown = b.known_reasons[: fit.reasons]
    parts = []
    for k in shown:
        text = escape(clip(clean(k.reason.label), 80))
        if k.reason.category:
            text += f' <font color="#616E7C">({escape(clip(clean(k.reason.category), 40))})</font>'
        notes = ["main reason"] if k.primary else []
        if k.calls > 1:
            notes.append(f"{k.calls} calls")
        if notes:
            text += f' <font color="#616E7C" size="8">— {escape(", ".join(notes))}</font>'
        parts.append(f"<b>{text}</b>" if k.primary else text)
    more = len(b.known_reasons) - len(shown)
    tail = f' <font color="#616E7C">· +{more} more</font>' if more > 0 else ""
    return Paragraph(" · ".join(parts) + tail, st["value"])


def _history(b: Briefing, fit: _Fit, st: Styles) -> list[Flowable]:
    out = _head("What we already know", st)
    out += [_pairs([("Known reasons", _reasons(b, fit, st))], st), Spacer(1, 3)]
    if b.earlier_calls:
        shown_calls = b.earlier_calls[: fit.calls]
        rows = []
        for c in shown_calls:
            when = day_month_year(local(c.when).date()) if c.when else ""
            outcome = c.outcome_label or ("Not finished" if c.status == "in_progress" else _words(c.status))
            rows.append(
                [
                    Paragraph(escape(when), st["small"]),
                    _cell(c.who, st, 40),
                    _cell(outcome, st, 40),
                    _cell(c.primary_reason, st, 70),
                    _cell(c.summary, st, fit.summary),
                ]
            )
        head = _th(("Earlier calls", "Who", "Outcome", "Main reason", "What we heard"), st)
        out.append(_list_table(head, rows, [21 * mm, 27 * mm, 19 * mm, 40 * mm, None]))
        out += _more(len(b.earlier_calls) - len(shown_calls), "earlier calls", st)
        out.append(Spacer(1, 5))
    if b.attempts:
        shown_attempts = b.attempts[: fit.attempts]
        rows = []
        for a in shown_attempts:
            result = escape(a.disposition_label)
            if a.disposition == "wrong_number":
                result = f'<font color="#A8321E"><b>{result}</b></font>'
            if a.call_back_at:
                result += f"<br/>back {escape(_short_time(a.call_back_at))}"
            rows.append(
                [
                    Paragraph(escape(_short_time(a.when)), st["small"]),
                    _cell(a.who, st, 40),
                    Paragraph(result, st["small"]),
                    _cell(a.note, st, fit.note),
                ]
            )
        head = _th(("Attempts", "Who", "Result", "Note"), st)
        out.append(_list_table(head, rows, [32 * mm, 27 * mm, 30 * mm, None]))
        out += _more(len(b.attempts) - len(shown_attempts), "attempts", st)
    if not b.earlier_calls and not b.attempts:
        out.append(Paragraph("No earlier calls or attempts: this is the first conversation.", st["muted"]))
    return out


def _promises(b: Briefing, fit: _Fit, st: Styles) -> list[Flowable]:
    out = _head("Open promises — ask how they landed", st)
    if not b.open_promises:
        return [*out, Paragraph("Nothing promised is still open.", st["muted"])]
    shown = b.open_promises[: fit.promises]
    rows = []
    for item in shown:
        due = escape(day_month_year(item.due_date, weekday=True)) or '<font color="#616E7C">No date</font>'
        if b.is_overdue(item):
            due = f"<b>{due}</b> · overdue"
        rows.append(
            [
                Paragraph("☐", st["small"]),
                _cell(item.what, st, fit.promise, "(no description)"),
                _cell(item.owner_name, st, 40, "Unassigned"),
                Paragraph(due, st["warn_small"] if b.is_overdue(item) else st["small"]),
            ]
        )
    out.append(_list_table(_th(("", "What", "Owner", "Due"), st), rows, [5 * mm, None, 34 * mm, 44 * mm]))
    out += _more(len(b.open_promises) - len(shown), "open promises", st)
    return out


def _logistics(b: Briefing, fit: _Fit, st: Styles) -> list[Flowable]:
    if not b.partner_notes.strip():
        return []
    note = Paragraph(para(clip(clean(b.partner_notes), fit.note * 2)), st["small"])
    return [Spacer(1, 5), _pairs([("Logistics", note)], st)]


def _stage_card(b: Briefing, fit: _Fit, st: Styles) -> list[Flowable]:
    rows: list[list] = [[Paragraph("THE FOUR STAGES — keep this by the phone", st["card_head"]), ""]]
    for i, stage in enumerate(b.stages[:4], 1):
        goal = stage.goal if fit.goal else _first_sentence(stage.goal)
        text = f"<b>{para(clip(clean(stage.title), 60))}</b>  {para(clip(clean(goal), 300))}"
        if fit.opener and stage.first_line:
            opener = para(clip(clean(stage.first_line), 170))
            text += f'<br/><font color="#2B5F75">Open with: “{opener}”</font>'
        rows.append([Paragraph(str(i), st["stage_no"]), Paragraph(text, st["stage"])])
    if len(rows) == 1:
        rows.append(["", Paragraph("No call script is available.", st["muted"])])
    t = Table(rows, colWidths=[9 * mm, None], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("BOX", (0, 0), (-1, -1), 1.1, ACCENT),
                ("BACKGROUND", (0, 0), (-1, 0), BAND),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, 0), 4),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
                ("TOPPADDING", (0, 1), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 4.5),
                ("LINEBELOW", (0, 1), (-1, -2), 0.4, RULE),
            ]
        )
    )
    return [Spacer(1, 8), t]


def _story(b: Briefing, fit: _Fit, st: Styles) -> list[Flowable]:
    with collect_missing() as missing:
        head = _header(b, st)
        rest = [
            *_facts(b, fit, st),
            *_history(b, fit, st),
            *_promises(b, fit, st),
            *_logistics(b, fit, st),
            *_stage_card(b, fit, st),
        ]
    return [*head[:3], *missing_glyphs(missing, st), *head[3:], *rest]


def _footer(call_id: int, customer: str, generated: dt.datetime) -> str:
    """The footer line, the customer's name cut so it never runs into "page 1 of 1"."""
    room = BODY_W - text_width("page 1 of 1", REGULAR, 7.5) - 12
    stamp = f"generated {day_month_year_time(generated)} · contains personal data: keep it safe"
    name = customer
    while True:
        text = f"Call #{call_id} · {name} · {stamp}"
        if text_width(text, REGULAR, 7.5) <= room or len(name) <= 2:
            return text
        name = clip(name, len(name) - 1)


# ---------------------------------------------------------------- public API
def build_briefing(b: Briefing, *, generated: dt.datetime | None = None) -> bytes:
    """Render the one-page brief for ``b`` and return the PDF bytes (nothing is written)."""
    register_fonts()
    st = _styles()
    generated = generated or dt.datetime.now().astimezone()
    customer = clip(clean(b.company) or "Unnamed customer", 70)
    footer = _footer(b.call_id, customer, generated)
    maker = canvas_maker(footer, f"{customer} · briefing, continued")
    title, author = f"Briefing: {customer}", clean(b.our_company) or "Win-Back Desk"
    subject = f"Recovery call #{b.call_id}"
    for fit in FITS:
        buf = io.BytesIO()
        doc = sheet_document(buf, title=title, author=author, subject=subject)
        doc.build(_story(b, fit, st), canvasmaker=maker)
        if doc.page == 1:
            return buf.getvalue()
    # Still too long (very long names or titles everywhere): shrink the tightest page to fit.
    buf = io.BytesIO()
    doc = sheet_document(buf, title=title, author=author, subject=subject)
    frame = KeepInFrame(BODY_W, FRAME_H - 1, _story(b, FITS[-1], st), mode="shrink")
    doc.build([frame], canvasmaker=maker)
    return buf.getvalue()


def write_briefing(b: Briefing, out: Path, *, generated: dt.datetime | None = None) -> Path:
    """Write the brief for ``b`` to ``out`` atomically; returns the path written."""
    data = build_briefing(b, generated=generated)
    out = Path(out)
    atomic_write_bytes(out, data)
    return out
