"""The call window under the keyboard alone: F1 lists the keys, Tab follows the screen after a
next step is added, and the lines to say zoom with Ctrl+= / Ctrl+- / Ctrl+0, remembered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from winback_desktop.services import roster
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.ui.call.window import CallWindow
from winback_desktop.ui.kit.actions import ShortcutsDialog

CTRL = Qt.KeyboardModifier.ControlModifier


def open_call(qtbot, ctx, company: str = "Harbourline") -> CallWindow:
    customer = roster.roster_search(ctx, text=company).rows[0]
    call_id = calls.start_call(ctx, customer.id)
    window = CallWindow(ctx, call_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


@pytest.fixture
def call(qtbot, demo_ctx) -> CallWindow:
    return open_call(qtbot, demo_ctx)


def test_f1_in_the_call_window_lists_every_shortcut_of_its_actions(qtbot, call, monkeypatch):
    shown: list[ShortcutsDialog] = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: shown.append(self) or 0)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    assert len(shown) == 1
    text = shown[0].text.toPlainText()
    for action in call.findChildren(type(call.end_action)):
        for key in action.shortcuts():
            assert key.toString(key.SequenceFormat.NativeText) in text, (action.text(), key.toString())


def test_after_a_next_step_tab_goes_on_to_the_next_field_below(qtbot, call):
    call.go_to("close")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.ShiftModifier)
    row = call.editor("next_steps").rows[-1]
    qtbot.waitUntil(lambda: row.what.hasFocus() and row.isVisible())  # the layout shows it next
    # Add next step is off until the database has the new step (it is made on a worker thread)
    qtbot.waitUntil(lambda: not call.editor("next_steps").adding)
    keep_in_touch = call.editor("keep_in_touch")
    order = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
        if keep_in_touch.hasFocus():
            break
    add_button = call.editor("next_steps").add_button
    assert order == [row.owner, row.due, row.remove, add_button, keep_in_touch]


def line_points(call: CallWindow) -> list[float]:
    return [label.font().pointSizeF() for label in call.line_labels()]


def test_ctrl_plus_and_minus_zoom_the_lines_to_say_and_the_size_is_remembered(qtbot, demo_ctx):
    call = open_call(qtbot, demo_ctx)
    call.go_to("probe")
    normal = line_points(call)
    assert normal and all(p == pytest.approx(11.0) for p in normal)
    say = call.pages["probe"].line_labels[0]
    height_before = say.sizeHint().height()
    target = QApplication.focusWidget()
    qtbot.keyClick(target, Qt.Key.Key_Equal, CTRL)
    qtbot.keyClick(target, Qt.Key.Key_Equal, CTRL)
    larger = line_points(call)
    assert all(p > 12.0 for p in larger), larger
    assert say.sizeHint().height() > height_before  # drawn larger, not only a number
    assert "Lines to say at 130%" in call.statusBar().currentMessage()
    call.go_to("close")  # a page built after the change opens at the same size
    assert line_points(call) == [larger[0]] * len(call.line_labels())
    call.close()

    again = open_call(qtbot, demo_ctx)  # the next call opens as the user left it
    assert line_points(again)[0] == pytest.approx(larger[0])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Minus, CTRL)
    assert line_points(again)[0] < larger[0]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_0, CTRL)
    assert all(p == pytest.approx(11.0) for p in line_points(again))
