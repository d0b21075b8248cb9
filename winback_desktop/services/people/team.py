"""The team: executives, recovery callers and partners; who is using the app.

People are retired, never deleted: their calls, attempts and follow-ups keep their names, and
they leave the pickers (``list_people`` without ``include_retired``).
Who is using this desk is remembered in the desk's own config (``winback_desktop/desk.py``),
not in the shared database; a retired or missing person there counts as no current user.
Versions before the desk config kept it in a ``current_user_id`` settings row: until someone is
chosen on a desk, it takes that row (once: then the desk config has it), so an upgrade keeps who
is here. The row is never written again.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from winback_desktop import desk
from winback_desktop.services import settings
from winback_desktop.services.changes import Change, reports
from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import PersonInfo
from winback_desktop.services.errors import get_or_raise
from winback_desktop.services.vocab import ActionStatus, CallStatus, Role
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import ActionItem, Call, Person, utcnow
from winback_desktop.store.portable import folded_order

log = logging.getLogger(__name__)

NAME_MAX, TITLE_MAX, EMAIL_MAX = 200, 120, 200
# A practical shape check, not RFC 5322: one @, a dotted domain, nothing that breaks a mailto:
# URI or a list of addresses (spaces, commas, semicolons, angle brackets, quotes).
_EMAIL = re.compile(r"^[^@\s,;:<>()\[\]\"\\]+@[^@\s,;:<>()\[\]\"\\.]+(\.[^@\s,;:<>()\[\]\"\\.]+)+$")
EDITABLE = ("name", "role", "title", "email")


@dataclass(frozen=True)
class PersonRecord(PersonInfo):
    """A person with everything the team screen shows (is-a PersonInfo for the pickers)."""

    email: str = ""
    active: bool = True

    @property
    def role_label(self) -> str:
        return Role.label_of(self.role)


@dataclass(frozen=True)
class RetireResult:
    """What a retired person still has in front of them, for the UI to hand over."""

    person_id: int
    scheduled_calls: int  # scheduled calls still led or partnered by them
    open_actions: int  # open follow-ups they own


def _record(p: Person) -> PersonRecord:
    return PersonRecord(p.id, p.name, p.title or "", p.role, p.email or "", bool(p.active))


def _clean_name(name: str) -> str:
    # NUL characters go before the check: a name of nothing else is no name (see store.portable).
    name = " ".join(str(name or "").replace("\x00", "").split())
    if not name:
        raise ValueError("a person needs a name")
    if len(name) > NAME_MAX:
        raise ValueError(f"a name is at most {NAME_MAX} characters")
    return name


def _clean_role(role: str) -> str:
    if role not in Role.values():
        raise ValueError(f"role must be one of {', '.join(Role)}, not {role!r}")
    return role


def _clean_title(title: str) -> str:
    title = " ".join(str(title or "").split())
    if len(title) > TITLE_MAX:
        raise ValueError(f"a title is at most {TITLE_MAX} characters")
    return title


def clean_email(email: str) -> str:
    """The address trimmed, or ValueError when it does not look like one ('' is allowed)."""
    email = str(email or "").strip()
    if email and (len(email) > EMAIL_MAX or not _EMAIL.match(email)):
        raise ValueError(f"{email!r} does not look like an email address (name@example.com)")
    return email


def list_people(
    ctx: AppContext, role: str | None = None, include_retired: bool = False
) -> list[PersonRecord]:
    """People by name; the active ones only unless ``include_retired`` (then active first)."""
    if role is not None:
        _clean_role(role)
    q = select(Person)
    if role is not None:
        q = q.where(Person.role == role)
    if include_retired:
        q = q.order_by(Person.active.desc(), folded_order(Person.name), Person.id)
    else:
        q = q.where(Person.active).order_by(folded_order(Person.name), Person.id)
    with ctx.sessions() as s:
        return [_record(p) for p in s.scalars(q)]


def get_person(ctx: AppContext, person_id: int) -> PersonRecord:
    with ctx.sessions() as s:
        p = get_or_raise(s, Person, person_id)
        return _record(p)


def new_person(name: str, role: str, title: str = "", email: str = "") -> Person:
    """A checked, cleaned Person row for the caller's transaction to add (the sample data adds
    its team in one batch). ValueError on an empty name, unknown role or bad email."""
    return Person(
        name=_clean_name(name),
        role=_clean_role(role),
        title=_clean_title(title),
        email=clean_email(email),
        active=True,
    )


@reports(Change.PEOPLE)
def add_person(ctx: AppContext, name: str, role: str, title: str = "", email: str = "") -> int:
    """Add a person; returns their id. ValueError on an empty name, unknown role or bad email."""
    person = new_person(name, role, title, email)
    with transaction(ctx.sessions) as s:
        s.add(person)
        s.flush()
        return person.id


@reports(Change.PEOPLE)
def edit_person(ctx: AppContext, person_id: int, **changes: str) -> PersonRecord:
    """Change a person's name, role, title or email (validated as for ``add_person``)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(
            f"cannot change {', '.join(sorted(unknown))} of a person "
            f"(one of {', '.join(EDITABLE)}; use retire_person to retire)"
        )
    cleaners = {"name": _clean_name, "role": _clean_role, "title": _clean_title, "email": clean_email}
    values = {key: cleaners[key](value) for key, value in changes.items()}
    with transaction(ctx.sessions) as s:
        p = get_or_raise(s, Person, person_id)
        for key, value in values.items():
            setattr(p, key, value)
        return _record(p)


