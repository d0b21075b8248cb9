"""The first start of a fresh database: our company's name and who is at this desk.

A first run is what the main window already shows as "No customers yet": no customers, no
people, and no company name set. Tests and the sample data are never first runs (the sample
names the company), so no setup is asked for there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from winback_desktop.services import settings
from winback_desktop.services.context import AppContext
from winback_desktop.services.people import team
from winback_desktop.store.models import Customer, Person


@dataclass(frozen=True)
class SetUp:
    company: str  # as stored ('' when left empty: calls then say "our company")
    person_id: int | None  # who is at this desk, when one was given


def is_first_run(ctx: AppContext) -> bool:
    if settings.stored(ctx, settings.COMPANY_NAME) is not None:
        return False
    with ctx.sessions() as s:
        people = s.scalar(select(func.count()).select_from(Person)) or 0
        customers = s.scalar(select(func.count()).select_from(Customer)) or 0
    return people == 0 and customers == 0


def set_up(
    ctx: AppContext,
    company: str,
    person_id: int | None = None,
    new_name: str = "",
    role: str = "caller",
    title: str = "",
) -> SetUp:
    """Store our company's name and who is at this desk: ``person_id`` (someone already on the
    team) or a new person ``new_name`` in ``role``. Checked before anything is written: a bad
    name or role is a ValueError and nothing changes."""
    company = settings.check_company_name(company)
    new_name = " ".join(new_name.split())
    if person_id is None and new_name:
        team.new_person(new_name, role, title)  # raises on a bad name or role, before any write
    settings.set_company_name(ctx, company)
    if person_id is None and new_name:
        person_id = team.add_person(ctx, new_name, role, title)
    if person_id is not None:
        team.set_current_user(ctx, person_id)
    return SetUp(settings.configured_company_name(ctx), person_id)
