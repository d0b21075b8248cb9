"""What a write changed, told to whoever shows it (the screens); no Qt here.

A mutating service is marked ``@reports(Change.FOLLOWUPS)``: when it returns, its transaction has
committed, and the listeners on ``ctx.changes`` are told once which kinds of data changed. Calls
nested inside it (``decide`` rescoring the customer, ``load_demo`` adding people) are folded into
that one report, as anki folds an operation's changes into one ``OpChanges``. A write made
elsewhere (a child process: the import or ranking job) is reported by whoever waited for it,
with ``ctx.changed(...)``; what other desks (and processes) wrote is heard by the change feed
(services/team/feed.py) and told with :meth:`Changes.heard`, on the feed's thread.

Listeners run at once, in the thread that made the change (the GUI thread for the app), so when
a service call returns every screen already shows its result.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Concatenate, ParamSpec, Protocol, TypeVar

log = logging.getLogger(__name__)


class Change(StrEnum):
    """The kinds of data a screen may show, and so may need to read again."""

    CUSTOMERS = "customers"  # the roster: status, decision, priority, contact flags, imports
    CALLS = "calls"  # calls started and finished, who is on them
    NOTES = "notes"  # what is written during a call (answers, reasons, help offered, stage)
    FOLLOWUPS = "followups"  # the promises made on calls (action items)
    PEOPLE = "people"  # the team, and who is using the app
    CYCLES = "cycles"  # rescue cycles and their assignments
    SCHEDULE = "schedule"  # booked calls, call-backs and the attempts that led to them
    SETTINGS = "settings"  # the lapse rule, the company name, remembered choices


EVERYTHING = frozenset(Change)
Listener = Callable[[frozenset[Change]], object]


class Changes:
    """The listeners of one database (one per :class:`AppContext`), and the report in progress."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._depth = 0  # reporting service calls running (nested ones fold into the outermost)
        self._pending: set[Change] = set()

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def report(self, *kinds: Change) -> None:
        """These kinds changed (committed): listeners hear now, or when the outermost call ends."""
        self._pending.update(kinds)
        if not self._depth:
            self._tell()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Fold every report made inside into one, told at the end (also when it raises: what
        the calls inside committed did change)."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self._tell()

    def heard(self, kinds: frozenset[Change]) -> None:
        """``kinds`` changed elsewhere (another desk, a child job: services/team/feed.py): the
        listeners hear now, on the caller's thread (the feed's), outside any report in progress."""
        if kinds:
            self._tell_listeners(frozenset(kinds))

    def _tell(self) -> None:
        kinds, self._pending = frozenset(self._pending), set()
        if kinds:
            self._tell_listeners(kinds)

    def _tell_listeners(self, kinds: frozenset[Change]) -> None:
        first_error: Exception | None = None
        for listener in list(self._listeners):
            try:
                listener(kinds)
            except Exception as exc:  # noqa: BLE001 - the others still hear; the first is raised
                log.exception("a listener failed on %s", sorted(kinds))
                first_error = first_error or exc
        if first_error is not None:
            raise first_error


class HasChanges(Protocol):
    """What a reporting service needs of its context (an AppContext; no import of it here, so
    the context may own a :class:`Changes` without a cycle)."""

    @property
    def changes(self) -> Changes: ...


P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=HasChanges)


def reports(
    *kinds: Change,
) -> Callable[[Callable[Concatenate[C, P], R]], Callable[Concatenate[C, P], R]]:
    """Mark a service function (``ctx`` first) as changing ``kinds``: reported once it returned."""

    def mark(fn: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
        @functools.wraps(fn)
        def run(ctx: C, *args: P.args, **kwargs: P.kwargs) -> R:
            from winback_desktop.store.portable import without_nul

            # Typed text without NUL characters before the service checks it (store.portable).
            args, kwargs = without_nul(args), without_nul(kwargs)
            with ctx.changes.batch():
                result = fn(ctx, *args, **kwargs)
                ctx.changes.report(*kinds)
            return result

        return run

    return mark
