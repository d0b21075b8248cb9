"""Plain data handed from services to the UI, CLI and reports (never live ORM rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal


@dataclass(frozen=True)
class PersonInfo:
    id: int
    name: str
    title: str
    role: str  # executive / caller / partner


@dataclass(frozen=True)
class ActionInfo:
    id: int
    call_id: int
    what: str
    owner_id: int | None
    owner_name: str
    due_date: dt.date | None
    status: str
    done_note: str = ""
    version: int = 1  # the row's version when read: a save names it (services/conflicts.py)


@dataclass(frozen=True)
class CallSummary:
    id: int
    status: str
    when: dt.datetime | None
    caller_name: str
    outcome: str
    current_stage: str
    said: str = ""  # what the customer said, in the caller's notes (the repeat-back first)
    promised: tuple[ActionInfo, ...] = ()  # the next steps agreed in that call
    ended_at: dt.datetime | None = None


@dataclass(frozen=True)
class CustomerCard:
    id: int
    external_id: str
    company: str
    contact_name: str
    contact_title: str
    phone: str
    email: str
    value_lost: Decimal
    last_purchase: dt.date | None
    status: str
    earlier_calls: list[CallSummary] = field(default_factory=list)
    open_promises: list[ActionInfo] = field(default_factory=list)

    def months_since_purchase(self, today: dt.date | None = None) -> int | None:
        if self.last_purchase is None:
            return None
        today = today or dt.date.today()
        months = (today.year - self.last_purchase.year) * 12 + today.month - self.last_purchase.month
        if today.day < self.last_purchase.day:
            months -= 1
        return max(months, 0)


@dataclass(frozen=True)
class OfferInfo:
    option_id: int | None
    label: str  # the catalogue label, or the free text


@dataclass(frozen=True)
class ReasonInfo:
    id: int
    code: str
    label: str
    category: str


@dataclass
class CallDetail:
    """Everything about one call, as the call window and the action sheet need it."""

    id: int
    customer: CustomerCard
    caller: PersonInfo | None
    partner: PersonInfo | None
    status: str
    current_stage: str
    scheduled_at: dt.datetime | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    outcome: str
    customer_answer: str
    accepts_help: str
    keep_in_touch: bool | None
    next_contact: dt.date | None
    script_name: str
    script_version: str
    script_snapshot: str
    answers: dict[str, str] = field(default_factory=dict)  # field key -> text
    primary_reason: ReasonInfo | None = None
    other_reasons: list[ReasonInfo] = field(default_factory=list)
    offers: list[OfferInfo] = field(default_factory=list)
    actions: list[ActionInfo] = field(default_factory=list)
    # Each note's version when read (field key -> version; a note not saved yet has none): the
    # call window's saves name it, so a change made at another desk meanwhile is not overwritten.
    answer_versions: dict[str, int] = field(default_factory=dict)

    def saved_text(self, key: str) -> str:
        """A script field's saved value as text, as its editor shows it: the fields kept in the
        call's own columns (``calls.lifecycle.CALL_COLUMNS``), else the note saved under ``key``."""
        if key == "keep_in_touch":
            return {True: "yes", False: "no", None: ""}[self.keep_in_touch]
        if key == "next_contact":
            return self.next_contact.isoformat() if self.next_contact else ""
        if key in ("accepts_help", "customer_answer", "outcome"):
            return getattr(self, key)
        return self.answers.get(key, "")


@dataclass(frozen=True)
class SheetBatch:
    """The action sheets to print as one PDF (``reports/batch.py``): in order, with our name.

    ``details`` may be filled as it is read — one call per item, fetched when the layout
    reaches it — so a long batch can show progress and stop promptly when cancelled; read each
    item once.
    """

    company_name: str
    details: Sequence[CallDetail]


# --- one customer as the roster shows it (built from a plain read by the first paint too) ---


ZERO = Decimal("0")


@dataclass(slots=True)
class RosterRow:
    id: int
    external_id: str
    company: str
    contact_name: str
    phone: str
    email: str
    status: str
    segment: str
    owner: str
    last_purchase: dt.date | None
    orders_count: int
    total_revenue: Decimal
    yearly_revenue: Decimal
    value_lost: Decimal
    priority: float
    priority_reason: str
    decision: str
    decision_reason: str
    verify_contact: bool
    contact_verified_on: dt.date | None
    version: int = 1  # the decision's version when read: a decision saved names it (roster.decisions)

    @property
    def value(self) -> Decimal:
        """The yearly business they stand for: yearly revenue, else the value lost."""
        return self.yearly_revenue if self.yearly_revenue > 0 else self.value_lost


FIELDS = tuple(f.name for f in fields(RosterRow))


def roster_row(v: Sequence) -> RosterRow:
    """A row from the customers table's columns in :data:`FIELDS` order; NULL reads as empty."""
    return RosterRow(
        v[0],
        v[1] or "",
        v[2],
        v[3] or "",
        v[4] or "",
        v[5] or "",
        v[6],
        v[7] or "",
        v[8] or "",
        v[9],
        int(v[10] or 0),
        v[11] if v[11] is not None else ZERO,
        v[12] if v[12] is not None else ZERO,
        v[13] if v[13] is not None else ZERO,
        float(v[14] or 0),
        v[15] or "",
        v[16],
        v[17] or "",
        bool(v[18]),
        v[19],
        int(v[20]) if len(v) > 20 and v[20] is not None else 1,
    )
