"""What the team decided about a customer: pursue, let go, or lost — with versions.

Two people deciding about one customer at once (a probe: two marking the same customer lost,
one reason silently lost) are told apart by ``customers.version`` (migration 0008): each of
these saves may name the version its screen read (:attr:`RosterRow.version`); when the customer
was decided on meanwhile, nothing changes and
:class:`~winback_desktop.services.conflicts.Stale` says what stands now, so the screen can
offer Keep mine / Take theirs / Keep both. Every save here adds one to the version; other writes
to a customer (ranking, imports) leave it alone, so they never make a decision stale.
The row is read ``FOR UPDATE`` (PostgreSQL; SQLite's write transaction holds its lock from the
start), so two such saves never both pass the check.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from winback_desktop.services.changes import Change, reports
from winback_desktop.services.conflicts import Conflict, Stale
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import NotFound
from winback_desktop.services.roster.dates import is_lapsed
from winback_desktop.services.roster.rank import let_go_reason, rescore
from winback_desktop.services.roster.rules import rule
from winback_desktop.services.vocab import Decision
from winback_desktop.store.connection import retried, transaction
from winback_desktop.store.models import Customer, utcnow

LOST_LINE = "Marked lost on "


def _locked(s: Session, customer_id: int) -> Customer:
    c = s.get(Customer, customer_id, with_for_update=True)
    if c is None:
        raise NotFound("customer", customer_id)
    return c


def lost_line(notes: str) -> str:
    """The latest "Marked lost on ...: why" line of a customer's notes, or ""."""
    return next((ln for ln in reversed(notes.splitlines()) if ln.startswith(LOST_LINE)), "")


def _stale(c: Customer, what: str, theirs: str, mine: str, **stored: object) -> Stale:
    label = f"{c.company}: {'lost' if what == 'lost' else 'the decision'}"
    return Stale(Conflict(what, str(c.id), label, theirs, mine, c.version, c.decided_at, stored=stored))


def decision_words(decision: str, reason: str) -> str:
    """ "Let go — always disputes invoices"; "Pursue"."""
    label = Decision.label_of(decision)
    return f"{label} — {reason}" if reason else label


def _standing(c: Customer) -> str:
    """What stands for a customer, in words (for a conflict's "theirs")."""
    if c.status == "lost":
        return lost_line(c.notes) or "Marked lost (no reason given)"
    return decision_words(c.decision, c.decision_reason)


@reports(Change.CUSTOMERS)
@retried  # a team server may refuse it for another desk's sake: run again
def mark_lost(
    ctx: AppContext, customer_id: int, reason: str = "", version: int | None = None, *, instead_of: str = ""
) -> int:
    """Mark a customer lost by hand; the reason (if any) is added to their notes, dated.
    Returns the customer's new version.

    ``version``: the one the screen read; someone else's change meanwhile raises :class:`Stale`
    (theirs: the lost line or decision standing now). ``instead_of``: a line of the notes this
    reason replaces (Keep mine over someone else's lost mark); without it both lines stay.
    """
    reason = " ".join(reason.split())
    with transaction(ctx.sessions, serializable=False) as s:  # the row read FOR UPDATE
        c = _locked(s, customer_id)
        line = f"{LOST_LINE}{dt.date.today().isoformat()}: {reason}" if reason else ""
        if version is not None and c.version != version:
            raise _stale(
                c, "lost", _standing(c), line or "Marked lost (no reason given)", line=lost_line(c.notes)
            )
        c.status = "lost"
        notes = c.notes
        if instead_of and instead_of in notes.splitlines():
            kept = notes.splitlines()
            kept.remove(instead_of)
            notes = "\n".join(kept)
        if line:
            notes = f"{notes.rstrip()}\n{line}" if notes.strip() else line
        c.notes, c.version = notes, c.version + 1
        new = c.version
    rescore(ctx, customer_id)
    return new


@reports(Change.CUSTOMERS)
@retried  # a team server may refuse it for another desk's sake: run again
def unmark_lost(ctx: AppContext, customer_id: int, version: int | None = None) -> str:
    """Take back a "lost" mark: the status follows the lapse rule again. Returns the new status.
    ``version`` as for :func:`mark_lost`."""
    r = rule(ctx)
    with transaction(ctx.sessions, serializable=False) as s:  # the row read FOR UPDATE
        c = _locked(s, customer_id)
        if version is not None and c.version != version:
            raise _stale(c, "lost", _standing(c), "Not lost after all")
        if c.status == "lost":
            recent = c.last_purchase is not None and not is_lapsed(c.last_purchase, r.as_of, r.months)
            c.status = "active" if recent else "lapsed"
        c.version = c.version + 1
        status = c.status
    rescore(ctx, customer_id)
    return status


@reports(Change.CUSTOMERS)
@retried  # a team server may refuse it for another desk's sake: run again
def decide(
    ctx: AppContext, customer_id: int, decision: str, reason: str = "", version: int | None = None
) -> int:
    """Pursue, let go (a reason is required) or undecided; let-go customers leave the call lists.
    Returns the customer's new version; ``version`` as for :func:`mark_lost` (a decision that
    already stands as asked is no conflict).

    A let-go customer keeps every call and note; their priority becomes 0 with "Let go: <why>".
    Taking a let-go back recomputes their priority.
    """
    if decision not in Decision.values():
        raise ValueError(f"decision must be one of {', '.join(Decision)}, not {decision!r}")
    reason = reason.strip()
    if decision == "let_go" and not reason:
        raise ValueError("letting a customer go needs a reason (e.g. 'always disputes invoices')")
    with transaction(ctx.sessions, serializable=False) as s:  # the row read FOR UPDATE
        c = _locked(s, customer_id)
        was = c.decision
        same = (c.decision, c.decision_reason) == (decision, reason)
        if version is not None and c.version != version:
            if same:  # someone else decided just this: nothing to choose between
                return c.version
            theirs = decision_words(c.decision, c.decision_reason)
            raise _stale(c, "decision", theirs, decision_words(decision, reason), reason=c.decision_reason)
        c.decision, c.decision_reason = decision, reason
        c.decided_at = None if decision == "undecided" else utcnow()
        if decision == "let_go":
            c.priority, c.priority_reason = 0.0, let_go_reason(reason)
        c.version = c.version + 1
        new = c.version
    if was == "let_go" and decision != "let_go":
        rescore(ctx, customer_id)
    return new
