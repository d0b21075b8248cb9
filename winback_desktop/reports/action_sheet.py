"""The tag-team partner's follow-up action sheet for one recovery call (A4 PDF).

Everything the partner needs to own the follow-through: who the customer is, why they left in
their own words, what was offered, every next step with a tick box, permission to keep in touch,
the partner's own typed logistics notes (when there are any) and ruled room for notes by hand.
The PDF is built fully in memory and then written atomically.

The shared look and the text helpers (all person-typed text goes through ``para``, which escapes
it, so markup in a note prints literally) live in :mod:`winback_desktop.reports.layout`.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from winback_desktop.files import atomic_write_bytes
from winback_desktop.formats import day_month_year, day_month_year_time, money, months_ago
from winback_desktop.reports.fonts import register_fonts
from winback_desktop.reports.layout import (
    BODY_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    RULE,
    QuoteBar,
    RuledLines,
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
    section,
    styles,
    value,
    who,
)
from winback_desktop.reports.text import Paragraph, collect_missing
from winback_desktop.script import CallScript, ScriptError, default_script, load_script_text
from winback_desktop.services.dto import ActionInfo, CallDetail, ReasonInfo

PARTNER_FIELD = "partner_notes"  # saved as stage "partner", field "partner_notes"


# ---------------------------------------------------------------- labels from the call script
@functools.lru_cache(maxsize=16)
def _parsed_snapshot(snapshot: str) -> CallScript | None:
    """A call's script snapshot, parsed once: a batch of sheets mostly shares one or two."""
    try:
        return load_script_text(snapshot, "<call snapshot>", legacy_roles=True)
    except ScriptError:
        return None


class _Labels:
    """Choice labels from the script the call used (its snapshot), else the default script."""

    def __init__(self, snapshot: str, fallback: CallScript | None) -> None:
        self.scripts: list[CallScript] = []
        if snapshot.strip():
            script = _parsed_snapshot(snapshot)
            if script is not None:
                self.scripts.append(script)
        if fallback is not None:
            self.scripts.append(fallback)

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


# ---------------------------------------------------------------- the sheet's parts
def _header(detail: CallDetail, company_name: str, labels: _Labels, st: Styles) -> list[Flowable]:
    c = detail.customer
    kicker = "Follow-up action sheet"
    if company_name.strip():
        kicker = f"{clean(company_name)} · {kicker}"
    when = detail.started_at or detail.scheduled_at
    sub = [f"Recovery call #{detail.id}"]
    if when:
        sub.append(day_month_year(local(when).date(), weekday=True))
    if detail.partner:
        sub.append(f"for {clean(detail.partner.name)}, who owns the follow-through")
    out: list[Flowable] = [
        Paragraph(escape(kicker), st["kicker"]),
        Paragraph(para(clip(clean(c.company), 300) or "Unnamed customer"), st["title"]),
        Paragraph(escape(" · ".join(sub)), st["sub"]),
        Spacer(1, 8),
        _glance(detail, labels, st),
        Spacer(1, 4),
    ]
    return out


def _glance(detail: CallDetail, labels: _Labels, st: Styles) -> Table:
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
        ("Next contact", day_month_year(detail.next_contact, weekday=True) or "Not set"),
    ]
    return band_row(
        [(label, para(clip(text, 200))) for label, text in cells], st, pad_top=6, pad_bottom=7, splitInRow=1
    )


