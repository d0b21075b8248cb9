"""Export the calls as CSV: one row per call, every note, reason, offer and action item.

UTF-8 with a BOM (so Excel reads accents right), comma-separated, minimal quoting. Every cell
goes through :func:`files.neutralize`, so no note typed on a call runs as a spreadsheet
formula. The file is written to a temporary file beside the target, then moved into place: a
failed export never leaves half a file, and an earlier export stays as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import aliased

from winback_desktop.files import atomic_write_csv
from winback_desktop.formats import iso_utc, yes_no
from winback_desktop.services.context import AppContext
from winback_desktop.store.models import (
    ActionItem,
    Call,
    CallOffer,
    CallReason,
    Customer,
    DepartureReason,
    HelpOption,
    Person,
    StageAnswer,
)

NOTE_KINDS = ("text", "line")
LIST_SEP = "; "
HEAD = [
    "call_id",
    "customer_external_id",
    "company",
    "contact",
    "caller",
    "partner",
    "status",
    "scheduled_at",
    "started_at",
    "ended_at",
    "script_name",
    "script_version",
]
TAIL = [
    "primary_reason",
    "other_reasons",
    "offers",
    "accepts_help",
    "customer_answer",
    "keep_in_touch",
    "next_contact",
    "outcome",
    "action_items",
]


def note_columns(ctx: AppContext, stored: Iterable[str] = ()) -> list[str]:
    """The note fields of the current script in order, then any other stored ones (older scripts)."""
    columns = [f.key for stage in ctx.script.stages for f in stage.fields if f.kind in NOTE_KINDS]
    return columns + sorted(set(stored) - set(columns) - set(HEAD) - set(TAIL))


def _rows(ctx: AppContext) -> tuple[list[str], list[list[str]]]:
    caller, partner = aliased(Person), aliased(Person)
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    primary: dict[int, str] = {}
    others: dict[int, list[str]] = defaultdict(list)
    offers: dict[int, list[str]] = defaultdict(list)
    actions: dict[int, list[str]] = defaultdict(list)
    # One session, so every query reads the same snapshot; six set-based queries in all.
    with ctx.sessions() as s:
        for call_id, key, value in s.execute(
            select(StageAnswer.call_id, StageAnswer.field, StageAnswer.value).order_by(StageAnswer.id)
        ):
            answers[call_id][key] = value
        for call_id, is_primary, label in s.execute(
            select(CallReason.call_id, CallReason.is_primary, DepartureReason.label)
            .join(DepartureReason, DepartureReason.id == CallReason.reason_id)
            .order_by(CallReason.call_id, DepartureReason.id)
        ):
            if is_primary:
                primary[call_id] = label
            else:
                others[call_id].append(label)
        for call_id, label, text in s.execute(
            select(CallOffer.call_id, HelpOption.label, CallOffer.text)
            .outerjoin(HelpOption, HelpOption.id == CallOffer.help_option_id)
            .order_by(CallOffer.call_id, CallOffer.help_option_id.is_(None), CallOffer.id)
        ):
            offers[call_id].append(label or text)
        for a, owner in s.execute(
            select(ActionItem, Person.name)
            .outerjoin(Person, Person.id == ActionItem.owner_id)
            .order_by(ActionItem.call_id, ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
        ):
            what = " ".join(a.what.split()) or "(no description)"
            due = a.due_date.isoformat() if a.due_date else "no due date"
            actions[a.call_id].append(f"{what} — {owner or 'no owner'} — {due} — {a.status}")
        calls = s.execute(
            select(
                Call, Customer.external_id, Customer.company, Customer.contact_name, caller.name, partner.name
            )
            .join(Customer, Customer.id == Call.customer_id)
            .outerjoin(caller, caller.id == Call.caller_id)
            .outerjoin(partner, partner.id == Call.partner_id)
            .order_by(Call.id)
        ).all()

    notes = note_columns(ctx, {k for fields in answers.values() for k in fields})
    header = HEAD + notes + TAIL
    rows = []
    for call, external_id, company, contact, caller_name, partner_name in calls:
        given = answers.get(call.id, {})
        rows.append(
            [
                str(call.id),
                external_id or "",
                company,
                contact,
                caller_name or "",
                partner_name or "",
                call.status,
                iso_utc(call.scheduled_at),
                iso_utc(call.started_at),
                iso_utc(call.ended_at),
                call.script_name,
                call.script_version,
                *(given.get(key, "") for key in notes),
                primary.get(call.id, ""),
                LIST_SEP.join(others.get(call.id, [])),
                LIST_SEP.join(offers.get(call.id, [])),
                call.accepts_help,
                call.customer_answer,
                yes_no(call.keep_in_touch),
                call.next_contact.isoformat() if call.next_contact else "",
                call.outcome,
                "\n".join(actions.get(call.id, [])),
            ]
        )
    return header, rows


def export_calls(ctx: AppContext, out: Path) -> int:
    """Write every call to ``out`` as CSV; returns the number of calls written."""
    header, rows = _rows(ctx)
    atomic_write_csv(out, header, rows)
    return len(rows)
