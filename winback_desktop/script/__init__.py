"""The call script as data: stages, lines, checklists and fields, loaded from TOML."""

from winback_desktop.script.loader import (
    CallScript,
    Field,
    ScriptError,
    Stage,
    default_script,
    load_script,
    load_script_text,
)
from winback_desktop.script.placeholders import PLACEHOLDERS, fill

__all__ = [
    "PLACEHOLDERS",
    "CallScript",
    "Field",
    "ScriptError",
    "Stage",
    "default_script",
    "fill",
    "load_script",
    "load_script_text",
]
