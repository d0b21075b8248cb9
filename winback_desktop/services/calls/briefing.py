"""Everything the caller should know before a recovery call, gathered in one read.

:func:`briefing_data` returns a plain :class:`Briefing` (no live ORM rows): who the customer is,
what they bought and when they stopped, why they are on the list, every earlier attempt and call,
the reasons already heard, the promises still open, who leads the call, and the four stages of
the script the call uses. The one-page PDF (``reports/briefing.py``) and an on-screen view both
read from it; lists are complete here and clipped only where they are shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from winback_desktop.formats import money_whole, short_date
from winback_desktop.script import OUTCOME_FIELD, CallScript, ScriptError, fill, load_script_text
from winback_desktop.services import clock, settings
from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import ActionInfo, PersonInfo, ReasonInfo
from winback_desktop.services.errors import get_or_raise
from winback_desktop.services.roster.card import action_info
from winback_desktop.services.vocab import ActionStatus, CallStatus, Decision, Disposition
from winback_desktop.store.models import (
    ActionItem,
    Call,
    CallAttempt,
    CallReason,
    Customer,
    DepartureReason,
    Order,
    Person,
    RescueCycle,
    StageAnswer,
)

PARTNER_STAGE, PARTNER_FIELD = "partner", "partner_notes"  # the partner's own logistics notes
RECENT_ORDERS = 5


@dataclass(frozen=True)
class OrderLine:
    date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class AttemptLine:
    when: dt.datetime  # naive UTC, as stored
    who: str
    disposition: str  # the code: reached / no_answer / voicemail / wrong_number / call_back
    disposition_label: str
    note: str
    call_back_at: dt.datetime | None = None


@dataclass(frozen=True)
class EarlierCall:
    id: int
    when: dt.datetime | None  # naive UTC: started, else scheduled
    who: str
    status: str
    outcome: str  # the code; outcome_label in words
    outcome_label: str
    primary_reason: str  # the reason's label, "" when none was recorded
    summary: str  # one line from what was heard back (or what they said happened)


@dataclass(frozen=True)
class KnownReason:
    reason: ReasonInfo
    calls: int  # how many earlier calls named it
    primary: bool  # named as the main reason at least once


@dataclass(frozen=True)
class StageCard:
    key: str
    title: str
    goal: str
    first_line: str  # placeholders filled for this call


@dataclass
class Briefing:
    """One call's pre-call brief, as plain data."""

    call_id: int
    call_status: str
    scheduled_at: dt.datetime | None  # naive UTC; for a call already under way, when it started
    duration_minutes: int
    leader: PersonInfo | None
    partner: PersonInfo | None
    cycle_name: str
    # who the customer is
    customer_id: int
    company: str
    contact_name: str
    contact_title: str
    phone: str
    email: str
    external_id: str
    segment: str
    owner: str
    status: str
    decision: str
    decision_label: str
    decision_reason: str
    verify_contact: bool
    # what they bought and when they stopped
    first_purchase: dt.date | None
    last_purchase: dt.date | None
    months_since: int | None
    orders_count: int
    total_revenue: Decimal
    yearly_revenue: Decimal
    value_lost: Decimal
    recent_orders: list[OrderLine] = field(default_factory=list)
    orders_on_file: int = 0
    # why they are here
    priority: float = 0.0
    priority_reason: str = ""
    # history
    attempts: list[AttemptLine] = field(default_factory=list)  # newest first
    earlier_calls: list[EarlierCall] = field(default_factory=list)  # newest first
    known_reasons: list[KnownReason] = field(default_factory=list)
    open_promises: list[ActionInfo] = field(default_factory=list)  # by due date, undated last
    partner_notes: str = ""
    # the call itself
    script_name: str = ""
    stages: list[StageCard] = field(default_factory=list)
    our_company: str = ""
    today: dt.date = field(default_factory=clock.today)

    def is_overdue(self, item: ActionInfo) -> bool:
        return item.status == ActionStatus.OPEN and item.due_date is not None and item.due_date < self.today


def months_between(start: dt.date | None, today: dt.date) -> int | None:
    """Whole calendar months from ``start`` to ``today`` (never negative)."""
    if start is None:
        return None
    months = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        months -= 1
    return max(months, 0)


_HONORIFICS = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "herr", "frau", "mme", "m"}


def first_name(name: str) -> str:
    """The name to greet someone by: "Dr Mark Holloway" -> "Mark" (a lone title stays)."""
    words = name.split()
    while len(words) > 1 and words[0].rstrip(".").casefold() in _HONORIFICS:
        words = words[1:]
    return words[0] if words else ""


def _person(p: Person | None) -> PersonInfo | None:
    return PersonInfo(p.id, p.name, p.title, p.role) if p else None


