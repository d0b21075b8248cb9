"""Load and validate a call script (TOML). Errors name the file, the line and the key.

Each stage declares its ``role`` in the method (:class:`StageRole`): code that treats a stage
specially (the guard before offering help, where next steps are added) asks the script for the
stage of that role, never for a stage key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from winback_desktop.resources import resource_path
from winback_desktop.script.locate import locate
from winback_desktop.script.placeholders import PLACEHOLDERS, names_in

STAGE_KEYS = ("initiate", "probe", "earn", "close")


class StageRole(StrEnum):
    """What a stage is for in the recovery-call method."""

    OPEN = "open"  # say who you are and sorry; ask what happened
    LISTEN = "listen"  # hear the whole story, repeat it back, own the mistake
    HELP = "help"  # earn the right to help: offer, ask what it would take
    CLOSE = "close"  # thank them, confirm the next steps, ask to keep in touch


ROLE_NAMES = ", ".join(StageRole)
_ROLE_VALUES = frozenset(role.value for role in StageRole)
# The roles the four stages always had, for call snapshots saved before scripts declared them.
LEGACY_ROLES = {
    "initiate": StageRole.OPEN,
    "probe": StageRole.LISTEN,
    "earn": StageRole.HELP,
    "close": StageRole.CLOSE,
}
# The choice field saved as the call's outcome (a column of the call, not a note).
OUTCOME_FIELD = "outcome"
FIELD_KINDS = {
    "text": "a multi-line note",
    "line": "a one-line note",
    "choice": "one of a list of choices",
    "date": "a date",
    "reasons": "departure reasons: one primary, others",
    "offers": "help options offered, from the catalogue plus free text",
    "actions": "next steps: what, owner, due date",
}
# Kinds backed by their own tables: each may appear once in a script.
SINGLE_KINDS = {"reasons", "offers", "actions"}
DEFAULT_SCRIPT = "recovery-call.toml"


class ScriptError(ValueError):
    """A call script that cannot be used; the message says where and what."""

    def __init__(self, source: str, line: int | None, key: str, problem: str):
        self.source, self.line, self.key, self.problem = source, line, key, problem
        where = f"{source}, line {line}" if line else source
        super().__init__(f"{where}: {key}: {problem}")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    prefill_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    goal: str
    lines: tuple[str, ...]
    checklist: tuple[str, ...]
    fields: tuple[Field, ...]
    role: StageRole


@dataclass(frozen=True)
class CallScript:
    name: str
    version: str
    description: str
    stages: tuple[Stage, ...]
    source: str = ""
    text: str = field(default="", repr=False)

    def stage(self, key: str) -> Stage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(key)

    def stage_index(self, key: str) -> int:
        return [s.key for s in self.stages].index(key)

    def stage_for(self, role: StageRole) -> Stage:
        """The stage with that role (a loaded script has one of each)."""
        for stage in self.stages:
            if stage.role == role:
                return stage
        raise KeyError(role)

    def field(self, key: str) -> tuple[Stage, Field]:
        for stage in self.stages:
            for f in stage.fields:
                if f.key == key:
                    return stage, f
        raise KeyError(key)

    def field_of_kind(self, kind: str) -> tuple[Stage, Field] | None:
        for stage in self.stages:
            for f in stage.fields:
                if f.kind == kind:
                    return stage, f
        return None

    def outcome_field(self) -> tuple[Stage, Field] | None:
        """The field the call's outcome is chosen in, when the script has one."""
        try:
            return self.field(OUTCOME_FIELD)
        except KeyError:
            return None

    def choice_label(self, key: str, code: str) -> str | None:
        """The words this script gives choice ``code`` of field ``key``; None when it has none."""
        try:
            _stage, f = self.field(key)
        except KeyError:
            return None
        return dict(f.choices).get(code) or None