def _facts(detail: CallDetail, st: Styles) -> list[Flowable]:
    c = detail.customer
    last = day_month_year(c.last_purchase)
    months = c.months_since_purchase()  # None exactly when the last purchase is not known
    if months is not None:
        last += f" ({months_ago(months)})"
    left = [
        ("Contact", who(c.contact_name, c.contact_title, st)),
        ("Phone", value(clean(c.phone), st)),
        ("Email", value(clean(c.email), st)),
        ("Customer id", value(clean(c.external_id), st)),
        ("Value lost", value(money(c.value_lost), st)),
        ("Last purchase", value(last, st)),
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
            who(detail.caller.name, detail.caller.title, st)
            if detail.caller
            else value("", st, empty="Not recorded"),
        ),
        (
            "Partner",
            who(detail.partner.name, detail.partner.title, st)
            if detail.partner
            else value("", st, empty="Not assigned"),
        ),
        ("Started", value(fmt_datetime(detail.started_at), st, empty="Not started")),
        ("Ended", value(ended, st, empty="Not finished")),
        ("Status", value(clean(detail.status).replace("_", " ").capitalize(), st)),
        (
            "Script",
            value(" ".join(x for x in (clean(detail.script_name), clean(detail.script_version)) if x), st),
        ),
    ]
    half = (BODY_W - 8 * mm) / 2
    grid = Table(
        [
            [Paragraph("Customer", st["th"]), "", Paragraph("The call", st["th"])],
            [pairs_table(left, st, 25 * mm), "", pairs_table(right, st, 21 * mm)],
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


def _own_words(detail: CallDetail, st: Styles) -> list[Flowable]:
    a = detail.answers
    out = section("Why they left — in their own words", st)
    heard = a.get("heard_back", "").strip()
    if heard:
        out.append(Paragraph("What the caller read back to them and they confirmed:", st["caption"]))
        out.append(QuoteBar(Paragraph(para(heard), st["quote"])))
    else:
        shown = False
        for key, caption in (
            ("what_happened", "What they said happened:"),
            ("their_story", "Their story, in more detail:"),
        ):
            text = a.get(key, "").strip()
            if text:
                out.append(Paragraph(escape(caption), st["caption"]))
                out.append(QuoteBar(Paragraph(para(text), st["quote"])))
                shown = True
        if not shown:
            out.append(Paragraph("Nothing was noted in their words.", st["muted"]))
    primary = detail.primary_reason
    rows = [
        ("Main reason", value(_reason(primary) if primary else "", st, "strong", "Not recorded")),
    ]
    if detail.other_reasons:
        others = "\n".join(_reason(r) for r in detail.other_reasons)
        rows.append(("Also played a part", value(others, st)))
    rows.append(("At fault", value(a.get("fault", ""), st, empty="Not recorded")))
    out += [Spacer(1, 4), pairs_table(rows, st)]
    return out


def _help(detail: CallDetail, labels: _Labels, st: Styles) -> list[Flowable]:
    a = detail.answers
    out = section("What we offered, and what it would take", st)
    if detail.offers:
        offers: list[Flowable] = [
            Paragraph(para(o.label), st["bullet"], bulletText="•") for o in detail.offers
        ]
    else:
        offers = [Paragraph("Nothing was offered.", st["muted"])]
    rows = [
        ("Offered", offers),
        ("Accepts help?", value(labels.choice("accepts_help", detail.accepts_help), st, empty="Not asked")),
    ]
    out.append(pairs_table(rows, st))
    takes = a.get("what_it_takes", "").strip()
    block: list[Flowable] = [
        CondPageBreak(20 * mm),
        Spacer(1, 3),
        Paragraph("What they say it would take:", st["caption"]),
    ]
    if takes:
        block.append(QuoteBar(Paragraph(para(takes), st["quote"])))
    else:
        block.append(Paragraph("Not recorded.", ParagraphStyle("q0", st["muted"], leftIndent=10)))
    answer = labels.choice("customer_answer", detail.customer_answer)
    block.append(pairs_table([("Their answer", value(answer, st, "strong", "Not recorded"))], st))
    return out + block


_BOXES = {"done": "☑", "cancelled": "☒"}


def _actions_table(actions: list[ActionInfo], st: Styles) -> Table:
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
                value(clean(item.owner_name), st, empty="Unassigned"),
                value(day_month_year(item.due_date, weekday=True), st, empty="No date"),
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


def _next_steps(detail: CallDetail, st: Styles) -> list[Flowable]:
    out = section("Next steps — what, who, by when", st)
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


def _partner_logistics(detail: CallDetail, st: Styles) -> list[Flowable]:
    """The partner's own typed logistics notes: a section of their own, only when there are any."""
    text = detail.answers.get(PARTNER_FIELD, "")
    if not text.strip():
        return []
    out = section("Partner’s logistics notes", st)
    note = "Typed by the partner during the call, apart from the caller’s notes."
    out.append(Paragraph(note, st["caption"]))
    out.append(QuoteBar(Paragraph(para(text.strip()), st["quote"])))
    return out


def _notes(st: Styles) -> list[Flowable]:
    lines = RuledLines()
    need = 14 * mm + lines.min_lines * lines.gap
    return [*section("Partner’s notes, by hand", st, need=need), Spacer(1, 2), lines]


# ---------------------------------------------------------------- public API
@dataclass
class SheetParts:
    """One call's sheet, ready to lay out: alone (build_action_sheet) or in a batch (reports/batch)."""

    story: list[Flowable]
    customer: str  # the company, clipped for one line
    footer: str
    running_head: str


def default_labels_script() -> CallScript | None:
    """The default script, for choice labels a call's own snapshot lacks (None if unreadable)."""
    try:
        return default_script()
    except (ScriptError, OSError):
        return None


def sheet_parts(
    detail: CallDetail,
    *,
    company_name: str = "",
    generated: dt.datetime | None = None,
    st: Styles | None = None,
    fallback: CallScript | None | Literal["default"] = "default",
) -> SheetParts:
    """The flowables and page furniture of one call's sheet.

    ``fallback`` is the script that labels choices the call's snapshot does not know: "default"
    loads the default script; a batch loads it once and passes it in.
    """
    register_fonts()
    st = st or styles()
    if fallback == "default":
        fallback = default_labels_script()
    labels = _Labels(detail.script_snapshot or "", fallback)
    generated = generated or dt.datetime.now().astimezone()
    customer = clip(clean(detail.customer.company) or "Unnamed customer", 70)
    footer = f"Call #{detail.id} · {customer} · generated {day_month_year_time(generated)}"
    footer += " · contains personal data: keep it safe"

    story: list[Flowable] = []
    with collect_missing() as missing:
        story += _header(detail, company_name, labels, st)
        story += _facts(detail, st)
        story += _next_steps(detail, st)
        story += _own_words(detail, st)
        story += _help(detail, labels, st)
        story += _partner_logistics(detail, st)
        story += _notes(st)
    story[3:3] = missing_glyphs(missing, st)  # under the title, where it is seen
    return SheetParts(story, customer, footer, f"{customer} · action sheet, continued")


def sheet_document(
    buf: BinaryIO, *, title: str, author: str, subject: str, cls: type[SimpleDocTemplate] = SimpleDocTemplate
) -> SimpleDocTemplate:
    """The A4 page template every sheet uses (one call, a batch, the briefing)."""
    return cls(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator="Win-Back Desk",
    )


def build_action_sheet(
    detail: CallDetail, *, company_name: str = "", generated: dt.datetime | None = None
) -> bytes:
    """Render the action sheet for ``detail`` and return the PDF bytes (nothing is written)."""
    parts = sheet_parts(detail, company_name=company_name, generated=generated)
    buf = io.BytesIO()
    doc = sheet_document(
        buf,
        title=f"Action sheet: {parts.customer}",
        author=clean(company_name) or "Win-Back Desk",
        subject=f"Recovery call #{detail.id}",
    )
    doc.build(parts.story, canvasmaker=canvas_maker(parts.footer, parts.running_head))
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
