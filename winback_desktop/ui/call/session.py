"""The bridge between the call window's widgets and the call services, through the autosaver:
each change becomes a :class:`~winback_desktop.services.calls.journal.Save`, read from the
widget when the autosaver hands it over."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from winback_desktop.services.calls import journal
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.context import AppContext
from winback_desktop.ui.call.autosave import Autosaver


class CallSession:
    """``versions``: each note's and next step's version as the window loaded it; every save
    names it (the notes writer knows the newer ones it saved since), so a change made at
    another desk meanwhile is shown, not overwritten (``services/conflicts.py``)."""

    def __init__(
        self,
        ctx: AppContext,
        call_id: int,
        autosaver: Autosaver,
        notes: Mapping[str, int] | None = None,
        steps: Mapping[int, int] | None = None,
    ):
        self.ctx, self.call_id, self.autosave = ctx, call_id, autosaver
        self.note_versions, self.step_versions = dict(notes or {}), dict(steps or {})

    def note(self, stage: str, key: str, value: Callable[[], str]) -> None:
        # A call column (outcome, next contact...) has no version of its own; a note not saved
        # yet is at 0 (the save makes it, unless another desk made it first).
        version = None if key in calls.CALL_COLUMNS else self.note_versions.get(key, 0)
        self.autosave.schedule(
            f"{stage}.{key}", lambda: journal.field_save(self.call_id, stage, key, value(), version)
        )

    def reasons(self, value: Callable[[], tuple[int | None, list[int]]]) -> None:
        self.autosave.schedule("reasons", lambda: journal.reasons_save(self.call_id, *value()))

    def offers(self, value: Callable[[], tuple[list[int], list[str]]]) -> None:
        self.autosave.schedule("offers", lambda: journal.offers_save(self.call_id, *value()))

    def action(self, action_id: int, value: Callable[[], dict[str, Any]]) -> None:
        self.autosave.schedule(
            f"action:{action_id}",
            lambda: journal.action_save(
                self.call_id, action_id, value(), self.step_versions.get(action_id, 1)
            ),
        )

    def add_action(self) -> int:
        return calls.add_action(self.ctx, self.call_id)

    def delete_action(self, action_id: int) -> None:
        # Replaces any edit of it still on its way; written in order with the rest.
        self.autosave.schedule(
            f"action:{action_id}", lambda: journal.delete_action_save(self.call_id, action_id)
        )
        self.autosave.hand_over()

    def stage(self, key: str) -> None:
        self.autosave.schedule("stage", lambda: journal.stage_save(self.call_id, key))
