"""The saves a call window makes as the caller types: one note field, one next step.

A note is an *upsert* on ``(call_id, stage, field)`` (``INSERT ... ON CONFLICT DO UPDATE``, in
SQLite and PostgreSQL alike): two desks saving the same field for the first time at once get one
row, never an IntegrityError (a probe: 27 of 40 simultaneous first saves crashed with the old
read-then-insert).

A save may name the ``version`` of the row its window knew (0: no row yet). It then goes through
only where the row is still at that version, and returns the new one; when someone else changed
the row meanwhile nothing is written and :class:`~winback_desktop.services.conflicts.Stale`
says what is stored (``services/conflicts.py``). A save with the text already stored is no
conflict (a save that reached the database before a crash, made again): it adopts that version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from winback_desktop.services.conflicts import Conflict, Stale
from winback_desktop.services.errors import NotFound, get_or_raise
from winback_desktop.store.models import ActionItem, Call, Person, StageAnswer, utcnow


def _insert(s: Session) -> Any:
    """The dialect's own INSERT (the one with ``on_conflict_do_*``)."""
    return postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert


def write_answer(s: Session, call_id: int, stage: str, key: str, value: str, version: int | None) -> int:
    """Save one note in session ``s``; returns the row's new version (see the module's text)."""
    now = utcnow()
    where = and_(StageAnswer.call_id == call_id, StageAnswer.stage == stage, StageAnswer.field == key)
    if version is None:  # no version known (the command line, a journal from before versions)
        ins = _insert(s)(StageAnswer).values(
            call_id=call_id, stage=stage, field=key, value=value, updated_at=now, version=1
        )
        upsert = ins.on_conflict_do_update(
            index_elements=["call_id", "stage", "field"],
            set_={"value": value, "updated_at": now, "version": StageAnswer.version + 1},
        ).returning(StageAnswer.version)
        return int(s.execute(upsert).scalar_one())
    if version <= 0:  # the window knew no row: make it, unless someone else made it first
        ins = _insert(s)(StageAnswer).values(
            call_id=call_id, stage=stage, field=key, value=value, updated_at=now, version=1
        )
        ins = ins.on_conflict_do_nothing(index_elements=["call_id", "stage", "field"])
        made = s.execute(ins.returning(StageAnswer.version)).scalar()
    else:
        made = s.execute(
            update(StageAnswer)
            .where(where, StageAnswer.version == version)
            .values(value=value, updated_at=now, version=StageAnswer.version + 1)
            .returning(StageAnswer.version)
            .execution_options(synchronize_session=False)
        ).scalar()
    if made is not None:
        return int(made)
    stored = s.execute(
        select(StageAnswer.value, StageAnswer.version, StageAnswer.updated_at).where(where)
    ).first()
    if stored is None:  # the row went away (none do today): make it afresh
        return write_answer(s, call_id, stage, key, value, 0)
    if stored.value == value:  # already says this: nothing to choose between
        return int(stored.version)
    raise Stale(Conflict("field", key, key, stored.value, value, int(stored.version), stored.updated_at))


def save_answer(s: Session, call_id: int, stage: str, key: str, value: str, version: int | None) -> int:
    """:func:`write_answer`, and the call is marked as touched now."""
    get_or_raise(s, Call, call_id)
    new = write_answer(s, call_id, stage, key, value, version)
    s.execute(
        update(Call)
        .where(Call.id == call_id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return new


def action_text(what: str, owner: str, due: dt.date | None) -> str:
    """A next step in one line, as a conflict shows it: "Send the price list · Priya · due 2026-12-04"."""
    return " · ".join(x for x in (what.strip() or "(nothing written)", owner, due and f"due {due}") if x)


def write_action(s: Session, action_id: int, changes: dict[str, Any], version: int | None) -> int:
    """Change a next step in session ``s`` (only where it is still at ``version``, when given);
    returns its new version. :class:`Stale` when someone else changed it meanwhile."""
    item = s.get(ActionItem, action_id, with_for_update=True)
    if item is None:
        raise NotFound("action item", action_id)
    if version is not None and item.version != version:
        same = all(getattr(item, k) == v for k, v in changes.items())
        if same:
            return item.version
        s.refresh(item)
        owner = s.get(Person, item.owner_id) if item.owner_id else None
        mine = {"what": item.what, "owner_id": item.owner_id, "due_date": item.due_date, **changes}
        mine_owner = s.get(Person, mine["owner_id"]) if mine["owner_id"] else None
        raise Stale(
            Conflict(
                "action",
                str(action_id),
                "Next step",
                action_text(item.what, owner.name if owner else "", item.due_date),
                action_text(mine["what"], mine_owner.name if mine_owner else "", mine["due_date"]),
                item.version,
                stored={"what": item.what, "owner_id": item.owner_id, "due_date": item.due_date},
            )
        )
    new = s.execute(
        update(ActionItem)
        .where(ActionItem.id == action_id, ActionItem.version == item.version)
        .values(**changes, version=ActionItem.version + 1)
        .returning(ActionItem.version)
        .execution_options(synchronize_session=False)
    ).scalar()
    if new is None:  # changed between the read and the write (another transaction): say so
        s.expire(item)
        return write_action(s, action_id, changes, version if version is not None else None)
    return int(new)
