"""Settings rows written straight into the database, as an older version or a hand edit left them."""

from __future__ import annotations

from winback_desktop.services.context import AppContext
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Setting


def store_raw(ctx: AppContext, key: str, value: str) -> None:
    with transaction(ctx.sessions) as s:
        s.merge(Setting(key=key, value=value))


def raw(ctx: AppContext, key: str) -> str | None:
    with ctx.sessions() as s:
        row = s.get(Setting, key)
        return None if row is None else row.value
