"""Notes that did not reach the database, in words: for the offer at start-up and the file the
user may keep them in (``ui/call/recovery.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from winback_desktop.formats import short_date_time
from winback_desktop.services import catalogue
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.journal import Save
from winback_desktop.services.context import AppContext

PARTNER_FIELD = "partner_notes"  # as ui/call/partner_notes.py stores them
CHECKLIST = "checklist:"


@dataclass(frozen=True)
class UnsavedNote:
    call_id: int
    company: str
    label: str  # what it is: the field's label, "Reasons", "Next step"...
    text: str
    typed_at: dt.datetime | None  # local time


def _typed_at(save: Save) -> dt.datetime | None:
    try:
        at = dt.datetime.fromisoformat(save.at)
    except ValueError:
        return None
    return at.astimezone().replace(tzinfo=None) if at.tzinfo else at


def _field(ctx: AppContext, save: Save) -> tuple[str, str]:
    key, value = save.args["key"], save.args["value"]
    if key == PARTNER_FIELD:
        return "Partner's logistics notes", value
    if key.startswith(CHECKLIST):
        stage = next((s for s in ctx.script.stages if s.key == key[len(CHECKLIST) :]), None)
        items = stage.checklist if stage else ()
        ticked = [int(i) for i in value.split(",") if i.strip().isdigit()]
        names = [items[i] if i < len(items) else f"item {i + 1}" for i in ticked]
        return f"Checklist ({stage.title if stage else key})", "; ".join(names)
    try:
        return ctx.script.field(key)[1].label, value
    except KeyError:
        return key.replace("_", " ").capitalize(), value


def _words(ctx: AppContext, save: Save) -> tuple[str, str] | None:
    a = save.args
    if save.op == "field":
        return _field(ctx, save)
    if save.op == "reasons":
        names = {r.id: r.label for r in catalogue.reasons(ctx)}
        primary = names.get(a["primary"], "") if a["primary"] is not None else ""
        others = [names.get(i, f"reason {i}") for i in a["others"] if i != a["primary"]]
        return "Reasons", "; ".join(x for x in (f"main: {primary}" if primary else "", *others) if x)
    if save.op == "offers":
        names = {oid: label for oid, label, _d in catalogue.help_options(ctx)}
        chosen = [names.get(i, f"option {i}") for i in a["options"]]
        return "Help offered", "; ".join([*chosen, *(t for t in a["texts"] if t.strip())])
    if save.op == "action":
        due = f" (due {a['due_date']})" if a.get("due_date") else ""
        return "Next step", f"{a.get('what', '')}{due}"
    if save.op == "delete_action":
        return "Next step removed", ""
    return None  # the stage reached: not words anyone typed


def describe(ctx: AppContext, saves: Sequence[Save]) -> list[UnsavedNote]:
    """``saves`` in words, in the order typed; those that are not words (the stage) left out."""
    names = calls.companies(ctx, (s.call_id for s in saves))
    out = []
    for save in sorted(saves, key=lambda s: s.call_id):  # grouped by call, each in the order typed
        words = _words(ctx, save)
        if words is not None:
            company = names.get(save.call_id, f"call {save.call_id} (no longer in the database)")
            out.append(UnsavedNote(save.call_id, company, *words, _typed_at(save)))
    return out


def as_text(notes: Sequence[UnsavedNote], heading: str) -> str:
    """A plain-text page of ``notes``, grouped by call, for a file the user keeps."""
    lines = [heading, ""]
    current: int | None = None
    for note in notes:
        if note.call_id != current:
            current = note.call_id
            lines += [f"== Call with {note.company} ==", ""]
        when = f" (typed {short_date_time(note.typed_at)})" if note.typed_at else ""
        lines += [f"{note.label}{when}:", note.text or "—", ""]
    return "\n".join(lines).rstrip() + "\n"
