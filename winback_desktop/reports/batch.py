"""Action sheets for many calls in one PDF: every call of a day, or of a rescue cycle.

Each call starts on a new page and keeps its own page numbering, so a partner can pull their
sheets out of the pile: each page says "sheet 3 of 12" at its top right and the call's own
"page 1 of 2" at its foot, next to the call's own footer; continuation pages carry the call's
running head. The PDF outline (the viewer's
sidebar) lists the customers.

One document, laid out in one pass: the fonts are embedded once, and 500 calls take seconds.
Sheets are laid out one call at a time, each call's details read from the sequence it is given
only when the layout reaches it (``services/calls/sheets.py`` fills that sequence call by call),
so a progress callback can follow along and a cancel takes effect at the next call. Nothing here
reads the database. Everything is built in memory; only a finished document is written
(atomically), so a cancelled or failed batch writes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate

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
from winback_desktop.reports.text import draw_line, fit_line, text_width
from winback_desktop.services.dto import CallDetail, SheetBatch

Progress = Callable[[int, int], None]
ShouldCancel = Callable[[], bool]


class BatchCancelled(Exception):
    """The user cancelled the batch: nothing was written."""


# ---------------------------------------------------------------- laying out the batch
class _Pending(Flowable):
    """Stands in for call ``index``'s sheet until the layout reaches it (see _BatchDoc)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0  # never laid out: always expanded first

    def draw(self) -> None:
        pass


class _SheetStart(Flowable):
    """Zero-size marker at the top of a sheet's first page: tells the canvas whose page it is."""

    def __init__(self, index: int, footer: str, running_head: str, title: str) -> None:
        super().__init__()
        self.index, self.footer, self.running_head, self.title = index, footer, running_head, title

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canv = self.canv
        canv._sheet = (self.index, self.footer, self.running_head)
        key = f"sheet{self.index}"
        canv.bookmarkPage(key)
        canv.addOutlineEntry(self.title, key, level=0)


def _fit(text: str, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points in the footer font."""
    return fit_line(text, REGULAR, 7.5, width)


def _batch_canvas(total: int, check: Callable[[], None]) -> type[rl_canvas.Canvas]:
    """A canvas that numbers pages per sheet ("sheet i of n", "page N of M") when it saves;
    ``check()`` runs between pages, so a cancel also stops the final pass."""

    class _Canvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._sheet: tuple[int, str, str] = (0, "", "")

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
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
            room = right - left - text_width(page, REGULAR, 7.5) - 12
            draw_line(self, left, y, _fit(footer, room), REGULAR, 7.5)
            draw_line(self, right, y, page, REGULAR, 7.5, "right")
            top = PAGE_H - MARGIN_TOP + 4 * mm
            sheet = f"sheet {index + 1} of {total}"
            if number > 1:
                room = right - left - text_width(sheet, REGULAR, 7.5) - 12
                draw_line(self, left, top, _fit(head, room), REGULAR, 7.5)
            draw_line(self, right, top, sheet, REGULAR, 7.5, "right")
            self.restoreState()

    return _Canvas


class _BatchDoc(SimpleDocTemplate):
    """Expands each _Pending placeholder into its call's sheet just before laying it out."""

    expand: Callable[[int], list[Flowable]]

    def filterFlowables(self, flowables: list[Flowable]) -> None:  # noqa: N802 (reportlab's name)
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
    batch: SheetBatch,
    out: Path,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    *,
    generated: dt.datetime | None = None,
) -> Path:
    """Write the action sheets of ``batch`` (in its order) as one PDF to ``out``.

    Built fully in memory, then written atomically. Raises BatchCancelled when
    ``should_cancel()`` turns True (nothing is written), ValueError for an empty batch, and
    whatever reading a detail raises (LookupError for an unknown call from
    ``services.calls.sheets``). ``progress(done, total)`` follows the calls.
    """
    data = build_batch_sheets(
        batch.details,
        company_name=batch.company_name,
        generated=generated,
        progress=progress,
        should_cancel=should_cancel,
    )
    out = Path(out)
    atomic_write_bytes(out, data)
    return out
