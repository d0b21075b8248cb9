"""The stored vocabularies, declared once: each member is the string the database keeps, and
``label`` is the word the user reads.

The enums are ``StrEnum`` s, so a member *is* its stored string: it compares equal to it, binds
to SQL as it, and formats as it; nothing in the database changes. A value the code does not
know (old data, a hand-edited file) still shows: ``label_of`` falls back to the value itself.

Standard library only: the first paint and the CLI import this before SQLAlchemy (or Qt) is
loaded. Call outcomes are codes here without words: their labels are the call script's (the
outcome field's choices), so a script can reword them.
"""

from __future__ import annotations

from enum import StrEnum


class Vocab(StrEnum):
    """A stored vocabulary with a human label per member (see ``_LABELS``)."""

    @property
    def label(self) -> str:
        return _LABELS[type(self)][self]

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """The stored strings, in declaration order (plain ``str``, for messages and checks)."""
        return tuple(m.value for m in cls)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(stored value, label) pairs in declaration order, for pickers."""
        return [(m.value, m.label) for m in cls]

    @classmethod
    def label_of(cls, value: str, default: str | None = None) -> str:
        """The label of a stored value; ``default`` (else the value itself) when it is unknown."""
        labels = _LABELS[cls]
        if value in labels:
            return labels[value]  # type: ignore[index]  # members hash and compare as their str
        return value if default is None else default


class CustomerStatus(Vocab):
    LAPSED = "lapsed"
    LOST = "lost"
    WON_BACK = "won_back"
    ACTIVE = "active"


class Decision(Vocab):
    """Whether to pursue a customer (let-go customers leave the call lists)."""

    UNDECIDED = "undecided"
    PURSUE = "pursue"
    LET_GO = "let_go"

    @property
    def phrase(self) -> str:
        """The decision standing on its own, as the briefing shows it ("Not decided yet")."""
        return "Not decided yet" if self is Decision.UNDECIDED else self.label


class CallStatus(Vocab):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


# Calls that still take someone's time (the schedule's conflicts, the agenda).
ACTIVE_CALL_STATUSES = (CallStatus.SCHEDULED, CallStatus.IN_PROGRESS)


class Outcome(StrEnum):
    """What came of a call. Codes only: the words are the call script's outcome choices."""

    WON_BACK = "won_back"
    OPEN_DOOR = "open_door"
    NOT_NOW = "not_now"
    NEVER_AGAIN = "never_again"
    LET_GO = "let_go"


class Role(Vocab):
    EXECUTIVE = "executive"
    CALLER = "caller"
    PARTNER = "partner"


class AssignmentKind(Vocab):
    """Who calls a customer of a rescue cycle: an executive (with a partner) or a caller."""

    EXECUTIVE = "executive"
    CALLER = "caller"

    @property
    def short_label(self) -> str:
        return "Caller" if self is AssignmentKind.CALLER else self.label


class Disposition(Vocab):
    """How a try at reaching the customer went (the order is the attempt dialog's)."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"
    CALL_BACK = "call_back"

    @property
    def failed(self) -> bool:
        """Not reached, and no call-back asked for: counts towards a run of failures."""
        return self in FAILED_DISPOSITIONS


FAILED_DISPOSITIONS = (Disposition.NO_ANSWER, Disposition.VOICEMAIL, Disposition.WRONG_NUMBER)


class ActionStatus(Vocab):
    """A promise made on a call (an action item): still to do, done, or no longer applying."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class CycleStatus(Vocab):
    OPEN = "open"
    CLOSED = "closed"


_LABELS: dict[type[Vocab], dict[Vocab, str]] = {
    CustomerStatus: {
        CustomerStatus.LAPSED: "Lapsed",
        CustomerStatus.LOST: "Lost",
        CustomerStatus.WON_BACK: "Won back",
        CustomerStatus.ACTIVE: "Active",
    },
    Decision: {
        Decision.UNDECIDED: "Undecided",
        Decision.PURSUE: "Pursue",
        Decision.LET_GO: "Let go",
    },
    CallStatus: {
        CallStatus.SCHEDULED: "Scheduled",
        CallStatus.IN_PROGRESS: "Unfinished",
        CallStatus.COMPLETED: "Done",
        CallStatus.ABANDONED: "Abandoned",
    },
    Role: {
        Role.EXECUTIVE: "Executive",
        Role.CALLER: "Recovery caller",
        Role.PARTNER: "Partner",
    },
    AssignmentKind: {
        AssignmentKind.EXECUTIVE: "Executive",
        AssignmentKind.CALLER: "Recovery caller",
    },
    Disposition: {
        Disposition.REACHED: "Reached",
        Disposition.NO_ANSWER: "No answer",
        Disposition.VOICEMAIL: "Voicemail left",
        Disposition.WRONG_NUMBER: "Wrong number",
        Disposition.CALL_BACK: "Asked to call back",
    },
    ActionStatus: {
        ActionStatus.OPEN: "Open",
        ActionStatus.DONE: "Done",
        ActionStatus.CANCELLED: "Cancelled",
    },
    CycleStatus: {
        CycleStatus.OPEN: "Open",
        CycleStatus.CLOSED: "Closed",
    },
}