def _one_line(text: str, limit: int = 240) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _script(ctx: AppContext, snapshot: str, call_id: int) -> CallScript:
    if snapshot.strip():
        try:
            return load_script_text(snapshot, f"call {call_id} script snapshot", legacy_roles=True)
        except ScriptError:
            pass
    return ctx.script


def _said_keys(script: CallScript) -> tuple[str, ...]:
    """The notes that sum up what a call heard, best first: the repeat-back (the field the
    script prefills from their own words), then those words."""
    for stage in script.stages:
        for f in stage.fields:
            if f.prefill_from:
                return (f.key, *f.prefill_from)
    return ()


def _words(code: str) -> str:
    """A code the vocabulary (or script) has no words for, as words: "call_back" -> "Call back"."""
    return code.replace("_", " ").capitalize()


def _stage_cards(script: CallScript, values: dict[str, str]) -> list[StageCard]:
    return [
        StageCard(s.key, s.title, s.goal, fill(s.lines[0], values) if s.lines else "") for s in script.stages
    ]


def briefing_data(ctx: AppContext, call_id: int, *, today: dt.date | None = None) -> Briefing:
    """Gather the brief for call ``call_id``; LookupError "no call with id N" when there is none."""
    today = today or clock.today()
    with ctx.sessions() as s:
        call = get_or_raise(s, Call, call_id)
        c = s.get(Customer, call.customer_id)
        assert c is not None  # a foreign key
        script = _script(ctx, call.script_snapshot or "", call_id)
        b = _call_and_customer(s, call, c, script, today)
        b.partner_notes = _partner_notes(s, call_id)
        b.recent_orders, b.orders_on_file = _orders(s, c.id)
        b.attempts = _attempts(s, c.id)
        b.earlier_calls, b.known_reasons = _earlier_calls(s, c.id, call_id, script)
        b.open_promises = _open_promises(s, c.id)
    b.stages = _stage_cards(script, _placeholders(ctx, b))
    b.our_company = settings.configured_company_name(ctx)
    return b


def _call_and_customer(s: Session, call: Call, c: Customer, script: CallScript, today: dt.date) -> Briefing:
    """The brief with the call and the customer filled in; the lists come after."""
    cycle_name = ""
    if call.cycle_id is not None:
        cycle_name = s.scalar(select(RescueCycle.name).where(RescueCycle.id == call.cycle_id)) or ""
    return Briefing(
        call_id=call.id,
        call_status=call.status,
        scheduled_at=call.scheduled_at or call.started_at,
        duration_minutes=call.duration_minutes or 0,
        leader=_person(call.caller),
        partner=_person(call.partner),
        cycle_name=cycle_name,
        customer_id=c.id,
        company=c.company,
        contact_name=c.contact_name or "",
        contact_title=c.contact_title or "",
        phone=c.phone or "",
        email=c.email or "",
        external_id=c.external_id or "",
        segment=c.segment or "",
        owner=c.owner or "",
        status=c.status,
        decision=c.decision,
        decision_label=Decision(c.decision).phrase if c.decision in Decision.values() else c.decision,
        decision_reason=c.decision_reason or "",
        verify_contact=bool(c.verify_contact),
        first_purchase=c.first_purchase,
        last_purchase=c.last_purchase,
        months_since=months_between(c.last_purchase, today),
        orders_count=c.orders_count or 0,
        total_revenue=c.total_revenue or Decimal("0"),
        yearly_revenue=c.yearly_revenue or Decimal("0"),
        value_lost=c.value_lost or Decimal("0"),
        priority=float(c.priority or 0.0),
        priority_reason=c.priority_reason or "",
        script_name=" ".join(x for x in (script.name, script.version) if x),
        today=today,
    )


def _partner_notes(s: Session, call_id: int) -> str:
    """The partner's own logistics notes on this call."""
    return (
        s.scalar(
            select(StageAnswer.value).where(
                StageAnswer.call_id == call_id,
                StageAnswer.stage == PARTNER_STAGE,
                StageAnswer.field == PARTNER_FIELD,
            )
        )
        or ""
    )


def _orders(s: Session, customer_id: int) -> tuple[list[OrderLine], int]:
    """The newest orders (at most RECENT_ORDERS), and how many are on file in all."""
    orders = [
        OrderLine(d, a)
        for d, a in s.execute(
            select(Order.order_date, Order.amount)
            .where(Order.customer_id == customer_id)
            .order_by(Order.order_date.desc(), Order.id.desc())
            .limit(RECENT_ORDERS)
        )
    ]
    on_file = s.scalar(select(func.count()).where(Order.customer_id == customer_id)) or 0
    return orders, on_file


