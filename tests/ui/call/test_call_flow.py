"""A whole recovery call driven from the keyboard, checked in the database and the PDF."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from tests.helpers.keys import type_text
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.ui.call.window import CallWindow
from winback_desktop.ui.main_window import MainWindow

ALT, CTRL, SHIFT = (
    Qt.KeyboardModifier.AltModifier,
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ShiftModifier,
)


@pytest.fixture
def main_window(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def focused():
    return QApplication.focusWidget()


def open_call_by_keyboard(qtbot, window: MainWindow, search: str) -> CallWindow:
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, search)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: len(window.call_windows) == 1)
    call = next(iter(window.call_windows.values()))
    qtbot.waitExposed(call)
    call.activateWindow()
    qtbot.waitUntil(lambda: call.isActiveWindow())
    return call


def as_booked_for(window: MainWindow, ctx, company: str) -> None:
    """At this desk: the leader and partner the customer's call is booked for (starting it
    as anyone else asks first, see tests/ui/test_starting_calls.py)."""
    from winback_desktop.services import roster
    from winback_desktop.services.schedule import booking as schedule

    booking = schedule.booked_call(ctx, roster.roster_page(ctx, text=company)[0].id)
    assert booking is not None
    window.caller.setCurrentIndex(window.caller.findData(booking.leader_id))
    window.partner.setCurrentIndex(window.partner.findData(booking.partner_id))


def test_whole_call_by_keyboard(qtbot, main_window, demo_ctx, tmp_path, monkeypatch):
    as_booked_for(main_window, demo_ctx, "Meridian")
    call = open_call_by_keyboard(qtbot, main_window, "Meridian")
    assert call.detail.customer.company == "Meridian Hotels Group"
    assert call.stepper.state_of("initiate") == "current"
    qtbot.waitUntil(lambda: focused() is call.editor("what_happened"))

    # Initiate: what they say happened; tick the checklist with Tab + Space.
    qtbot.keyClicks(focused(), "Three late deliveries in March & nobody called <us> back.")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is call.pages["initiate"].checklist
    qtbot.keyClick(focused(), Qt.Key.Key_Space)

    # Probe: their story; the repeat-back is pre-filled from their own words.
    qtbot.keyClick(call, Qt.Key.Key_Right, ALT)
    assert call.current == "probe" and call.stepper.state_of("initiate") == "done"
    heard = call.editor("heard_back")
    assert heard.value() == "Three late deliveries in March & nobody called <us> back."
    qtbot.waitUntil(lambda: focused() is call.editor("their_story"))
    qtbot.keyClicks(focused(), "The chef had to buy from a cash-and-carry twice.")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is heard
    qtbot.keyClick(heard, Qt.Key.Key_End, CTRL)
    qtbot.keyClicks(heard, " Confirmed: the March orders.")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    reasons = call.editor("reasons")
    assert focused() is reasons.primary
    qtbot.keyClick(reasons.primary, Qt.Key.Key_Down)  # first reason: late deliveries
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is reasons.others
    qtbot.keyClick(reasons.others, Qt.Key.Key_Down)
    qtbot.keyClick(reasons.others, Qt.Key.Key_Space)  # a second reason ticked
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is call.editor("fault")
    qtbot.keyClicks(focused(), "Our dispatch team")

    # Earn the right to help: no guard, since Probe has notes.
    qtbot.keyClick(call, Qt.Key.Key_Right, ALT)
    assert call.current == "earn" and call.pages["earn"].guard.isHidden()
    qtbot.waitUntil(lambda: focused() is call.editor("accepts_help"))
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # Yes
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    offers = call.editor("offers")
    assert focused() is offers.catalogue
    qtbot.keyClick(offers.catalogue, Qt.Key.Key_Down)
    qtbot.keyClick(offers.catalogue, Qt.Key.Key_Space)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is offers.other
    type_text(offers.other, "Free chilled delivery for Ελληνικά orders")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "Deliveries on time for three months, and a named person.")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is call.editor("customer_answer")
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # something we can do

    # Close: a next step by shortcut, owned by the partner by default; permission; outcome.
    qtbot.keyClick(call, Qt.Key.Key_4, CTRL)
    assert call.current == "close"
    qtbot.keyClick(call, Qt.Key.Key_N, CTRL | SHIFT)
    steps = call.editor("next_steps")
    qtbot.waitUntil(lambda: focused() is steps.rows[0].what)
    type_text(focused(), "Call Catherine with the new delivery schedule — Пример")
    assert steps.rows[0].owner.currentData() == call.detail.partner.id
    call.editor("keep_in_touch").setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # yes
    call.editor("outcome").setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # won back

    # Saved without a save button, and the window says so.
    qtbot.waitUntil(lambda: call.saved_label.text().startswith("Saved"), timeout=3000)
    d = calls.detail(demo_ctx, call.call_id)
    assert d.answers["what_happened"] == "Three late deliveries in March & nobody called <us> back."
    assert d.answers["their_story"] == "The chef had to buy from a cash-and-carry twice."
    assert d.answers["heard_back"].endswith("Confirmed: the March orders.")
    assert d.answers["fault"] == "Our dispatch team"
    assert d.answers["checklist:initiate"] == "0"
    assert d.primary_reason is not None and d.primary_reason.code == "late_delivery"
    assert len(d.other_reasons) == 1
    assert d.accepts_help == "yes" and d.customer_answer == "can_do"
    assert [o.label for o in d.offers][-1] == "Free chilled delivery for Ελληνικά orders"
    assert d.keep_in_touch is True and d.outcome == "won_back"
    assert [(a.what, a.owner_name) for a in d.actions] == [
        ("Call Catherine with the new delivery schedule — Пример", d.partner.name)
    ]
    assert d.current_stage == "close"

    # The action sheet, by shortcut, read back.
    pdf = tmp_path / "sheet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), "PDF (*.pdf)"))
    qtbot.keyClick(call, Qt.Key.Key_S, CTRL | SHIFT)
    assert pdf.exists()
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    for expected in (
        "Meridian Hotels Group",
        "Catherine Ashdown",
        "nobody called <us> back",
        "Call Catherine with the new delivery schedule",
        "Пример",
        d.partner.name,
    ):
        assert expected in text.replace("\n", " ") or expected in text

    # End the call by shortcut: completed, and the customer is marked won back.
    qtbot.keyClick(call, Qt.Key.Key_E, CTRL | SHIFT)
    qtbot.waitUntil(lambda: calls.detail(demo_ctx, d.id).status == "completed")
    qtbot.waitUntil(lambda: call.call_id not in main_window.call_windows)  # closed once ended


def test_every_field_reachable_by_tab(qtbot, main_window):
    call = open_call_by_keyboard(qtbot, main_window, "Harbourline")
    for key in call.stage_keys():
        call.go_to(key)
        page = call.pages[key]
        wanted = {}
        for name, editor in page.editors.items():
            parts = [
                getattr(editor, n)
                for n in ("primary", "others", "catalogue", "other", "add_button")
                if hasattr(editor, n)
            ]
            wanted.update((id(w), name) for w in parts or [editor])
        wanted[id(page.checklist)] = "checklist"
        page.first_editor().setFocus()
        seen = set()
        for _ in range(40):
            seen.add(id(focused()))
            qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        missing = [name for wid, name in wanted.items() if wid not in seen]
        assert not missing, f"stage {key}: cannot be reached by Tab: {missing}"


def test_earn_stage_guard_when_probe_is_empty(qtbot, main_window):
    call = open_call_by_keyboard(qtbot, main_window, "Harbourline")
    qtbot.keyClick(call, Qt.Key.Key_3, CTRL)
    assert call.current == "earn"
    assert call.pages["earn"].guard.isVisible()
    assert call.stepper.state_of("earn") == "current"
    # Gentle: the caller may go on; and a click on the banner goes back to listen.
    call.pages["earn"].guard.findChild(type(call.prev_button)).click()
    assert call.current == "probe"


def test_closing_mid_call_keeps_it_and_offers_resume(qtbot, main_window, demo_ctx, monkeypatch):
    call = open_call_by_keyboard(qtbot, main_window, "Harbourline")
    call_id = call.call_id
    qtbot.keyClick(call, Qt.Key.Key_Right, ALT)
    qtbot.waitUntil(lambda: focused() is call.editor("their_story"))
    qtbot.keyClicks(focused(), "Typed just before the window closed")
    call.close()  # no wait: closing flushes what is pending
    assert calls.detail(demo_ctx, call_id).answers["their_story"] == "Typed just before the window closed"
    main_window.close()

    again = MainWindow(demo_ctx)
    qtbot.addWidget(again)
    asked = []

    def answer_yes(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    resumed = again.offer_resume()
    assert resumed is not None and resumed.call_id == call_id
    assert "Harbourline" in asked[0] and "Probe" in asked[0]
    assert resumed.current == "probe"
    assert resumed.editor("their_story").value() == "Typed just before the window closed"
    resumed.close()


def test_unknown_field_values_are_saved_per_call(demo_ctx):
    """Each call keeps the script name and version it used."""
    cid = calls.start_call(demo_ctx, 1)
    d = calls.detail(demo_ctx, cid)
    assert d.script_name == demo_ctx.script.name and d.script_version == demo_ctx.script.version
    assert "[[stages]]" in d.script_snapshot


def test_partner_notes_are_saved_apart_and_the_sheet_previews_and_prints(
    qtbot, main_window, demo_ctx, tmp_path
):
    from PySide6.QtPrintSupport import QPrinter

    call = open_call_by_keyboard(qtbot, main_window, "Harbourline")
    qtbot.keyClick(call, Qt.Key.Key_L, CTRL)
    assert focused() is call.partner_notes.editor
    type_text(focused(), "Courier booked for Tuesday; send the credit note to accounts@")
    qtbot.waitUntil(lambda: call.saved_label.text().startswith("Saved"), timeout=3000)
    d = calls.detail(demo_ctx, call.call_id)
    assert d.answers["partner_notes"] == "Courier booked for Tuesday; send the credit note to accounts@"
    assert "what_happened" not in d.answers  # the caller's notes are untouched

    from winback_desktop.ui.kit.pdf_preview import PdfPreview

    qtbot.keyClick(call, Qt.Key.Key_P, CTRL)
    previews = call.findChildren(PdfPreview)
    assert len(previews) == 1 and previews[0].isVisible()
    preview = previews[0]
    assert preview.document.pageCount() >= 1
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a file stands in for the printer
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    assert preview.print_document(printer) == preview.document.pageCount()
    assert len(PdfReader(printed).pages) == preview.document.pageCount()
    saved = preview.save_as(tmp_path / "saved.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(saved).pages)
    assert "Harbourline Foods Ltd" in text
