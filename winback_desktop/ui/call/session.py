"""The bridge between the call window's widgets and the call services, through the autosaver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.context import AppContext
from winback_desktop.ui.call.autosave import Autosaver


class CallSession:
    def __init__(self, ctx: AppContext, call_id: int, autosaver: Autosaver):
        self.ctx, self.call_id, self.autosave = ctx, call_id, autosaver

    def note(self, stage: str, key: str, value: Callable[[], str]) -> None:
        self.autosave.schedule(
            f"{stage}.{key}", lambda: calls.save_field(self.ctx, self.call_id, stage, key, value())
        )

    def reasons(self, value: Callable[[], tuple[int | None, list[int]]]) -> None:
        self.autosave.schedule("reasons", lambda: calls.set_reasons(self.ctx, self.call_id, *value()))

    def offers(self, value: Callable[[], tuple[list[int], list[str]]]) -> None:
        self.autosave.schedule("offers", lambda: calls.set_offers(self.ctx, self.call_id, *value()))

    def action(self, action_id: int, value: Callable[[], dict[str, Any]]) -> None:
        self.autosave.schedule(
            f"action:{action_id}", lambda: calls.update_action(self.ctx, action_id, **value())
        )

    def add_action(self) -> int:
        return calls.add_action(self.ctx, self.call_id)

    def delete_action(self, action_id: int) -> None:
        self.autosave.flush()
        calls.delete_action(self.ctx, action_id)

    def stage(self, key: str) -> None:
        self.autosave.schedule("stage", lambda: calls.set_stage(self.ctx, self.call_id, key))
