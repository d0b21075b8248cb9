"""The call script as data: stages, lines, checklists and fields, loaded from TOML."""

from winback_desktop.script.loader import (
    OUTCOME_FIELD,
    CallScript,
    Field,
    ScriptError,
    Stage,
    StageRole,
    default_script,
    load_script,
    load_script_text,
)
from winback_desktop.script.placeholders import PLACEHOLDERS, fill

__all__ = [
    "OUTCOME_FIELD",
    "PLACEHOLDERS",
    "CallScript",
    "Field",
    "ScriptError",
    "Stage",
    "StageRole",
    "default_script",
    "fill",
    "load_script",
    "load_script_text",
]
