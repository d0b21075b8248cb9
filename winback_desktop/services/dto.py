"""Plain data handed from services to the UI, CLI and reports (never live ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class CallSummary:
    id: int
    status: str
    when: dt.datetime | None
    caller_name: str
    outcome: str
    current_stage: str


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
