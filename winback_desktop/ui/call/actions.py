"""The call window's menu and shortcuts, declared once: its QActions and its F1 list (and the
main window's "During a call" section) are made from these."""

from __future__ import annotations

from collections.abc import Sequence

from winback_desktop.script import Stage
from winback_desktop.ui.kit.actions import SEPARATOR, Action, Keys, Menu
from winback_desktop.ui.kit.dates import DATE_KEYS

CALL_KEYS = (
    Keys("Tab", "Next field"),
    Keys("Space", "Tick a checklist item or reason"),
    *DATE_KEYS,
)


def _stage(i: int, stage: Stage) -> Action:
    return Action(
        f"stage:{stage.key}",
        f"&{i} {stage.title}",
        lambda w: w.go_to(stage.key),
        (f"Ctrl+{i}",),
        help=f"Go to {stage.title}",
    )


def call_menus(stages: Sequence[Stage]) -> tuple[Menu, ...]:
    """The call window's actions, for a script with these stages."""
    return (
        Menu(
            "&Call",
            (
                Action("prev", "&Previous stage", lambda w: w.previous_stage(), ("Alt+Left", "Ctrl+PgUp")),
                Action("next", "&Next stage", lambda w: w.next_stage(), ("Alt+Right", "Ctrl+PgDown")),
                Menu("&Go to stage", tuple(_stage(i, s) for i, s in enumerate(stages, start=1))),
                SEPARATOR,
                Action("dial", "&Dial customer", lambda w: w.card.dial(), ("Ctrl+D",)),
                Action(
                    "add_step", "&Add next step", lambda w: w.add_next_step(), ("Ctrl+Shift+N",), edits=True
                ),
                Action(
                    "sheet", "Action &sheet: preview and print…", lambda w: w.preview_sheet(), ("Ctrl+P",)
                ),
                Action(
                    "save_sheet", "Sa&ve action sheet as PDF…", lambda w: w.save_sheet(), ("Ctrl+Shift+S",)
                ),
                Action(
                    "partner_notes",
                    "Partner's &logistics notes",
                    lambda w: w.partner_notes.editor.setFocus(),
                    ("Ctrl+L",),
                ),
                SEPARATOR,
                Menu(
                    "&Text size of the lines",
                    (
                        Action("zoom_in", "&Larger", lambda w: w.zoom_script(1), ("Ctrl+=", "Ctrl++")),
                        Action("zoom_out", "&Smaller", lambda w: w.zoom_script(-1), ("Ctrl+-",)),
                        Action("zoom_reset", "&Normal size", lambda w: w.zoom_script(0), ("Ctrl+0",)),
                    ),
                ),
                SEPARATOR,
                Action(
                    "conflicts",
                    "C&hanged at another desk: compare and choose…",
                    lambda w: w.conflicts.choose(),
                    ("Ctrl+Shift+K",),
                    edits=True,
                ),
                SEPARATOR,
                Action("end", "&End call", lambda w: w.end_call(), ("Ctrl+Shift+E",), edits=True),
                Action("close", "&Close window (call stays open)", lambda w: w.close(), ("Ctrl+W",)),
            ),
        ),
        Menu("", (Action("shortcuts", "Keyboard shortcuts", lambda w: w.show_shortcuts(), ("F1",)),)),
    )
