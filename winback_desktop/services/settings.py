"""The shared database's settings, declared once: each with its key, type, default and rule.

The ``settings`` table holds text. Each :class:`Setting` here knows how to read its text (a
stored value this version cannot use reads as the default, with a warning in the log, so a
hand-edited or damaged row never stops the app) and what a good value is (writing a bad one
raises ValueError saying what is allowed). Read and write through the typed helpers
(``lapse_months(ctx)``, ``set_company_name(ctx, name)``) or the generic ``get`` / ``put``.

Who is using a desk is not a setting of the shared database: see ``winback_desktop/desk.py``.
Versions before it kept the current user in a ``current_user_id`` row; only
:func:`legacy_current_user_id` still reads that row, to carry it into the desk config once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import delete, select

from winback_desktop.importers.mapping import ColumnMap, header_key
from winback_desktop.services.changes import Change, reports
from winback_desktop.services.context import AppContext
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Setting as SettingRow

log = logging.getLogger(__name__)

T = TypeVar("T")

COMPANY_NAME_MAX = 200
LAPSE_MONTHS_MIN, LAPSE_MONTHS_MAX = 1, 1200
LEGACY_CURRENT_USER_KEY = "current_user_id"  # read once into the desk config, never written


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting: its row key, its default and how its text becomes a good value."""

    key: str
    default: T
    check: Callable[[T], T]  # a good value (cleaned), or ValueError saying what is allowed
    parse: Callable[[str], T]  # the stored text as a value (ValueError when unusable)
    text: Callable[[T], str] = str  # the value as stored text

    def read(self, raw: str) -> T:
        """The stored text as a checked value (ValueError when it is not usable)."""
        return self.check(self.parse(raw))


def check_company_name(name: str) -> str:
    """Our company's name with its spaces tidied; '' means not set."""
    if not isinstance(name, str):
        raise ValueError(f"a company name is text, not {name!r}")
    name = " ".join(name.split())
    if len(name) > COMPANY_NAME_MAX:
        raise ValueError(f"a company name is at most {COMPANY_NAME_MAX} characters")
    return name


def check_lapse_months(months: int) -> int:
    """The months without a purchase after which a customer has lapsed (a whole number)."""
    if (
        isinstance(months, bool)
        or not isinstance(months, int)
        or not LAPSE_MONTHS_MIN <= months <= LAPSE_MONTHS_MAX
    ):
        raise ValueError(
            f"the lapse period must be a whole number of months from {LAPSE_MONTHS_MIN} to {LAPSE_MONTHS_MAX}"
        )
    return months


def _nonblank_company(raw: str) -> str:
    name = check_company_name(raw)
    if not name:
        raise ValueError("a blank company name is no name")
    return name


# The name spoken on calls ("… calling from our company") until the user sets theirs.
COMPANY_NAME: Setting[str] = Setting("company_name", "our company", check_company_name, _nonblank_company)
LAPSE_MONTHS: Setting[int] = Setting("lapse_months", 6, check_lapse_months, int)
SETTINGS: tuple[Setting[str] | Setting[int], ...] = (COMPANY_NAME, LAPSE_MONTHS)


# --- generic -------------------------------------------------------------------------------------


def _raw(ctx: AppContext, key: str) -> str | None:
    with ctx.sessions() as s:
        return s.scalar(select(SettingRow.value).where(SettingRow.key == key))


def stored(ctx: AppContext, setting: Setting[T]) -> T | None:
    """The value the user set, or None when there is none (or it is not usable)."""
    raw = _raw(ctx, setting.key)
    if raw is None:
        return None
    try:
        return setting.read(raw)
    except ValueError:
        log.warning("setting %s=%r is not usable; using the default", setting.key, raw)
        return None


def get(ctx: AppContext, setting: Setting[T]) -> T:
    """The setting's value: what the user set, else its default."""
    value = stored(ctx, setting)
    return setting.default if value is None else value


@reports(Change.SETTINGS)
def put(ctx: AppContext, setting: Setting[T], value: T) -> T:
    """Check and store a value (ValueError when it is not allowed); returns what was stored.
    An empty text clears the setting, so it reads as its default again."""
    value = setting.check(value)
    text = setting.text(value)
    with transaction(ctx.sessions) as s:
        if text == "":
            s.execute(delete(SettingRow).where(SettingRow.key == setting.key))
        else:
            s.merge(SettingRow(key=setting.key, value=text))
    return value


# --- typed ---------------------------------------------------------------------------------------


def company_name(ctx: AppContext) -> str:
    """Our company's name as a call script speaks it ("our company" until it is set)."""
    return get(ctx, COMPANY_NAME)


def configured_company_name(ctx: AppContext) -> str:
    """Our company's name when the user has set it; '' rather than the spoken default."""
    return stored(ctx, COMPANY_NAME) or ""


def set_company_name(ctx: AppContext, name: str) -> str:
    """Set our company's name (spaces tidied; '' goes back to the default)."""
    return put(ctx, COMPANY_NAME, name)


def lapse_months(ctx: AppContext) -> int:
    """The lapse rule's months; the default (6) when the stored value is not usable."""
    return get(ctx, LAPSE_MONTHS)


def set_lapse_months(ctx: AppContext, months: int) -> int:
    return put(ctx, LAPSE_MONTHS, months)


# --- remembered column mappings (one row per header set an import has seen) ----------------------


def column_mapping(ctx: AppContext, kind: str, header: Sequence[str]) -> dict[str, str | None] | None:
    """The field -> column mapping last used for this header set, or None."""
    raw = _raw(ctx, header_key(kind, header))
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(k): (v if isinstance(v, str) else None) for k, v in value.items()}


@reports(Change.SETTINGS)
def remember_column_mapping(ctx: AppContext, mapping: ColumnMap) -> None:
    """Remember how this header set was mapped, for the next file with the same columns."""
    with transaction(ctx.sessions) as s:
        s.merge(SettingRow(key=header_key(mapping.kind, mapping.header), value=mapping.to_json()))


# --- the row versions before the desk config kept ------------------------------------------------


def legacy_current_user_id(ctx: AppContext) -> int | None:
    """The ``current_user_id`` row older versions wrote, as a person id (None: none usable)."""
    raw = (_raw(ctx, LEGACY_CURRENT_USER_KEY) or "").strip()
    try:
        return int(raw)
    except ValueError:
        return None
