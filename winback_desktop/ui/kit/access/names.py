"""What a field is called: Alt+letters that do not collide, and accessible names from labels.

A screen reader announces a field by its accessible name. Qt finds one for a line edit from
its buddy label, but a combo box announces its current item ("— not yet —") and a row of
fields with no label says nothing at all. ``name_fields(root)`` gives every field under
``root`` that has none the text of the label that names it (its buddy label, or its form row's
label); ``mnemonic_texts`` puts the ``&`` of each label on a letter no other one uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

_MNEMONIC = re.compile(r"&(?!&)(.)")


def plain(text: str) -> str:
    """Label text as words: no ``&``, no trailing colon, no "*" of a required field."""
    text = re.sub(r"<[^>]+>", "", text)  # rich-text labels
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(" :*").strip()


def letter_of(text: str) -> str | None:
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def mnemonic_texts(texts: Sequence[str], taken: Iterable[str] = ()) -> list[str]:
    """Each text with an ``&`` on a letter of its own: a word's first letter if free, else any
    free letter, else none. ``taken``: letters the window already uses."""
    used = {t.lower() for t in taken}
    out = []
    for text in texts:
        escaped = text.replace("&", "&&")
        starts = [m.start() for m in re.finditer(r"\b\w", text)]
        rest = [i for i, c in enumerate(text) if c.isalnum() and i not in starts]
        pick = next((i for i in (*starts, *rest) if text[i].lower() not in used), None)
        if pick is None:
            out.append(escaped)
            continue
        used.add(text[pick].lower())
        before = text[:pick].replace("&", "&&")
        out.append(f"{before}&{text[pick:].replace('&', '&&')}")
    return out


INPUTS = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QAbstractItemView)


def _own_words(widget: QWidget) -> str:
    """What a field with no label says of itself: its placeholder, else its tooltip's first
    clause (a filter box's "Status", "Account owner")."""
    if isinstance(widget, QLineEdit) and widget.placeholderText():
        return widget.placeholderText()
    if isinstance(widget, QPlainTextEdit) and widget.placeholderText():
        return widget.placeholderText()
    tip = re.split(r"[:(.]", widget.toolTip(), maxsplit=1)[0].strip()
    return tip if not tip.startswith("Type a date") else ""


def _inner(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QAbstractItemView)):
            return True
        parent = parent.parentWidget()
    return False


def name_fields(root: QWidget) -> None:
    """Every field under ``root`` without an accessible name gets its label's words (its own
    placeholder or tooltip when nothing labels it)."""
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and not buddy.accessibleName():
            buddy.setAccessibleName(plain(label.text()))
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            row_label = label_item.widget() if label_item is not None else None
            field = field_item.widget() if field_item is not None else None
            if isinstance(row_label, QLabel) and field is not None and not field.accessibleName():
                field.setAccessibleName(plain(row_label.text()))
    for widget in root.findChildren(QWidget):
        if isinstance(widget, INPUTS) and not widget.accessibleName() and not _inner(widget):
            if words := _own_words(widget):
                widget.setAccessibleName(words)
