"""A customer's decision (pursue, let go, lost) saved over the version the roster showed: when
someone at another desk decided meanwhile, nothing is overwritten; the conflict dialog shows
what stands and what was asked here, and the choice is saved over what stands now
(``services/roster/decisions.py``). Keep both exists where both are words: two let-go
reasons, or two lost reasons (both dated lines stay in the notes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from winback_desktop.services.changes import Change

if TYPE_CHECKING:
    from winback_desktop.services.conflicts import Choice, Conflict
    from winback_desktop.services.context import AppContext
    from winback_desktop.services.dto import RosterRow

Redo = Callable[["Conflict", "Choice"], object]


def _saved(parent: QWidget, ctx: AppContext, save: Callable[[], object], redo: Redo, both: bool) -> bool:
    """``save()``; when it meets someone else's decision, ask, and ``redo`` the choice (over the
    version standing now). True when something was saved."""
    from winback_desktop.services.conflicts import Choice, Stale
    from winback_desktop.ui.conflicts.dialog import ConflictDialog

    try:
        save()
        return True
    except Stale as stale:
        conflict = stale.conflict
    while True:
        choice = ConflictDialog.ask(parent, conflict, allow_both=both)
        if choice is None or choice is Choice.THEIRS:
            ctx.changed(Change.CUSTOMERS)  # the roster reads what stands
            return False
        try:
            redo(conflict, choice)
            return True
        except Stale as again:  # changed once more while the dialog was open: ask again
            conflict = again.conflict


def decide(parent: QWidget, ctx: AppContext, row: RosterRow, decision: str, reason: str = "") -> bool:
    from winback_desktop.services import roster
    from winback_desktop.services.conflicts import Choice, both

    def redo(c: Conflict, choice: Choice) -> object:
        why = both(str(c.stored.get("reason", "")), reason) if choice is Choice.BOTH else reason
        return roster.decide(ctx, row.id, decision, why, c.version)

    return _saved(
        parent,
        ctx,
        lambda: roster.decide(ctx, row.id, decision, reason, row.version),
        redo,
        decision == "let_go",  # two reasons to let go: both can be kept
    )


def mark_lost(parent: QWidget, ctx: AppContext, row: RosterRow, reason: str) -> bool:
    from winback_desktop.services import roster
    from winback_desktop.services.conflicts import Choice

    def redo(c: Conflict, choice: Choice) -> object:
        instead = str(c.stored.get("line", "")) if choice is Choice.MINE else ""
        return roster.mark_lost(ctx, row.id, reason, c.version, instead_of=instead)

    return _saved(parent, ctx, lambda: roster.mark_lost(ctx, row.id, reason, row.version), redo, bool(reason))


def unmark_lost(parent: QWidget, ctx: AppContext, row: RosterRow) -> bool:
    from winback_desktop.services import roster

    return _saved(
        parent,
        ctx,
        lambda: roster.unmark_lost(ctx, row.id, row.version),
        lambda c, _choice: roster.unmark_lost(ctx, row.id, c.version),
        False,
    )
