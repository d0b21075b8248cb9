"""Placeholders a script line may use, and filling them for one call."""

from __future__ import annotations

import string
from collections.abc import Mapping

# name -> what it stands for (shown in errors and in the script docs)
PLACEHOLDERS: dict[str, str] = {
    "customer": "the customer's company name",
    "contact": "the contact person's name",
    "contact_first": "the contact person's first name",
    "caller": "the caller's name",
    "caller_title": "the caller's title",
    "company": "our own company name",
    "months": "whole months since the last purchase",
    "last_purchase": "the date of the last purchase",
    "value": "the yearly business lost, formatted",
    "next_steps": "the next steps noted in the call: what, who, by when (one per line)",
}

_FORMATTER = string.Formatter()


def names_in(text: str) -> list[str]:
    """The placeholder names used in ``text``; raises ValueError on broken braces."""
    names = []
    for _literal, name, spec, conv in _FORMATTER.parse(text):
        if name is None:
            continue
        if spec or conv or not name.isidentifier():
            raise ValueError(f"placeholder {{{name}}} must be a plain name like {{contact}}")
        names.append(name)
    return names


def fill(text: str, values: Mapping[str, str]) -> str:
    """Fill placeholders; one with no value yet shows as its name in brackets, never a crash."""
    out = []
    for literal, name, _spec, _conv in _FORMATTER.parse(text):
        out.append(literal)
        if name is not None:
            value = values.get(name, "")
            out.append(value if value else f"[{name.replace('_', ' ')}]")
    return "".join(out)
