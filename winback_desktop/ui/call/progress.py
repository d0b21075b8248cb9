"""What the stepper and the listen-first guard may claim: a stage is done only when something
was done in it (a note of the caller's own, a reason or offer picked, a next step, a tick), and
a repeat-back still as it was pre-filled is not the caller's note. The Close stage's read-back
of the next steps is made here too, from the steps themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from winback_desktop.formats import day_month_year
from winback_desktop.script import Stage
from winback_desktop.services.dto import CallDetail

NO_STEPS = "(no next steps noted yet: add them below, or say nothing was promised)"


def prefill_text(parts: Iterable[str]) -> str:
    """The repeat-back as it is pre-filled from the source fields' texts (how the window joins
    them), so an untouched one can be told from the caller's own."""
    return "\n\n".join(p.strip() for p in parts if p.strip())


def own_note(value: str, prefilled: str | None) -> bool:
    """A text field's value counts as the caller's note unless it is the pre-fill, untouched."""
    text = value.strip()
    return bool(text) and (prefilled is None or text != prefilled.strip())


def saved_stage_done(stage: Stage, detail: CallDetail, prefills: Mapping[str, str]) -> bool:
    """Was anything done in ``stage``, as saved (for a stage whose page is not built)?"""
    from winback_desktop.ui.call.stage_page import checklist_key

    if detail.answers.get(checklist_key(stage.key), "").strip():
        return True
    for f in stage.fields:
        if f.kind == "reasons" and (detail.primary_reason or detail.other_reasons):
            return True
        if f.kind == "offers" and detail.offers:
            return True
        if f.kind == "actions" and detail.actions:
            return True
        if f.kind not in ("reasons", "offers", "actions") and own_note(
            detail.saved_text(f.key), prefills.get(f.key)
        ):
            return True
    return False


def steps_read_back(steps: Iterable[tuple[str, str, dt.date | None]]) -> str:
    """The next steps (what, who, due) as said at the close, each on a line of its own."""
    said = []
    for what, who, due in steps:
        if not what.strip():
            continue
        when = f"by {day_month_year(due, weekday=True)}" if due else "no date set yet"
        said.append(f"• {what.strip()} — {who or 'no one named yet'}, {when}")
    return "".join(f"\n{line}" for line in said) or NO_STEPS
