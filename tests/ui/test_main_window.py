"""The main window's caller box: choosing someone remembers them on this desk."""

from __future__ import annotations

from winback_desktop.services.people import team as people
from winback_desktop.ui.main_window import MainWindow


def test_choosing_a_caller_remembers_them_on_this_desk(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()  # a shown window reads a change at once
    qtbot.waitExposed(window)
    assert people.current_user(demo_ctx) is None  # the first caller shown is not a choice
    window.caller.setCurrentIndex(2)
    window.caller.activated.emit(2)
    assert people.current_user(demo_ctx).id == window.caller.currentData()
    window.caller.setCurrentIndex(0)  # "— choose —"
    window.caller.activated.emit(0)
    assert people.current_user(demo_ctx) is None and window.caller.currentIndex() == 0  # it stays


def test_choosing_a_caller_keeps_the_partner_chosen(qtbot, demo_ctx):
    """Who is here is told as a people change, and the boxes are filled again: the partner the
    user picked stays (and so does "— none —")."""
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()  # a shown window reads a change at once
    qtbot.waitExposed(window)
    assert window.partner.count() > 2 and window.partner.currentIndex() == 1  # the first, by default
    window.partner.setCurrentIndex(2)
    partner = window.partner.currentData()
    window.caller.setCurrentIndex(2)
    window.caller.activated.emit(2)
    assert window.partner.currentData() == partner
    window.partner.setCurrentIndex(0)
    window.caller.setCurrentIndex(1)
    window.caller.activated.emit(1)
    assert (
        window.partner.currentIndex() == 0 and people.current_user(demo_ctx).id == window.caller.currentData()
    )