def _attempts(s: Session, customer_id: int) -> list[AttemptLine]:
    """Every attempt to reach the customer, newest first."""
    return [
        AttemptLine(
            a.attempted_at,
            name or "",
            a.disposition,
            Disposition.label_of(a.disposition, _words(a.disposition)),
            a.note or "",
            a.call_back_at,
        )
        for a, name in s.execute(
            select(CallAttempt, Person.name)
            .outerjoin(Person, Person.id == CallAttempt.person_id)
            .where(CallAttempt.customer_id == customer_id)
            .order_by(CallAttempt.attempted_at.desc(), CallAttempt.id.desc())
        )
    ]


def _earlier_calls(
    s: Session, customer_id: int, call_id: int, script: CallScript
) -> tuple[list[EarlierCall], list[KnownReason]]:
    """The customer's other calls that got under way (newest first), and the reasons they heard."""
    said_keys = _said_keys(script)
    when = func.coalesce(Call.started_at, Call.scheduled_at)
    rows = s.execute(
        select(Call, Person.name)
        .outerjoin(Person, Person.id == Call.caller_id)
        .where(Call.customer_id == customer_id, Call.id != call_id, Call.status != CallStatus.SCHEDULED)
        .order_by(when.desc().nulls_last(), Call.id.desc())
    ).all()
    ids = [row[0].id for row in rows]
    primary_of, known = _reasons_heard(s, ids)
    notes = _notes_heard(s, ids, said_keys)
    earlier = []
    for call_row, name in rows:
        said = notes.get(call_row.id, {})
        summary = next(
            (said[k] for k in said_keys if said.get(k, "").strip()),
            "",
        )
        earlier.append(
            EarlierCall(
                call_row.id,
                call_row.started_at or call_row.scheduled_at,
                name or "",
                call_row.status,
                call_row.outcome,
                script.choice_label(OUTCOME_FIELD, call_row.outcome) or _words(call_row.outcome),
                primary_of.get(call_row.id, ""),
                _one_line(summary),
            )
        )
    return earlier, known


@dataclass
class _Heard:
    """One reason, tallied over the earlier calls."""

    info: ReasonInfo
    calls: int = 0
    primary: bool = False
    newest: int = 10**9  # the position of the newest call that named it


def _reasons_heard(s: Session, call_ids: list[int]) -> tuple[dict[int, str], list[KnownReason]]:
    """(call id -> the label of its main reason, every reason named: main ones first, then the
    most often named, then the most recently named)."""
    rows = s.execute(
        select(CallReason.call_id, CallReason.is_primary, DepartureReason)
        .join(DepartureReason, DepartureReason.id == CallReason.reason_id)
        .where(CallReason.call_id.in_(call_ids))
    ).all()
    primary_of: dict[int, str] = {}
    tally: dict[int, _Heard] = {}  # by reason id
    position = {cid: i for i, cid in enumerate(call_ids)}
    for cid, is_primary, r in rows:
        if is_primary:
            primary_of[cid] = r.label
        heard = tally.setdefault(r.id, _Heard(ReasonInfo(r.id, r.code, r.label, r.category)))
        heard.calls += 1
        heard.primary = heard.primary or bool(is_primary)
        heard.newest = min(heard.newest, position[cid])
    ranked = sorted(tally.values(), key=lambda h: (not h.primary, -h.calls, h.newest))
    return primary_of, [KnownReason(h.info, h.calls, h.primary) for h in ranked]


def _notes_heard(s: Session, call_ids: list[int], said_keys: tuple[str, ...]) -> dict[int, dict[str, str]]:
    """call id -> the notes (of ``said_keys``) that sum up what it heard."""
    notes: dict[int, dict[str, str]] = {}
    for cid, key, text in s.execute(
        select(StageAnswer.call_id, StageAnswer.field, StageAnswer.value).where(
            StageAnswer.call_id.in_(call_ids),
            StageAnswer.field.in_(said_keys),
        )
    ):
        notes.setdefault(cid, {})[key] = text or ""
    return notes


def _open_promises(s: Session, customer_id: int) -> list[ActionInfo]:
    """The customer's open action items, by due date (undated last)."""
    return [
        action_info(a, name)
        for a, name in s.execute(
            select(ActionItem, Person.name)
            .outerjoin(Person, Person.id == ActionItem.owner_id)
            .where(ActionItem.customer_id == customer_id, ActionItem.status == ActionStatus.OPEN)
            .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
        )
    ]


def _placeholders(ctx: AppContext, b: Briefing) -> dict[str, str]:
    """What the stage cards' first lines fill in, as the call window does."""
    leader = b.leader
    return {
        "customer": b.company,
        "contact": b.contact_name,
        "contact_first": first_name(b.contact_name),
        "caller": leader.name if leader else "",
        "caller_title": leader.title if leader else "",
        "company": settings.company_name(ctx),
        "months": str(b.months_since) if b.months_since is not None else "",
        "last_purchase": short_date(b.last_purchase, empty=""),
        "value": money_whole(b.value_lost),
    }
