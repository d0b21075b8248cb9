"""Realistic sample data for ``winback demo``: lapsed customers, people, calls and follow-ups.

The content lives in ``resources/sample/`` (customers.csv, calls.toml) with every date relative
to today, so a freshly loaded sample always looks current. Calls are made through the same
services the call window uses; only their clock times are moved into the past afterwards.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import logging
import random
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, func, select, update

from winback_desktop.formats import count
from winback_desktop.resources import resource_path
from winback_desktop.services import clock, settings
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.changes import Change, reports
from winback_desktop.services.context import AppContext
from winback_desktop.services.followups import board
from winback_desktop.services.people import team
from winback_desktop.services.schedule import booking
from winback_desktop.services.vocab import CustomerStatus, Role
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import (
    ActionItem,
    Call,
    Customer,
    DepartureReason,
    HelpOption,
    Order,
    Person,
    StageAnswer,
)

log = logging.getLogger(__name__)

SEED = 20240607  # fixed: the same sample every time
CUSTOMER_COLUMNS = (
    "external_id",
    "company",
    "contact_name",
    "contact_title",
    "phone",
    "email",
    "value_lost",
    "months_ago",
    "segment",
    "status",
    "notes",
)
NOTE_KINDS = ("text", "line")


@dataclass(frozen=True)
class DemoSummary:
    customers: int
    people: int
    completed_calls: int
    scheduled_calls: int
    action_items: int

    def __str__(self) -> str:
        return (
            f"Loaded sample data: {count(self.customers, 'customer')}, "
            f"{count(self.people, 'person', 'people')}, {count(self.completed_calls, 'completed call')}, "
            f"{count(self.scheduled_calls, 'scheduled call')}, {count(self.action_items, 'action item')}."
        )


class SampleError(ValueError):
    """The bundled sample files do not fit the schema, the script or the catalogue."""


# --- reading the sample files ------------------------------------------------------------------


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _read_customers(today: dt.date) -> list[dict[str, Any]]:
    path = resource_path("sample", "customers.csv")
    rng = random.Random(SEED)
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != CUSTOMER_COLUMNS:
            raise SampleError(f"{path.name}: the header must be {', '.join(CUSTOMER_COLUMNS)}")
        for row in reader:
            where = f"{path.name}, line {reader.line_num}"
            try:
                value = Decimal(row["value_lost"])
                months = int(row["months_ago"])
            except (InvalidOperation, ValueError, TypeError):
                raise SampleError(f"{where}: value_lost and months_ago must be numbers") from None
            if row["status"] not in CustomerStatus.values() or not row["company"].strip():
                raise SampleError(f"{where}: needs a company and a status in {CustomerStatus.values()}")
            # A little jitter so the last purchases do not all fall on today's day of the month.
            last = _months_before(today, months) - dt.timedelta(days=rng.randint(0, 20))
            rows.append(
                {
                    "external_id": row["external_id"].strip() or None,
                    "company": row["company"].strip(),
                    "contact_name": row["contact_name"].strip(),
                    "contact_title": row["contact_title"].strip(),
                    "phone": row["phone"].strip(),
                    "email": row["email"].strip(),
                    "value_lost": value,
                    "last_purchase": last,
                    "segment": row["segment"].strip(),
                    "status": row["status"],
                    "notes": row["notes"].strip(),
                }
            )
    ids = [r["external_id"] for r in rows if r["external_id"]]
    if len(ids) != len(set(ids)):
        raise SampleError(f"{path.name}: external ids must be unique")
    return rows


def _read_calls() -> dict[str, Any]:
    path = resource_path("sample", "calls.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SampleError(f"{path.name}: not valid TOML: {exc}") from None
    for key in ("people", "completed", "scheduled"):
        if not isinstance(data.get(key), list):
            raise SampleError(f"{path.name}: [[{key}]] tables are missing")
    return data


def _check(
    ctx: AppContext,
    customers: list[dict[str, Any]],
    data: dict[str, Any],
    reason_ids: dict[str, int],
    option_ids: dict[str, int],
) -> None:
    """Refuse a sample that refers to anything unknown, before a single row is written."""
    ext_ids = {c["external_id"] for c in customers}
    people = {p.get("key"): p for p in data["people"]}
    for p in data["people"]:
        if p.get("role") not in Role.values() or not str(p.get("name", "")).strip():
            raise SampleError(
                f"calls.toml: person {p.get('key')!r} needs a name and a role in {list(Role.values())}"
            )
    script_fields = {f.key: f for stage in ctx.script.stages for f in stage.fields}
    for kind in ("completed", "scheduled"):
        for i, c in enumerate(data[kind]):
            where = f"calls.toml: [[{kind}]] #{i + 1}"
            if c.get("customer") not in ext_ids:
                raise SampleError(f"{where}: no customer with external id {c.get('customer')!r}")
            if c.get("caller") is None:
                raise SampleError(f"{where}: a call needs a caller")
            for role in ("caller", "partner"):
                if c.get(role) is not None and c[role] not in people:
                    raise SampleError(f"{where}: no person with key {c[role]!r}")
            for a in c.get("actions", []):
                if a.get("owner") not in people:
                    raise SampleError(f"{where}: action owner {a.get('owner')!r} is not a person")
            codes = [c.get("primary_reason"), *c.get("other_reasons", [])]
            for code in (x for x in codes if x is not None):
                if code not in reason_ids:
                    raise SampleError(f"{where}: unknown departure reason {code!r}")
            for code in c.get("offers", []):
                if code not in option_ids:
                    raise SampleError(f"{where}: unknown help option {code!r}")
            for key in c.get("notes", {}):
                f = script_fields.get(key)
                if f is None or f.kind not in NOTE_KINDS:
                    raise SampleError(f"{where}: {key!r} is not a note field of the call script")
            for f in script_fields.values():
                if f.kind == "choice" and f.key in c and c[f.key] not in {v for v, _ in f.choices}:
                    raise SampleError(f"{where}: {c[f.key]!r} is not a choice of {f.key!r}")


# --- dates and times ---------------------------------------------------------------------------


def _weekday(day: dt.date, step: int) -> dt.date:
    """``day``, moved by ``step`` (+1 or -1) day at a time until it is a weekday."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=step)
    return day


