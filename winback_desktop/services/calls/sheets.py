"""Which calls go into one printed batch of action sheets, and their details for the renderer.

A day's sheets are the calls scheduled, started or ended that local day; a rescue cycle's are the
calls filed under it, and the calls with its customers within its dates that are filed under no
cycle. :func:`sheet_batch` hands ``reports/batch.py`` a :class:`SheetBatch` whose details are
read one call at a time as the layout reaches them, so 500 sheets show progress from the first
and a cancel takes effect at the next call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import overload

from sqlalchemy import and_, func, or_, select

from winback_desktop.services import settings
from winback_desktop.services.calls import lifecycle
from winback_desktop.services.clock import local_day_bounds
from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import CallDetail, SheetBatch
from winback_desktop.services.vocab import CallStatus
from winback_desktop.store.models import Call, CycleAssignment, RescueCycle

_WHEN = func.coalesce(Call.started_at, Call.scheduled_at, Call.ended_at)


def calls_for_day(ctx: AppContext, day: dt.date) -> list[int]:
    """Calls held on the local ``day`` (booked for it, started or ended then), in time order.
    A call booked but not yet held has no notes to print: it is left out (its pre-call brief
    is the paper for it)."""
    start, end = local_day_bounds(day)
    on_day = [and_(col >= start, col < end) for col in (Call.scheduled_at, Call.started_at, Call.ended_at)]
    q = select(Call.id).where(or_(*on_day), Call.status != CallStatus.SCHEDULED).order_by(_WHEN, Call.id)
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
        start, end = local_day_bounds(cycle.starts_on, (cycle.ends_on - cycle.starts_on).days + 1)
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


class _Details(Sequence[CallDetail]):
    """The details of ``call_ids``, each read from the database when it is asked for."""

    def __init__(self, ctx: AppContext, call_ids: Sequence[int]):
        self._ctx, self._ids = ctx, list(call_ids)

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> CallDetail: ...

    @overload
    def __getitem__(self, index: slice) -> list[CallDetail]: ...

    def __getitem__(self, index: int | slice) -> CallDetail | list[CallDetail]:
        if isinstance(index, slice):
            return [lifecycle.detail(self._ctx, i) for i in self._ids[index]]
        return lifecycle.detail(self._ctx, self._ids[index])  # LookupError for an unknown call


def sheet_batch(ctx: AppContext, call_ids: Sequence[int]) -> SheetBatch:
    """The action sheets of ``call_ids``, in that order, ready for ``reports/batch.py``.

    Each call's details are read when the layout reaches it (LookupError then for an unknown id).
    """
    return SheetBatch(settings.configured_company_name(ctx), _Details(ctx, call_ids))
