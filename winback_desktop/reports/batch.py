"""Action sheets for many calls in one PDF: every call of a day, or of a rescue cycle.

Each call starts on a new page and keeps its own page numbering, so a partner can pull their
sheets out of the pile: each page says "sheet 3 of 12" at its top right and the call's own
"page 1 of 2" at its foot, next to the call's own footer; continuation pages carry the call's
running head. The PDF outline (the viewer's
sidebar) lists the customers.

One document, laid out in one pass: the fonts are embedded once, and 500 calls take seconds.
Sheets are fetched and laid out one call at a time, so a progress callback can follow along and
a cancel takes effect at the next call. Everything is built in memory; only a finished document
is written (atomically), so a cancelled or failed batch writes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate
from sqlalchemy import and_, func, or_, select

from winback_desktop.files import atomic_write_bytes
from winback_desktop.reports.action_sheet import default_labels_script, sheet_document, sheet_parts
from winback_desktop.reports.fonts import REGULAR, register_fonts
from winback_desktop.reports.layout import (
    FRAME_PADDING,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_H,
    PAGE_W,
    RULE,
    clean,
    styles,
)
from winback_desktop.services import catalogue
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import CallDetail
from winback_desktop.store.models import Call, CycleAssignment, RescueCycle

Progress = Callable[[int, int], None]
ShouldCancel = Callable[[], bool]


class BatchCancelled(Exception):
    """The user cancelled the batch: nothing was written."""


# ---------------------------------------------------------------- choosing the calls
def _utc_naive(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(tzinfo=None)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local day as [start, end) in the naive UTC the store keeps (DST-safe)."""
    start = dt.datetime.combine(day, dt.time.min).astimezone()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min).astimezone()
    return _utc_naive(start), _utc_naive(end)


_WHEN = func.coalesce(Call.started_at, Call.scheduled_at, Call.ended_at)


def calls_for_day(ctx: AppContext, day: dt.date) -> list[int]:
    """Calls scheduled, started or ended on the local ``day``, in time order."""
    start, end = _day_bounds(day)
    on_day = [and_(col >= start, col < end) for col in (Call.scheduled_at, Call.started_at, Call.ended_at)]
    q = select(Call.id).where(or_(*on_day)).order_by(_WHEN, Call.id)
    with ctx.sessions() as s:
        return list(s.scalars(q))


def calls_for_cycle(ctx: AppContext, cycle_id: int) -> list[int]:
    """The calls of a rescue cycle, in time order; LookupError for an unknown cycle.

    A call belongs to the cycle when it is filed under it, or when it is filed under no cycle
    but is with a customer assigned in the cycle and took place (or is planned) within the
    cycle's dates — a call started straight from the roster is still part of the cycle's work.
    """
    with ctx.sessions() as s:
        cycle = s.get(RescueCycle, cycle_id)
        if cycle is None:
            raise LookupError(f"no cycle with id {cycle_id}")
        start, _ = _day_bounds(cycle.starts_on)
        _, end = _day_bounds(cycle.ends_on)
        assigned = select(CycleAssignment.customer_id).where(CycleAssignment.cycle_id == cycle_id)
        q = (
            select(Call.id)
            .where(
                or_(
                    Call.cycle_id == cycle_id,
                    and_(
                        Call.cycle_id.is_(None),
                        Call.customer_id.in_(assigned),
                        _WHEN >= start,
                        _WHEN < end,
                    ),
                )
            )
            .order_by(_WHEN, Call.id)
        )
        return list(s.scalars(q))


# ---------------------------------------------------------------- laying out the batch
class _Pending(Flowable):
    """Stands in for call ``index``'s sheet until the layout reaches it (see _BatchDoc)."""

    def __init__(self, index: int):
        super().__init__()
        self.index = index

    def wrap(self, avail_width, avail_height):  # never laid out: always expanded first
        return 0, 0

    def draw(self):
        pass


class _SheetStart(Flowable):
    """Zero-size marker at the top of a sheet's first page: tells the canvas whose page it is."""

    def __init__(self, index: int, footer: str, running_head: str, title: str):
        super().__init__()
        self.index, self.footer, self.running_head, self.title = index, footer, running_head, title

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        canv = self.canv
        canv._sheet = (self.index, self.footer, self.running_head)
        key = f"sheet{self.index}"
        canv.bookmarkPage(key)
        canv.addOutlineEntry(self.title, key, level=0)