class _Reader:
    """Pulls typed values out of parsed TOML, raising ScriptError with a line number."""

    def __init__(self, source: str, text: str):
        self.source, self.text = source, text

    def fail(self, path: tuple[str | int, ...], problem: str) -> ScriptError:
        dotted = ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")
        return ScriptError(self.source, locate(self.text, path), dotted or "(top)", problem)

    def table(self, data: Any, path: tuple[str | int, ...]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(path, "must be a table")
        return data

    def string(self, data: dict, path: tuple[str | int, ...], *, required: bool = True) -> str:
        key = path[-1]
        if key not in data:
            if required:
                raise self.fail(path, "is missing")
            return ""
        value = data[key]
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(path, "must be a non-empty text")
        return value.strip()

    def strings(self, data: dict, path: tuple[str | int, ...]) -> tuple[str, ...]:
        value = data.get(path[-1], [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(path, "must be a list of non-empty texts")
        return tuple(v.strip() for v in value)

    def lines(self, data: dict, path: tuple[str | int, ...]) -> tuple[str, ...]:
        values = self.strings(data, path)
        for text in values:
            try:
                names = names_in(text)
            except ValueError as exc:
                raise self.fail(path, f"{exc} (in {text!r})") from None
            unknown = [n for n in names if n not in PLACEHOLDERS]
            if unknown:
                known = ", ".join("{" + n + "}" for n in PLACEHOLDERS)
                raise self.fail(path, f"unknown placeholder {{{unknown[0]}}}; known ones: {known}")
        return values


def _read_field(r: _Reader, raw: Any, path: tuple[str | int, ...]) -> Field:
    data = r.table(raw, path)
    key = r.string(data, (*path, "key"))
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise r.fail((*path, "key"), f"{key!r} must be lower-case letters, digits and _")
    kind = r.string(data, (*path, "kind"))
    if kind not in FIELD_KINDS:
        raise r.fail((*path, "kind"), f"unknown kind {kind!r}; use one of {', '.join(FIELD_KINDS)}")
    choices: tuple[tuple[str, str], ...] = ()
    if kind == "choice":
        raw_choices = data.get("choices")
        if not isinstance(raw_choices, list) or not raw_choices:
            raise r.fail((*path, "choices"), "a choice field needs a list of choices")
        parsed = []
        for item in raw_choices:
            if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
                raise r.fail((*path, "choices"), 'each choice is a pair like ["won_back", "Won back"]')
            parsed.append((item[0], item[1]))
        choices = tuple(parsed)
    prefill = r.strings(data, (*path, "prefill_from"))
    return Field(
        key=key,
        label=r.string(data, (*path, "label")),
        kind=kind,
        help=r.string(data, (*path, "help"), required=False),
        choices=choices,
        prefill_from=prefill,
    )


def _read_stage(
    r: _Reader, raw: dict[str, Any], i: int, seen_fields: set[str], seen_kinds: set[str]
) -> dict[str, Any]:
    """One stage's parts but its role (see _read_roles); adds its fields to the seen sets."""
    path: tuple[str | int, ...] = ("stages", i)
    fields = []
    raw_fields = raw.get("fields", [])
    if not isinstance(raw_fields, list):
        raise r.fail((*path, "fields"), "must be a list of [[stages.fields]] tables")
    for j, raw_field in enumerate(raw_fields):
        f = _read_field(r, raw_field, (*path, "fields", j))
        if f.key in seen_fields:
            raise r.fail((*path, "fields", j, "key"), f"field key {f.key!r} is used twice")
        if f.kind in SINGLE_KINDS and f.kind in seen_kinds:
            raise r.fail((*path, "fields", j, "kind"), f"only one {f.kind!r} field is allowed")
        seen_fields.add(f.key)
        seen_kinds.add(f.kind)
        fields.append(f)
    return dict(
        key=raw["key"],
        title=r.string(raw, (*path, "title")),
        goal=r.string(raw, (*path, "goal")),
        lines=r.lines(raw, (*path, "lines")),
        checklist=r.strings(raw, (*path, "checklist")),
        fields=tuple(fields),
    )


def _read_roles(r: _Reader, raw_stages: list[dict[str, Any]], legacy: bool) -> list[StageRole]:
    """Each stage's role: one of StageRole, each used once (four stages: all of them)."""
    roles: list[StageRole] = []
    for i, raw in enumerate(raw_stages):
        path: tuple[str | int, ...] = ("stages", i, "role")
        if "role" not in raw and legacy:
            role = LEGACY_ROLES[raw["key"]]
        elif "role" not in raw:
            raise r.fail(path, f"is missing: say what the stage is for, one of {ROLE_NAMES}")
        elif not isinstance(raw["role"], str) or raw["role"] not in _ROLE_VALUES:
            raise r.fail(path, f"unknown role {raw['role']!r}; use one of {ROLE_NAMES}")
        else:
            role = StageRole(raw["role"])
        if role in roles:
            other = raw_stages[roles.index(role)]["key"]
            raise r.fail(path, f"role {role.value!r} is already the role of stage {other!r}")
        roles.append(role)
    return roles


def load_script_text(text: str, source: str = "<script>", *, legacy_roles: bool = False) -> CallScript:
    """Parse and check a script. ``legacy_roles``: a call's snapshot saved before stages declared
    a role; a stage without one gets the role its key always had (LEGACY_ROLES)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.14+ has exc.lineno; before that the position is only in the message.
        line = getattr(exc, "lineno", None)
        msg = getattr(exc, "msg", str(exc))
        at = re.search(r"\(at line (\d+), column (\d+)\)$", msg)
        if at:
            line = line or int(at.group(1))
            msg = f"{msg[: at.start()].rstrip()} (column {at.group(2)})"
        raise ScriptError(source, line, "(syntax)", f"not valid TOML: {msg}") from None
    r = _Reader(source, text)
    head = r.table(data.get("script"), ("script",))
    raw_stages = data.get("stages")
    if not isinstance(raw_stages, list):
        raise r.fail(("stages",), "is missing: add four [[stages]] tables")
    keys = [s.get("key") if isinstance(s, dict) else None for s in raw_stages]
    if tuple(keys) != STAGE_KEYS:
        # Point at the first stage out of place, or at the stages when one is missing at the end.
        wrong = next((i for i, (a, b) in enumerate(zip(keys, STAGE_KEYS, strict=False)) if a != b), None)
        where: tuple[str | int, ...] = ("stages",) if wrong is None else ("stages", wrong, "key")
        raise r.fail(where, f"must be the four stages {', '.join(STAGE_KEYS)} in order, found {keys}")
    seen_fields: set[str] = set()
    seen_kinds: set[str] = set()
    parts = [_read_stage(r, raw, i, seen_fields, seen_kinds) for i, raw in enumerate(raw_stages)]
    # Roles are checked once every stage has been read, so a broken stage is reported first.
    roles = _read_roles(r, raw_stages, legacy_roles)
    stages = [Stage(**part, role=role) for part, role in zip(parts, roles, strict=True)]
    for stage in stages:  # prefill sources must name real fields
        for j, f in enumerate(stage.fields):
            for src in f.prefill_from:
                if src not in seen_fields:
                    i = STAGE_KEYS.index(stage.key)
                    raise r.fail(("stages", i, "fields", j, "prefill_from"), f"no field named {src!r}")
    return CallScript(
        name=r.string(head, ("script", "name")),
        version=r.string(head, ("script", "version")),
        description=r.string(head, ("script", "description"), required=False),
        stages=tuple(stages),
        source=source,
        text=text,
    )


def load_script(path: Path) -> CallScript:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScriptError(str(path), None, "(file)", f"cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScriptError(str(path), line, "(file)", f"not UTF-8 text: {exc.reason}") from None
    return load_script_text(text, str(path))


def default_script() -> CallScript:
    return load_script(resource_path("scripts", DEFAULT_SCRIPT))
