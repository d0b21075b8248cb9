"""The stepper tells the truth: a stage is ticked only when something was done in it, the
pre-filled repeat-back does not count as listening, the Close stage reads back the next steps
themselves, and "no answer yet" is not the answer "Not yet / maybe"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QApplication

from tests.ui.call.test_pages import open_window
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.ui.call.fields import NO_ANSWER
from winback_desktop.ui.call.window import CallWindow


def type_note(window: CallWindow, stage: str, key: str, text: str) -> None:
    editor = window.editor(key)
    editor.set_value(text)
    window.session.note(stage, key, editor.value)


def test_passing_through_an_empty_stage_does_not_tick_it(qtbot, demo_ctx):
    window = open_window(qtbot, demo_ctx)
    window.next_stage()
    window.next_stage()
    assert window.current == "earn"
    assert [window.stepper.state_of(k) for k in ("initiate", "probe", "earn", "close")] == [
        "todo",
        "todo",
        "current",
        "todo",
    ]
    assert window.stepper.buttons[0].text().startswith("1")  # no ✓ for a stage with nothing in it
    window.pages["initiate"].checklist.set_checked([0])  # a tick is something done
    window.pages["initiate"].checklist.changed.emit()
    qtbot.waitUntil(lambda: window.stepper.state_of("initiate") == "done")
    assert window.stepper.buttons[0].text().startswith("✓")


def test_the_pre_filled_repeat_back_is_not_listening(qtbot, demo_ctx):
    window = open_window(qtbot, demo_ctx)
    type_note(window, "initiate", "what_happened", "The March deliveries were late, three times.")
    window.go_to("probe")
    heard = window.editor("heard_back")
    assert heard.value() == "The March deliveries were late, three times."  # offered to read back
    window.go_to("earn")
    assert window.pages["earn"].guard.isVisible()  # only the pre-fill in Probe: listen first
    assert window.stepper.state_of("probe") == "todo" and window.stepper.state_of("initiate") == "done"
    assert window.autosave.flush()

    # a resumed call reads the same from what was saved
    window.close()
    again = CallWindow(demo_ctx, window.call_id)
    qtbot.addWidget(again)
    again.show()
    assert again.current == "earn" and again.pages["earn"].guard.isVisible()
    assert again.stepper.state_of("probe") == "todo"

    # the caller's own correction counts, and so does a tick in Probe
    again.go_to("probe")
    type_note(again, "probe", "heard_back", again.editor("heard_back").value() + " Confirmed: all in March.")
    again.go_to("earn")
    assert not again.pages["earn"].guard.isVisible()
    assert again.stepper.state_of("probe") == "done"
    again.go_to("probe")
    type_note(again, "probe", "heard_back", "")
    again.pages["probe"].checklist.set_checked([1])
    again.go_to("earn")
    assert not again.pages["earn"].guard.isVisible()
    again.close()


def test_close_reads_back_the_next_steps_themselves(qtbot, demo_ctx):
    window = open_window(qtbot, demo_ctx)
    window.go_to("close")
    close = window.pages["close"]
    said = "\n".join(label.text() for label in close.line_labels)
    assert "…" not in said and "no next steps noted yet" in said
    steps = window.editor("next_steps")
    row = steps.add_step()
    qtbot.waitUntil(lambda: not steps.adding)  # the database has made it (a worker thread)
    row.what.setText("Send the new delivery schedule")
    row.what.textEdited.emit(row.what.text())
    due = dt.date.today() + dt.timedelta(days=7)
    row.due.set_value(due)
    row.due.changed.emit()
    owner = row.owner.currentText() if row.owner.currentData() is not None else "no one named yet"
    said = "\n".join(label.text() for label in close.line_labels)
    assert f"• Send the new delivery schedule — {owner}, by {due:%a} {due.day} {due:%b %Y}" in said
    steps.remove_step(row)
    assert "no next steps noted yet" in "\n".join(label.text() for label in close.line_labels)
    window.close()


def test_close_reads_back_steps_saved_before_and_in_old_calls(qtbot, demo_ctx):
    window = open_window(qtbot, demo_ctx)
    calls.add_action(demo_ctx, window.call_id, "Credit the March invoice", None, dt.date(2027, 1, 15))
    window.close()
    again = CallWindow(demo_ctx, window.call_id)
    qtbot.addWidget(again)
    again.go_to("close")
    said = "\n".join(label.text() for label in again.pages["close"].line_labels)
    assert "• Credit the March invoice — " in said and "by Fri 15 Jan 2027" in said
    again.close()


def test_no_answer_is_not_the_answer_not_yet(qtbot, demo_ctx):
    window = open_window(qtbot, demo_ctx)
    window.go_to("earn")
    accepts = window.editor("accepts_help")
    labels = [accepts.itemText(i) for i in range(accepts.count())]
    assert labels[0] == NO_ANSWER and "not yet" not in labels[0].lower()
    assert "Not yet / maybe" in labels[1:]
    assert sum("not yet" in x.lower() for x in labels) == 1  # only the answer says "not yet"
    for stage in window.script.stages:  # every choice field of the script: the same empty choice
        window.go_to(stage.key)
        for f in stage.fields:
            if f.kind == "choice":
                box = window.editor(f.key)
                assert box.itemText(0) == NO_ANSWER and box.itemData(0) == ""
                assert not any(box.itemText(i).lower().startswith("no answer") for i in range(1, box.count()))
    QApplication.processEvents()
    window.close()