def _set_active(ctx: AppContext, person_id: int, active: bool) -> None:
    with transaction(ctx.sessions) as s:
        p = get_or_raise(s, Person, person_id)
        p.active = active


def open_work(ctx: AppContext, person_id: int) -> RetireResult:
    """What is still in a person's name: booked calls to come and open follow-ups. Read before
    retiring them, so the UI can ask first."""
    with ctx.sessions() as s:
        calls = s.scalar(
            select(func.count())
            .select_from(Call)
            .where(
                Call.status == CallStatus.SCHEDULED,
                Call.scheduled_at >= utcnow(),
                or_(Call.caller_id == person_id, Call.partner_id == person_id),
            )
        )
        actions = s.scalar(
            select(func.count())
            .select_from(ActionItem)
            .where(ActionItem.owner_id == person_id, ActionItem.status == ActionStatus.OPEN)
        )
    return RetireResult(person_id, int(calls or 0), int(actions or 0))


@reports(Change.PEOPLE)
def retire_person(ctx: AppContext, person_id: int) -> RetireResult:
    """Retire a person: history stays, pickers stop offering them.

    Their scheduled calls and open follow-ups are left as they are (counted in the result, as
    :func:`open_work` counts them) so the UI can offer to hand them over.
    """
    _set_active(ctx, person_id, False)
    return open_work(ctx, person_id)


@reports(Change.PEOPLE)
def unretire_person(ctx: AppContext, person_id: int) -> None:
    """Bring a retired person back into the pickers."""
    _set_active(ctx, person_id, True)


unretire = unretire_person


def _remember(ctx: AppContext, config: desk.DeskConfig, person_id: int | None) -> None:
    # A desk config that cannot be written (a read-only home) must not stop the work: the
    # choice is then not remembered, and the log says why.
    try:
        desk.save(ctx.paths, config.with_current_user(desk.database_key(ctx.paths), person_id))
    except OSError as exc:
        log.warning("could not write the desk config %s: %s", ctx.paths.desk_config, exc)


def remembered_user_id(ctx: AppContext) -> int | None:
    """The person id this desk remembers for this database (unchecked; None when none)."""
    config = desk.load(ctx.paths)
    database = desk.database_key(ctx.paths)
    if config.knows(database):
        return config.current_user(database)
    # Not chosen on this desk yet: take the old settings row, once (written, it is ours).
    person_id = settings.legacy_current_user_id(ctx)
    if person_id is not None:
        _remember(ctx, config, person_id)
    return person_id


def current_user(ctx: AppContext) -> PersonRecord | None:
    """The remembered user, or None (none set, unknown id, or retired)."""
    person_id = remembered_user_id(ctx)
    if person_id is None:
        return None
    with ctx.sessions() as s:
        p = s.get(Person, person_id)
        return _record(p) if p is not None and p.active else None


@reports(Change.PEOPLE)
def set_current_user(ctx: AppContext, person_id: int | None) -> None:
    """Remember who uses this desk (None forgets); only an active person can be picked."""
    if person_id is not None:
        person = get_person(ctx, person_id)
        if not person.active:
            raise ValueError(f"{person.name} is retired; pick an active person")
    _remember(ctx, desk.load(ctx.paths), person_id)