def _fit(text: str, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points in the footer font."""
    if stringWidth(text, REGULAR, 7.5) <= width:
        return text
    while text and stringWidth(text + "…", REGULAR, 7.5) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _batch_canvas(total: int, check: Callable[[], None]):
    """A canvas that numbers pages per sheet ("sheet i of n", "page N of M") when it saves;
    ``check()`` runs between pages, so a cancel also stops the final pass."""

    class _Canvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            self._sheet: tuple[int, str, str] = (0, "", "")

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            pages_of = Counter(state["_sheet"][0] for state in self._pages)
            seen: Counter[int] = Counter()
            for state in self._pages:
                check()
                self.__dict__.update(state)
                index, footer, head = state["_sheet"]
                seen[index] += 1
                self._furniture(index, footer, head, seen[index], pages_of[index])
                super().showPage()
            super().save()

        def _furniture(self, index: int, footer: str, head: str, number: int, count: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            y = MARGIN_BOTTOM - 8 * mm
            left, right = MARGIN_X + FRAME_PADDING, PAGE_W - MARGIN_X - FRAME_PADDING
            self.line(left, y + 9, right, y + 9)
            self.setFont(REGULAR, 7.5)
            self.setFillColor(MUTED)
            page = f"page {number} of {count}"
            room = right - left - stringWidth(page, REGULAR, 7.5) - 12
            self.drawString(left, y, _fit(footer, room))
            self.drawRightString(right, y, page)
            top = PAGE_H - MARGIN_TOP + 4 * mm
            sheet = f"sheet {index + 1} of {total}"
            if number > 1:
                self.drawString(left, top, _fit(head, right - left - stringWidth(sheet, REGULAR, 7.5) - 12))
            self.drawRightString(right, top, sheet)
            self.restoreState()

    return _Canvas


class _BatchDoc(SimpleDocTemplate):
    """Expands each _Pending placeholder into its call's sheet just before laying it out."""

    expand: Callable[[int], list[Flowable]]

    def filterFlowables(self, flowables):  # noqa: N802 (reportlab's name)
        if flowables and isinstance(flowables[0], _Pending):
            flowables[0:1] = self.expand(flowables[0].index)


def _render(
    total: int,
    get: Callable[[int], CallDetail],
    *,
    company_name: str,
    generated: dt.datetime | None,
    progress: Progress | None,
    should_cancel: ShouldCancel | None,
) -> bytes:
    if total == 0:
        raise ValueError("no calls to print")
    register_fonts()
    st = styles()
    fallback = default_labels_script()
    generated = generated or dt.datetime.now().astimezone()

    def check() -> None:
        if should_cancel is not None and should_cancel():
            raise BatchCancelled()

    def step(done: int) -> None:
        check()
        if progress is not None:
            progress(done, total)

    def expand(index: int) -> list[Flowable]:
        step(index)  # every sheet before this one is laid out
        parts = sheet_parts(
            get(index), company_name=company_name, generated=generated, st=st, fallback=fallback
        )
        head: list[Flowable] = [PageBreak()] if index else []
        return [*head, _SheetStart(index, parts.footer, parts.running_head, parts.customer), *parts.story]

    buf = io.BytesIO()
    doc = sheet_document(
        buf,
        title=f"Action sheets: {total} call{'s' if total != 1 else ''}",
        author=clean(company_name) or "Win-Back Desk",
        subject="Recovery call action sheets",
        cls=_BatchDoc,
    )
    doc.expand = expand
    doc.build([_Pending(i) for i in range(total)], canvasmaker=_batch_canvas(total, check))
    step(total)
    return buf.getvalue()


# ---------------------------------------------------------------- public API
def build_batch_sheets(
    details: Sequence[CallDetail],
    *,
    company_name: str = "",
    generated: dt.datetime | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> bytes:
    """The action sheets of ``details`` as ONE PDF (bytes), in the order given.

    Each call starts on a new page with its own "page N of M". ``progress(done, total)`` is
    called as each sheet is laid out; ``should_cancel()`` returning True stops the work with
    BatchCancelled. ValueError when ``details`` is empty.
    """
    return _render(
        len(details),
        details.__getitem__,
        company_name=company_name,
        generated=generated,
        progress=progress,
        should_cancel=should_cancel,
    )


def write_batch(
    ctx: AppContext,
    call_ids: Sequence[int],
    out: Path,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    *,
    generated: dt.datetime | None = None,
) -> Path:
    """Write the action sheets of ``call_ids`` (in that order) as one PDF to ``out``.

    Built fully in memory, then written atomically. Raises BatchCancelled when
    ``should_cancel()`` turns True (nothing is written), LookupError for an unknown call id,
    ValueError for an empty list. ``progress(done, total)`` follows the calls.
    """
    ids = list(call_ids)
    data = _render(
        len(ids),
        lambda i: calls.detail(ctx, ids[i]),
        company_name=catalogue.configured_company_name(ctx),
        generated=generated,
        progress=progress,
        should_cancel=should_cancel,
    )
    out = Path(out)
    atomic_write_bytes(out, data)
    return out
