"""The main window's caller box: choosing someone remembers them on this desk."""

from __future__ import annotations

from winback_desktop.services.people import team as people
from winback_desktop.ui.main_window import MainWindow


def test_choosing_a_caller_remembers_them_on_this_desk(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    assert people.current_user(demo_ctx) is None  # the first caller shown is not a choice
    window.caller.setCurrentIndex(2)
    window.caller.activated.emit(2)
    assert people.current_user(demo_ctx).id == window.caller.currentData()
    window.caller.setCurrentIndex(0)  # "— choose —"
    window.caller.activated.emit(0)
    assert people.current_user(demo_ctx) is None
