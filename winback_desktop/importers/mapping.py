"""Which column of the file fills which field: found from the header names exports use.

Header names are compared case-, space- and punctuation-insensitively ("E-mail", "EMAIL",
"e mail" are one name). The user's own choice (an explicit mapping, ``--map FIELD=COLUMN``)
overrides per field; the mapping used is remembered per kind and header set by the import
service and comes back as ``remembered`` the next time the same header set is seen.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from winback_desktop.importers.errors import MappingError
from winback_desktop.importers.fields import (
    BY_NAME,
    CHOSEN,
    CUSTOMER_FIELDS,
    CUSTOMERS,
    FIELDS,
    KINDS,
    ORDER_FIELDS,
    ORDERS,
    REMEMBERED,
    TURNOVER,
    FieldSpec,
    fields,
    normalize,
)
from winback_desktop.importers.shapes import Shape, find_shape

__all__ = [
    "BY_NAME",
    "CHOSEN",
    "CUSTOMERS",
    "CUSTOMER_FIELDS",
    "FIELDS",
    "KINDS",
    "ORDERS",
    "ORDER_FIELDS",
    "REMEMBERED",
    "TURNOVER",
    "ColumnMap",
    "FieldSpec",
    "auto_map",
    "fields",
    "find_column",
    "header_key",
    "normalize",
    "resolve",
]


def header_key(kind: str, header: Sequence[str]) -> str:
    """The setting key remembering the mapping of this header set (order does not matter)."""
    names = sorted(normalize(h) for h in header)
    digest = hashlib.sha1("\x1f".join(names).encode("utf-8")).hexdigest()
    return f"import_mapping:{kind}:{digest}"


def auto_map(kind: str, header: Sequence[str]) -> dict[str, str | None]:
    """Field -> column name, from the header names alone; each column serves one field at most."""
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        positions.setdefault(normalize(h), []).append(i)
    used: set[int] = set()
    result: dict[str, str | None] = {}
    for spec in fields(kind):
        result[spec.name] = None
        for synonym in spec.synonyms:
            index = next((i for i in positions.get(synonym, ()) if i not in used), None)
            if index is not None:
                used.add(index)
                result[spec.name] = header[index]
                break
    return result


_POSITION = re.compile(r"(?:col(?:umn)?\.?\s*)?(\d{1,4})\Z", re.IGNORECASE)


def find_column(header: Sequence[str], column: str) -> int | None:
    """The index of ``column`` in ``header``: its exact name, else the same name normalized, else
    its position from 1 ("4" or "column 4": how a file without a header line is mapped)."""
    if column in header:
        return list(header).index(column)
    stripped = column.strip()
    for i, h in enumerate(header):
        if h.strip() == stripped:
            return i
    wanted = normalize(column)
    if wanted:
        for i, h in enumerate(header):
            if normalize(h) == wanted:
                return i
    if (m := _POSITION.match(stripped)) and 1 <= int(m[1]) <= len(header):
        return int(m[1]) - 1
    return None


def _columns_text(header: Sequence[str], most: int = 40) -> str:
    shown = ", ".join(repr(h if len(h) <= 60 else h[:59] + "…") for h in header[:most])
    return shown + (f" and {len(header) - most:,} more" if len(header) > most else "")


@dataclass(frozen=True)
class ColumnMap:
    """A mapping resolved against a header: field -> column index (None when not mapped)."""

    kind: str
    header: tuple[str, ...]
    indexes: dict[str, int | None]
    by_position: bool = False  # the file has no header line: its columns are "column 1", ...
    reasons: Mapping[str, str] = field(default_factory=dict)  # field -> why this column (BY_NAME...)
    notes: tuple[str, ...] = ()  # what was not chosen, and why ("'Annual Revenue' is ...")

    def column(self, field: str) -> str | None:
        i = self.indexes.get(field)
        return None if i is None else self.header[i]

    def where(self, field: str) -> str:
        """Where the file holds ``field``, in its own words: "column 'Net amount'", "column 4"."""
        name = self.column(field)
        if name is None:
            return ""
        return name if self.by_position else f"column {name!r}"  # (errors.column_words, by kind)

    def columns_by_field(self) -> dict[str, str]:
        """:meth:`where` of every mapped field (an error names the file's column, not our field)."""
        out = {f: self.where(f) for f, i in self.indexes.items() if i is not None}
        if "contact_name" not in out and ("first_name" in out or "last_name" in out):
            out["contact_name"] = " + ".join(out[f] for f in ("first_name", "last_name") if f in out)
        return out

    def as_names(self) -> dict[str, str | None]:
        return {f: self.column(f) for f in self.indexes}

    def to_json(self) -> str:
        return json.dumps(self.as_names(), ensure_ascii=False, sort_keys=True)


def resolve(
    kind: str,
    header: Sequence[str],
    *,
    explicit: Mapping[str, str | None] | None = None,
    remembered: Mapping[str, str | None] | None = None,
    file_name: str = "the file",
    require: bool = True,
    by_position: bool = False,
) -> ColumnMap:
    """Auto mapping, then the remembered one, then the explicit one, each overriding per field.

    Raises MappingError for an unknown field or column in ``explicit`` and (when ``require``)
    for required fields left without a column.
    """
    specs = {s.name: s for s in fields(kind)}
    header = tuple(header)
    names: dict[str, str | None] = auto_map(kind, header)
    reasons = {f: BY_NAME for f, c in names.items() if c is not None}
    shape = find_shape(kind, [normalize(h) for h in header])
    if shape is not None:
        _apply_shape(shape, header, names, reasons)
    for name, column in (remembered or {}).items():
        if name in specs and (column is None or find_column(header, column) is not None):
            names[name] = column
            reasons[name] = REMEMBERED
    for name, column in (explicit or {}).items():
        if name not in specs:
            raise MappingError(
                f"there is no field {name!r} for {kind}; the fields are: {', '.join(specs)}",
                columns=list(header),
            )
        if column is not None and column.strip() and find_column(header, column) is None:
            raise MappingError(
                f"{file_name} has no column {column!r} (for {name}); "
                f"its columns are: {_columns_text(header)}",
                columns=list(header),
            )
        names[name] = column if column is not None and column.strip() else None
        reasons[name] = CHOSEN
    indexes = {f: (None if c is None else find_column(header, c)) for f, c in names.items()}
    reasons = {f: r for f, r in reasons.items() if indexes.get(f) is not None}
    notes = _not_chosen(kind, header, indexes) + ((shape.note,) if shape is not None else ())
    mapping = ColumnMap(kind, header, indexes, by_position, reasons, notes)
    missing = missing_fields(mapping)
    if missing and require:
        named = " and ".join(f"{specs[f].label} ({f})" for f in missing)
        if by_position:
            raise MappingError(
                f"{file_name} has no header line, so its {len(header)} columns are known by "
                f"position: say which holds what, e.g. --map {missing[0]}=1 (the first column). "
                f"Still without a column: {named}",
                columns=list(header),
                missing=missing,
            )
        raise MappingError(
            f"{file_name}: no column for {named}; map one with --map FIELD=COLUMN. "
            f"The file's columns are: {_columns_text(header)}",
            columns=list(header),
            missing=missing,
        )
    return mapping


def _apply_shape(
    shape: Shape, header: tuple[str, ...], names: dict[str, str | None], reasons: dict[str, str]
) -> None:
    """The columns a known export keeps each field in, over what the names alone would say."""
    positions = {normalize(h): h for h in reversed(header)}
    for name, candidates in shape.columns.items():
        column = next((positions[c] for c in candidates if c in positions), None)
        if column is not None:
            for other, taken in names.items():  # each column serves one field
                if taken == column and other != name:
                    names[other] = None
                    reasons.pop(other, None)
            names[name] = column
            reasons[name] = f"as a {shape.name} keeps it"


def _not_chosen(kind: str, header: tuple[str, ...], indexes: Mapping[str, int | None]) -> tuple[str, ...]:
    """What a reader of the mapping should know was left out: a turnover column not taken for
    the value lost."""
    if kind != CUSTOMERS:
        return ()
    used = set(indexes.values())
    return tuple(
        f"column {h!r} is not taken as the value lost: by its name it is the account's own "
        "turnover, not the business it did with you; choose it for Value if it is"
        for i, h in enumerate(header)
        if i not in used and normalize(h) in TURNOVER
    )


def missing_fields(mapping: ColumnMap) -> list[str]:
    """Required fields without a column."""
    return [s.name for s in fields(mapping.kind) if s.required and mapping.indexes.get(s.name) is None]
