"""Declared actions: the menus and shortcuts are made from one list per window, and so is F1."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.ui.call.window import CallWindow
from winback_desktop.ui.kit.actions import SEPARATOR, Action, Keys, Menu, build, shortcut_rows
from winback_desktop.ui.main_window import MainWindow


def entries(menu: QMenu, path: str = "") -> list[str]:
    """'File/&Export calls as CSV…=Ctrl+E' for every entry, sub-menus included."""
    out = []
    for a in menu.actions():
        if a.isSeparator():
            out.append(f"{path}{menu.title()}/-")
        elif a.menu() is not None:
            out.extend(entries(a.menu(), f"{path}{menu.title()}/"))
        else:
            keys = ",".join(k.toString() for k in a.shortcuts())
            out.append(f"{path}{menu.title()}/{a.text()}={keys}")
    return out


def menu_bar(window: QMainWindow) -> list[str]:
    return [e for a in window.menuBar().actions() for e in entries(a.menu())]


@pytest.fixture
def window(qtbot, demo_ctx):
    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    return w


def test_build_makes_the_declared_menus_and_calls_the_window(qtbot):
    calls_made = []
    owner = QMainWindow()
    qtbot.addWidget(owner)
    made = build(
        owner,
        (
            Menu("&Edit", (Action("a", "&Alpha", calls_made.append, ("Ctrl+J",)), SEPARATOR)),
            Menu("", (Action("b", "Beta", lambda w: calls_made.append("b"), ("F7", "Ctrl+F7")),)),
        ),
    )
    assert menu_bar(owner) == ["&Edit/&Alpha=Ctrl+J", "&Edit/-"]
    assert made["b"] in owner.actions() and [k.toString() for k in made["b"].shortcuts()] == ["F7", "Ctrl+F7"]
    made["a"].trigger()
    made["b"].trigger()
    assert calls_made == [owner, "b"]


def test_the_main_window_menus_are_as_they_were(window):
    assert menu_bar(window) == [
        "&File/Load &sample data=",
        "&File/&Export calls as CSV…=Ctrl+E",
        "&File/&People…=Ctrl+Shift+U",
        "&File/Company and &desk…=",
        "&File/Action sheets for the selected c&ycle…=",
        "&File/I&mports…=",
        "&File/-",
        "&File/Connect to a &team database…=",
        "&File/-",
        "&File/&Back up now=Ctrl+Shift+B",
        "&File/&Restore from backup…=",
        "&File/-",
        f"&File/&Quit={window.commands['quit'].shortcut().toString()}",  # the platform's
        "C&ustomers/&Import customers…=Ctrl+I",
        "C&ustomers/Import &order history…=Ctrl+Shift+I",
        "C&ustomers/-",
        "C&ustomers/&Volume departed…=Ctrl+Shift+V",
        "C&ustomers/&Lapse rule…=",
        "C&ustomers/&Recompute priorities=F5",
        "C&ustomers/-",
        "C&ustomers/E&xport customers as CSV…=",
        "&View/&1 Customers=Ctrl+1",
        "&View/&2 Today=Ctrl+2",
        "&View/&3 Follow-ups=Ctrl+3",
        "&View/&4 Cycles=Ctrl+4",
        "&Call/&Start call with selected customer=Ctrl+Return,Ctrl+Enter",
        "&Call/&Resume unfinished call…=Ctrl+R",
        "&Call/-",
        "&Call/Sc&hedule a call…=Ctrl+K",
        "&Call/&Log an attempt (no answer, call back…)…=Ctrl+Shift+L",
        "&Call/-",
        f"&Call/&Find customer={window.commands['find'].shortcut().toString()}",
        "&Help/&Keyboard shortcuts=F1",
        "&Help/&About=",
    ]


def f1_keys(sections) -> set[str]:
    return {keys for _title, menus, extra in sections for keys, _what in shortcut_rows(menus, extra)}


def bound_keys(widget) -> set[str]:
    return {
        " / ".join(k.toString() for k in a.shortcuts())
        for a in widget.findChildren(QAction)
        if a.shortcuts() and not a.shortcuts()[0].isEmpty()
    }


def test_f1_lists_every_shortcut_of_the_window_and_its_workspaces(window):
    for tab in (window.today, window.followups, window.cycles):  # built: their actions exist
        assert tab is not None
    listed = f1_keys(window.shortcut_sections())
    assert bound_keys(window) <= listed
    assert {"Enter", "Del", "Tab", "Space", "Ctrl+B", "Ctrl+Shift+O", "Alt+Right / Ctrl+PgDown"} <= listed
    dialog = window.shortcuts_dialog()
    text = dialog.text.toPlainText()
    assert "Recompute priorities" in text and "Go to Earn the right to help" in text
    assert text.endswith("Notes save themselves as you type.")


def test_the_call_window_has_its_menu_as_before_and_f1(qtbot, demo_ctx):
    call = CallWindow(demo_ctx, calls.start_call(demo_ctx, 1))
    qtbot.addWidget(call)
    assert menu_bar(call) == [
        "&Call/&Previous stage=Alt+Left,Ctrl+PgUp",
        "&Call/&Next stage=Alt+Right,Ctrl+PgDown",
        "&Call/&Go to stage/&1 Initiate=Ctrl+1",
        "&Call/&Go to stage/&2 Probe=Ctrl+2",
        "&Call/&Go to stage/&3 Earn the right to help=Ctrl+3",
        "&Call/&Go to stage/&4 Close=Ctrl+4",
        "&Call/-",
        "&Call/&Dial customer=Ctrl+D",
        "&Call/&Add next step=Ctrl+Shift+N",
        "&Call/Action &sheet: preview and print…=Ctrl+P",
        "&Call/Sa&ve action sheet as PDF…=Ctrl+Shift+S",
        "&Call/Partner's &logistics notes=Ctrl+L",
        "&Call/-",
        "&Call/&Text size of the lines/&Larger=Ctrl+=,Ctrl++",
        "&Call/&Text size of the lines/&Smaller=Ctrl+-",
        "&Call/&Text size of the lines/&Normal size=Ctrl+0",
        "&Call/-",
        "&Call/C&hanged at another desk: compare and choose…=Ctrl+Shift+K",
        "&Call/-",
        "&Call/&End call=Ctrl+Shift+E",
        "&Call/&Close window (call stays open)=Ctrl+W",
    ]
    assert call.next_button.toolTip() == "Next stage (Alt+Right)"
    assert [a.text() for a in call.actions()] == ["Keyboard shortcuts"]  # F1, in no menu
    dialog = call.shortcuts_dialog()
    assert bound_keys(call) <= f1_keys([("During a call", *_call_sections(call))])
    assert "Tick a checklist item or reason" in dialog.text.toPlainText()


def _call_sections(call: CallWindow):
    from winback_desktop.ui.call.actions import CALL_KEYS, call_menus

    return call_menus(call.script.stages), CALL_KEYS


def test_keys_that_are_no_action_are_listed_after_the_actions():
    menus = (Menu("", (Action("x", "&Do it…", lambda w: None, ("Ctrl+X",)), Action("y", "Quiet", print))),)
    assert shortcut_rows(menus, (Keys("Tab", "Next field"),)) == [("Ctrl+X", "Do it"), ("Tab", "Next field")]
