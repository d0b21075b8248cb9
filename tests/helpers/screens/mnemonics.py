"""The Alt+letter keys a window offers (its menus, tabs, buttons, labels with a buddy, group
boxes) and where two of them are the same letter."""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMainWindow, QMenu, QTabBar, QWidget

_MNEMONIC = re.compile(r"&(?!&)(.)")


def letter(text: str) -> str | None:
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def window_mnemonics(window: QWidget) -> dict[str, list[str]]:
    """letter -> the texts offering it, for what is shown in ``window`` now."""
    offered: dict[str, list[str]] = defaultdict(list)

    def add(text: str) -> None:
        if (key := letter(text)) is not None:
            offered[key].append(text)

    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if action.isVisible():
                add(action.text())
    for bar in window.findChildren(QTabBar):
        if bar.isVisible() and bar.window() is window:
            for i in range(bar.count()):
                add(bar.tabText(i))
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.window() is not window:
            continue
        if isinstance(w, QAbstractButton) and not isinstance(w.parentWidget(), QTabBar):
            add(w.text())
        elif isinstance(w, QLabel) and w.buddy() is not None:
            add(w.text())
        elif isinstance(w, QGroupBox):
            add(w.title())
    return offered


def menu_mnemonics(menu: QMenu) -> dict[str, list[str]]:
    offered: dict[str, list[str]] = defaultdict(list)
    for action in menu.actions():
        if not action.isSeparator() and (key := letter(action.text())) is not None:
            offered[key].append(action.text())
    return offered


def collisions(offered: dict[str, list[str]]) -> dict[str, list[str]]:
    return {key: texts for key, texts in offered.items() if len(texts) > 1}


def all_menus(window: QMainWindow) -> list[QMenu]:
    found: list[QMenu] = []
    stack = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    while stack:
        menu = stack.pop()
        assert isinstance(menu, QMenu)
        found.append(menu)
        stack += [a.menu() for a in menu.actions() if a.menu() is not None]
    return found