def _utc(day: dt.date, hhmm: str) -> dt.datetime:
    """A local wall-clock time as the naive UTC the database stores."""
    return clock.to_store(dt.datetime.combine(day, dt.time.fromisoformat(hhmm)))


# --- loading -----------------------------------------------------------------------------------


@reports(*Change)
def load_demo(ctx: AppContext, *, today: dt.date | None = None) -> DemoSummary:
    """Load the sample into a database that has no customers yet; refuse (ValueError) otherwise."""
    today = today or dt.date.today()
    customers = _read_customers(today)
    data = _read_calls()
    with ctx.sessions() as s:
        reason_ids = dict(s.execute(select(DepartureReason.code, DepartureReason.id)).all())
        option_ids = dict(s.execute(select(HelpOption.code, HelpOption.id)).all())
    _check(ctx, customers, data, reason_ids, option_ids)

    with transaction(ctx.sessions) as s:
        existing = s.scalar(select(func.count()).select_from(Customer)) or 0
        if existing:
            raise ValueError(
                f"the database already has {count(existing, 'customer')}; "
                "sample data loads only into an empty database"
            )
        customer_rows = [Customer(**row) for row in customers]
        person_rows = {
            p["key"]: team.new_person(p["name"], p["role"], p.get("title", ""), p.get("email", ""))
            for p in data["people"]
        }
        s.add_all(customer_rows)
        s.add_all(person_rows.values())
        s.flush()  # one batched INSERT per table
        customer_ids = {c.external_id: c.id for c in customer_rows}
        person_ids = {key: p.id for key, p in person_rows.items()}

    try:
        _order_history(ctx, customers, customer_ids)
        n_actions = 0
        for c in data["completed"]:
            n_actions += _completed_call(ctx, c, today, customer_ids, person_ids, reason_ids, option_ids)
        for c in data["scheduled"]:
            day = _weekday(today + dt.timedelta(days=int(c["days_ahead"])), +1)
            # Booked as a user books: checked, and a double booking is only a warning.
            booking.schedule_call(
                ctx,
                customer_ids[c["customer"]],
                dt.datetime.combine(day, dt.time.fromisoformat(c["time"])),  # local wall-clock time
                booking.DEFAULT_MINUTES,
                person_ids[c["caller"]],
                person_ids.get(c.get("partner")),
            )
    except BaseException:
        _remove(ctx, list(customer_ids.values()), list(person_ids.values()))
        raise

    name = str(data.get("company_name", "")).strip()
    if name and settings.company_name(ctx) == settings.COMPANY_NAME.default:
        settings.set_company_name(ctx, name)
    from winback_desktop.services import roster

    roster.refresh(ctx, as_of=today)
    return DemoSummary(
        customers=len(customer_ids),
        people=len(person_ids),
        completed_calls=len(data["completed"]),
        scheduled_calls=len(data["scheduled"]),
        action_items=n_actions,
    )


ORDERS_PER_YEAR = {"Wholesale": 24, "Hospitality": 18, "Retail": 12, "Institutional": 10}


