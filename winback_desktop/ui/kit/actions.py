"""Declared actions: each window lists its menus and shortcuts once, as data (frescobaldi's
actioncollection idea), and both its QActions and its F1 list of shortcuts are made from that
list, so the list is complete and cannot drift from the keys that work.

    FILE = Menu("&File", (Action("export", "&Export calls as CSV…", lambda w: w.export_calls(),
                                 ("Ctrl+E",)), SEPARATOR, ...))
    actions = build(window, (FILE, ...))   # {"export": QAction, ...}
    show_shortcuts(window, [("Customer list", (FILE, ...), ())])
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.read_only import mark_editing

Key = str | QKeySequence.StandardKey


@dataclass(frozen=True)
class Action:
    name: str  # how the window finds its QAction
    text: str  # the menu text, with its & mnemonic
    run: Callable[[Any], object]  # given the window (or widget) the action belongs to
    keys: tuple[Key, ...] = ()  # the first is the one shown in the menu
    tip: str = ""  # the status bar's words while the menu item is hovered
    help: str = ""  # what the F1 list says (default: the menu text)
    edits: bool = False  # it changes stored data: off while the app is read-only (kit/read_only.py)

    def described(self) -> str:
        return self.help or plain(self.text)


@dataclass(frozen=True)
class Menu:
    """A menu of actions, sub-menus and separators (``SEPARATOR``); with no title, the actions
    belong to the window itself (shortcuts with no menu entry)."""

    title: str
    items: tuple[Action | Menu | None, ...]


@dataclass(frozen=True)
class Keys:
    """A key the F1 list names that is no action: Tab through fields, Space ticks, Enter in a list."""

    keys: str
    help: str


SEPARATOR = None
Section = tuple[str, Sequence[Menu], Sequence[Keys]]  # an F1 heading, its menus, its other keys


def plain(text: str) -> str:
    """Menu text as words: no mnemonic, no "…"."""
    return text.replace("&", "").rstrip("…").strip()


def key_text(keys: Iterable[Key]) -> str:
    """The keys as the user reads them ("Ctrl+Return / Ctrl+Enter"); "" when none is bound."""
    texts = (QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
    return " / ".join(t for t in texts if t)


def build(
    owner: QWidget, menus: Iterable[Menu], *, context: Qt.ShortcutContext | None = None
) -> dict[str, QAction]:
    """The QActions of ``menus``, in the owner's menu bar (a titled menu needs a QMainWindow)
    or on the owner itself (an untitled one); ``context`` for every shortcut when given."""
    made: dict[str, QAction] = {}
    for menu in menus:
        if menu.title:
            assert isinstance(owner, QMainWindow), "menus live in a main window's menu bar"
            _fill(owner, owner.menuBar().addMenu(menu.title), menu, context, made)
        else:
            _fill(owner, owner, menu, context, made)
    return made


def _fill(
    owner: QWidget,
    target: QWidget,
    menu: Menu,
    context: Qt.ShortcutContext | None,
    made: dict[str, QAction],
) -> None:
    for item in menu.items:
        if item is None:
            assert isinstance(target, QMenu)
            target.addSeparator()
        elif isinstance(item, Menu):
            assert isinstance(target, QMenu)
            _fill(owner, target.addMenu(item.title), item, context, made)
        else:
            made[item.name] = action = QAction(item.text, owner)
            keys = [QKeySequence(k) for k in item.keys]
            if keys := [k for k in keys if not k.isEmpty()]:  # a standard key may be unbound here
                action.setShortcuts(keys)
            if context is not None:
                action.setShortcutContext(context)
            if item.tip:
                action.setStatusTip(item.tip)
            if item.edits:
                mark_editing(action)
            action.triggered.connect(lambda _checked=False, run=item.run: run(owner))
            target.addAction(action)


def actions_of(menus: Iterable[Menu]) -> list[Action]:
    """Every action of ``menus``, sub-menus included, in menu order."""
    found: list[Action] = []
    for menu in menus:
        for item in menu.items:
            if isinstance(item, Menu):
                found.extend(actions_of([item]))
            elif item is not None:
                found.append(item)
    return found


def shortcut_rows(menus: Iterable[Menu], extra: Iterable[Keys] = ()) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, then the ``extra`` keys."""
    rows = [(key_text(a.keys), a.described()) for a in actions_of(menus)]
    return [(keys, what) for keys, what in rows if keys] + [(k.keys, k.help) for k in extra]


def shortcuts_html(sections: Iterable[Section], footer: str = "") -> str:
    e = html.escape
    parts = []
    for title, menus, extra in sections:
        rows = "".join(
            f"<tr><td style='padding-right:18px'><b>{e(keys)}</b></td><td>{e(what)}</td></tr>"
            for keys, what in shortcut_rows(menus, extra)
        )
        parts.append(f"<h3>{e(title)}</h3><table cellspacing='2'>{rows}</table>")
    if footer:
        parts.append(f"<p>{e(footer)}</p>")
    return "".join(parts)


class ShortcutsDialog(QDialog):
    """The F1 list: every shortcut of the given sections, made from their declared actions."""

    def __init__(self, sections: Iterable[Section], footer: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.text = QTextBrowser()
        self.text.setAccessibleName("Keyboard shortcuts")
        self.text.setHtml(shortcuts_html(sections, footer))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        document = self.text.document()
        document.setTextWidth(520)  # as tall as the list needs, up to a scrolling 620 px
        ready(self, "shortcuts", QSize(560, min(620, int(document.size().height()) + 80)))
