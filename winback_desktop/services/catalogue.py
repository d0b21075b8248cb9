"""Reference data: departure reasons, help options. (People: ``people/team.py``; settings:
``settings.py``.)"""

from __future__ import annotations

import tomllib

from sqlalchemy import func, select

from winback_desktop.resources import resource_path
from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import ReasonInfo
from winback_desktop.store.connection import retried, transaction
from winback_desktop.store.models import DepartureReason, HelpOption


@retried  # desks of a new team starting at once: one seeds, the others find it seeded
def ensure_catalogue(ctx: AppContext) -> None:
    """Seed the reason taxonomy and help options into an empty database (idempotent)."""
    with transaction(ctx.sessions) as s:
        if s.scalar(select(func.count()).select_from(DepartureReason)):
            return
        data = tomllib.loads(resource_path("catalogue.toml").read_text(encoding="utf-8"))
        s.add_all(DepartureReason(code=c, label=label, category=cat) for c, label, cat in data["reasons"])
        s.add_all(HelpOption(code=c, label=label, description=d) for c, label, d in data["help_options"])


def reasons(ctx: AppContext) -> list[ReasonInfo]:
    with ctx.sessions() as s:
        rows = s.scalars(select(DepartureReason).where(DepartureReason.active).order_by(DepartureReason.id))
        return [ReasonInfo(r.id, r.code, r.label, r.category) for r in rows]


def help_options(ctx: AppContext) -> list[tuple[int, str, str]]:
    with ctx.sessions() as s:
        rows = s.scalars(select(HelpOption).where(HelpOption.active).order_by(HelpOption.id))
        return [(o.id, o.label, o.description) for o in rows]