def _order_history(
    ctx: AppContext, customers: list[dict[str, Any]], customer_ids: dict[str | None, int]
) -> None:
    """A plausible order history per sample customer, so the roster's frequency and the derived
    figures are real: the last twelve months add up to the customer's yearly value exactly, and
    one to three earlier years run at 80-110 % of it."""
    from sqlalchemy import insert

    from winback_desktop.services.imports.write import recompute

    rng = random.Random(SEED)
    rows = []
    for c in customers:
        cid, last, value = customer_ids[c["external_id"]], c["last_purchase"], Decimal(c["value_lost"])
        per_year = max(4, round(ORDERS_PER_YEAR.get(c.get("segment", ""), 12) * rng.uniform(0.6, 1.3)))
        step = 365 // per_year
        for year in range(1 + rng.randint(1, 3)):
            total = (
                value if year == 0 else (value * Decimal(str(rng.uniform(0.8, 1.1)))).quantize(Decimal("1"))
            )
            share = (total / per_year).quantize(Decimal("0.01"))
            for i in range(per_year):
                amount = share if i < per_year - 1 else total - share * (per_year - 1)
                day = last - dt.timedelta(days=year * 365 + i * step)
                rows.append({"customer_id": cid, "order_date": day, "amount": amount})
    with ctx.engine.begin() as conn:
        conn.execute(insert(Order), rows)
        recompute(conn, customer_ids.values())


def _completed_call(
    ctx: AppContext,
    c: dict[str, Any],
    today: dt.date,
    customer_ids: dict[str | None, int],
    person_ids: dict[str, int],
    reason_ids: dict[str, int],
    option_ids: dict[str, int],
) -> int:
    """Make one call stage by stage, in script order, as a caller would; returns its action count."""
    partner = c.get("partner")
    call_id = calls.start_call(
        ctx,
        customer_ids[c["customer"]],
        person_ids[c["caller"]],
        None if partner is None else person_ids.get(partner),
    )
    notes: dict[str, str] = c.get("notes", {})
    done: list[tuple[int, dt.date]] = []
    for stage in ctx.script.stages:
        calls.set_stage(ctx, call_id, stage.key)
        for f in stage.fields:
            if f.kind in NOTE_KINDS and f.key in notes:
                calls.save_field(ctx, call_id, stage.key, f.key, notes[f.key].strip())
            elif f.kind == "choice" and f.key in c:
                calls.save_field(ctx, call_id, stage.key, f.key, c[f.key])
            elif f.kind == "date" and f"{f.key}_in_days" in c:
                when = today + dt.timedelta(days=int(c[f"{f.key}_in_days"]))
                calls.save_field(ctx, call_id, stage.key, f.key, when.isoformat())
            elif f.kind == "reasons":
                primary = c.get("primary_reason")
                calls.set_reasons(
                    ctx,
                    call_id,
                    reason_ids[primary] if primary else None,
                    [reason_ids[r] for r in c.get("other_reasons", [])],
                )
            elif f.kind == "offers":
                calls.set_offers(
                    ctx, call_id, [option_ids[o] for o in c.get("offers", [])], list(c.get("free_offers", []))
                )
            elif f.kind == "actions":
                for a in c.get("actions", []):
                    due = today + dt.timedelta(days=int(a["due_in_days"]))
                    action_id = calls.add_action(ctx, call_id, a["what"], person_ids[a["owner"]], due)
                    if a.get("done"):
                        board.mark_done(ctx, action_id, a["done"])
                        done.append((action_id, due))
    calls.finish_call(ctx, call_id)

    # The services stamp "now"; move the call to when it took place.
    started = _utc(_weekday(today - dt.timedelta(days=int(c["days_ago"])), -1), c["time"])
    ended = started + dt.timedelta(minutes=int(c["minutes"]))
    with transaction(ctx.sessions) as s:
        s.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(started_at=started, ended_at=ended, updated_at=ended)
        )
        s.execute(update(StageAnswer).where(StageAnswer.call_id == call_id).values(updated_at=ended))
        s.execute(update(ActionItem).where(ActionItem.call_id == call_id).values(created_at=ended))
        latest = _utc(today, "00:00")
        for action_id, due in done:
            done_at = min(max(_utc(due, "15:30"), ended + dt.timedelta(hours=2)), latest)
            s.execute(update(ActionItem).where(ActionItem.id == action_id).values(done_at=done_at))
    return len(c.get("actions", []))


def _remove(ctx: AppContext, customer_ids: list[int], person_ids: list[int]) -> None:
    """Take a half-loaded sample out again, so a failed load leaves the database as it was."""
    try:
        with transaction(ctx.sessions) as s:
            s.execute(delete(ActionItem).where(ActionItem.customer_id.in_(customer_ids)))
            s.execute(delete(Call).where(Call.customer_id.in_(customer_ids)))  # answers etc. cascade
            s.execute(delete(Order).where(Order.customer_id.in_(customer_ids)))
            s.execute(delete(Customer).where(Customer.id.in_(customer_ids)))
            s.execute(delete(Person).where(Person.id.in_(person_ids)))
    except Exception:  # keep the original error; this one only goes to the log
        log.exception("could not remove the half-loaded sample data")
