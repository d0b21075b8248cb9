"""A call window opens with the current stage's page only; the others are built when needed."""

from __future__ import annotations

from winback_desktop.services import roster
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.ui.call.stage_page import StagePage
from winback_desktop.ui.call.window import CallWindow
from winback_desktop.ui.kit.style import rules


def open_window(qtbot, ctx) -> CallWindow:
    customer = roster.roster_page(ctx, limit=1)[0]
    window = CallWindow(ctx, calls.start_call(ctx, customer.id))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_only_the_current_stage_is_built_at_first(qtbot, demo_ctx):
    window = open_window(qtbot, demo_ctx)
    assert list(window.pages) == ["initiate"]
    assert window.findChildren(StagePage) == [window.pages["initiate"]]
    assert window.stack.currentWidget() is window.pages["initiate"]


def test_a_page_built_later_is_styled_and_keeps_what_was_typed(qtbot, demo_ctx):
    window = open_window(qtbot, demo_ctx)
    window.go_to("earn")  # the guard reads the probe page's notes: both are built now
    assert set(window.pages) == {"initiate", "probe", "earn"}
    earn = window.pages["earn"]
    assert window.stack.currentWidget() is earn and earn.guard.isVisible()
    assert earn.guard.styleSheet() == rules()["guard"]  # the window has no sheet of its own
    assert window.styleSheet() == ""
    story = window.editor("their_story")  # the probe stage's notes
    story.set_value("Deliveries kept arriving late.")
    window.session.note("probe", "their_story", story.value)
    assert window.autosave.flush()
    window.close()
    again = CallWindow(demo_ctx, window.call_id)  # reopened at the stage it was left on
    qtbot.addWidget(again)
    again.show()
    assert again.current == "earn" and set(again.pages) == {"probe", "earn"}
    assert again.editor("their_story").value() == "Deliveries kept arriving late."
    assert not again.pages["earn"].guard.isVisible()  # the probe has notes now
