"""Errors the services raise on purpose, in one place.

:class:`NotFound` is a ``LookupError``, so ``except LookupError`` around a service call keeps
working; its message is the one the services have always given ("no call with id 7").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")


class NotFound(LookupError):
    """No row of that kind with that id: "no {what} with id {id}", then any detail in brackets."""

    def __init__(self, what: str, id: Any, detail: str = ""):
        self.what, self.id, self.detail = what, id, detail
        message = f"no {what} with id {id}"
        super().__init__(f"{message} ({detail})" if detail else message)


def what_of(model: type) -> str:
    """A model's name in words: ``ActionItem`` -> "action item", ``RescueCycle`` -> "rescue cycle"."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()


def get_or_raise(session: Session, model: type[T], id: Any, what: str | None = None, detail: str = "") -> T:
    """``session.get(model, id)``, or :class:`NotFound` naming ``what`` (default: the model's name)."""
    row = session.get(model, id)
    if row is None:
        raise NotFound(what or what_of(model), id, detail)
    return row


def known_fault(exc: BaseException, where: Path | None = None) -> str | None:
    """A fault the user can act on, as a sentence naming the file, folder or disk (a full or
    read-only disk, a locked or damaged database...); None when ``exc`` is a bug.

    For the screens, which never import the store: ``store.errors`` sorts it. ``where`` is the
    database file in use, so that a full or read-only disk is named as such.
    """
    from winback_desktop.store.errors import known_problem

    known = known_problem(exc, where)
    return None if known is None else known.sentence
