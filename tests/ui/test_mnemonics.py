"""No Alt+letter is offered twice: not in any window (its menu bar, tabs, buttons, labels and
group boxes as shown), not inside any menu."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from tests.helpers.screens.mnemonics import all_menus, collisions, letter, menu_mnemonics, window_mnemonics
from tests.helpers.screens.windows import every_window


def test_the_mnemonic_reader_sees_letters():
    assert letter("C&ustomers") == "u" and letter("Fish && &Chips") == "c" and letter("Plain") is None
    assert collisions({"c": ["&Call", "&Customers"], "f": ["&File"]}) == {"c": ["&Call", "&Customers"]}


def test_no_window_and_no_menu_offers_a_letter_twice(qtbot, demo_ctx, tmp_path):
    problems = []
    for name, window in every_window(demo_ctx, tmp_path):
        for key, texts in collisions(window_mnemonics(window)).items():
            problems.append(f"{name}: Alt+{key.upper()} is {texts}")
        if isinstance(window, QMainWindow):
            for menu in all_menus(window):
                for key, texts in collisions(menu_mnemonics(menu)).items():
                    problems.append(f"{name}, menu {menu.title()}: {key.upper()} is {texts}")
    assert problems == [], "\n".join(sorted(set(problems)))
