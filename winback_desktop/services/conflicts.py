"""A save over someone else's change: seen, kept, and the caller's to decide.

The rows people edit from windows that stay open (a call's notes, its next steps, a customer's
decision) carry a ``version`` (migration 0008). A window keeps the version it loaded; its save
names it, and the save goes through only where the row is still at that version (``UPDATE ...
WHERE version = :v``, ``version + 1``). When someone at another desk (or another desk process on
the same SQLite file) changed the row meanwhile, the save changes nothing and raises
:class:`Stale`, carrying a :class:`Conflict`: what is stored, what was typed, when it changed.
The autosave never retries such a save blindly: the caller sees both texts and picks a
:class:`Choice`; :func:`resolved_text` is the text the chosen save writes, over the version the
conflict names.

Who changed it is not stored (there is no ``updated_by`` column), so the words say "someone at
another desk" and, where the row keeps it, when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

SEPARATOR = "—" * 12  # the line between theirs and mine when both are kept
ELSEWHERE = "someone at another desk"


class Choice(StrEnum):
    """What to do with a save that met someone else's change."""

    MINE = "mine"  # write what was typed here, over theirs
    THEIRS = "theirs"  # keep what is stored; what was typed here is dropped
    BOTH = "both"  # theirs, then a line, then mine


@dataclass(frozen=True)
class Conflict:
    """One save that met someone else's change.

    ``what`` names the kind of record ("field", "action", "decision", "lost"); ``key`` which
    one (the field's key, the next step's id, the customer's id); ``label`` is how the screens
    name it. ``theirs`` is the text stored now, at ``version``; ``mine`` what was typed here.
    """

    what: str
    key: str
    label: str
    theirs: str
    mine: str
    version: int
    changed_at: dt.datetime | None = None  # UTC, as stored; None when the row does not say
    changed_by: str = ""  # who, when the row says; "" -> "someone at another desk"
    stored: Mapping[str, Any] = field(default_factory=dict)  # the stored record's own values

    def typed(self, mine: str) -> Conflict:
        """The same conflict after more typing here (the stored side unchanged)."""
        return replace(self, mine=mine)

    @property
    def who(self) -> str:
        return self.changed_by or ELSEWHERE

    def when(self, local: bool = True) -> str:
        """When it was changed, as a short local time ("14:02", or "3 Dec 14:02" another day)."""
        if self.changed_at is None:
            return ""
        at = self.changed_at.replace(tzinfo=dt.UTC)
        at = at.astimezone() if local else at
        today = dt.datetime.now(at.tzinfo).date()
        return at.strftime("%H:%M") if at.date() == today else at.strftime("%-d %b %H:%M")

    def sentence(self) -> str:
        """'“Their story” was changed by someone at another desk at 14:02 while you typed.'"""
        when = self.when()
        at = f" at {when}" if when else ""
        return f"“{self.label}” was changed by {self.who}{at} while you were typing here."


class Stale(Exception):
    """A save named a version its row is no longer at: nothing was changed."""

    def __init__(self, conflict: Conflict):
        self.conflict = conflict
        super().__init__(f"{conflict.label}: changed by {conflict.who} meanwhile; not overwritten")


def both(theirs: str, mine: str) -> str:
    """Theirs, then a line, then mine (either side left out when it is empty)."""
    theirs, mine = theirs.rstrip(), mine.strip("\n")
    if not theirs:
        return mine
    if not mine.strip():
        return theirs
    return f"{theirs}\n{SEPARATOR}\n{mine}"


def resolved_text(conflict: Conflict, choice: Choice) -> str:
    """The text that stands once ``choice`` is made."""
    if choice is Choice.MINE:
        return conflict.mine
    if choice is Choice.THEIRS:
        return conflict.theirs
    return both(conflict.theirs, conflict.mine)
