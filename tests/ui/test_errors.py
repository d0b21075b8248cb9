"""Known problems become clear messages and lose nothing; bugs are logged and explained."""

from __future__ import annotations

import socket
import sqlite3
import stat
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.exc import OperationalError

from tests.ui.call.test_call_flow import as_booked_for, open_call_by_keyboard
from winback_desktop import app as app_module
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.maintenance import backups as maintenance
from winback_desktop.ui.main_window import MainWindow


@pytest.fixture
def main_window(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


@pytest.mark.parametrize(
    "problem", ["database or disk is full", "attempt to write a readonly database", "database is locked"]
)
def test_failed_saves_keep_typing_and_retry(qtbot, main_window, demo_ctx, monkeypatch, problem):
    call = open_call_by_keyboard(qtbot, main_window, "Harbourline")
    real_save = calls.save_field
    failing = {"on": True}

    def save_field(*args, **kwargs):
        if failing["on"]:
            raise OperationalError("UPDATE ...", {}, sqlite3.OperationalError(problem))
        return real_save(*args, **kwargs)

    monkeypatch.setattr(calls, "save_field", save_field)
    editor = call.editor("what_happened")
    qtbot.keyClicks(editor, "They said the invoices were wrong twice")
    qtbot.waitUntil(lambda: call.saved_label.text().startswith("Not saved yet"), timeout=3000)
    assert problem in call.saved_label.text()
    assert editor.value() == "They said the invoices were wrong twice"  # still on screen
    assert call.autosave.has_pending
    failing["on"] = False  # space freed, file unlocked ...
    qtbot.waitUntil(lambda: call.saved_label.text().startswith("Saved"), timeout=5000)
    assert (
        calls.detail(demo_ctx, call.call_id).answers["what_happened"]
        == "They said the invoices were wrong twice"
    )


def test_missing_font_gives_a_clear_message_and_keeps_notes(
    qtbot, main_window, demo_ctx, monkeypatch, tmp_path
):
    from reportlab.pdfbase import pdfmetrics

    from winback_desktop.reports import fonts

    call = open_call_by_keyboard(qtbot, main_window, "Harbourline")
    qtbot.keyClicks(call.editor("what_happened"), "Typed before the font went missing")
    # As on a broken install: nothing registered yet, and the font file is not there.
    monkeypatch.setattr(fonts, "_registered", False)
    monkeypatch.setattr(pdfmetrics, "getRegisteredFontNames", lambda: [])

    def missing(*parts):
        raise FileNotFoundError(f"bundled resource missing: {'/'.join(parts)}")

    monkeypatch.setattr(fonts, "resource_path", missing)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    target = tmp_path / "sheet.pdf"
    assert call.write_sheet(target) is None
    assert warnings and "DejaVuSans" in warnings[0] and "Your notes are safe" in warnings[0]
    assert not target.exists()
    saved = calls.detail(demo_ctx, call.call_id).answers["what_happened"]
    assert saved == "Typed before the font went missing"


def test_unexpected_error_saves_typing_and_names_the_log(qtbot, main_window, demo_ctx, monkeypatch, paths):
    call = open_call_by_keyboard(qtbot, main_window, "Harbourline")
    qtbot.keyClicks(call.editor("what_happened"), "Words typed right before a bug")
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[2]))
    log_file = app_module.setup_logging(paths)
    previous = sys.excepthook
    app_module.install_excepthook(log_file, main_window.save_everything)
    try:
        try:
            raise KeyError("surprise")
        except KeyError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    # Saved at once, before the dialog: no waiting for the autosave timer.
    assert calls.detail(demo_ctx, call.call_id).answers["what_happened"] == "Words typed right before a bug"
    assert shown and str(log_file) in shown[0] and "KeyError" in shown[0] and "has been saved" in shown[0]
    assert "surprise" in log_file.read_text(encoding="utf-8")
    assert call.isVisible()  # the app carries on


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything opens an internet socket (local Unix sockets are fine)."""
    attempts = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError("network access attempted in a test")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded)
    monkeypatch.setattr(
        socket, "create_connection", lambda address, *a, **k: guarded(socket.socket(), address)
    )
    yield attempts
    assert attempts == [], f"network connections attempted: {attempts}"


def test_full_call_and_pdf_open_no_network_and_files_are_private(
    qtbot, main_window, demo_ctx, tmp_path, no_network, paths, monkeypatch
):
    app_module.setup_logging(paths)
    as_booked_for(main_window, demo_ctx, "Meridian")  # the people it is booked for: no question
    call = open_call_by_keyboard(qtbot, main_window, "Meridian")
    qtbot.keyClicks(call.editor("what_happened"), "Nobody answered our emails")
    qtbot.keyClick(call, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    step = call.editor("next_steps").add_step()
    step.what.setText("Phone back on Monday")
    qtbot.waitUntil(lambda: step.action_id != 0)  # made by the database on a worker thread
    call.autosave.flush()
    assert call.write_sheet(paths.exports / "sheet.pdf") is not None
    from winback_desktop.services.calls.export import export_calls

    export_calls(demo_ctx, paths.exports / "calls.csv")
    maintenance.backup_now(paths)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert call.end_call() is not None  # no outcome chosen: the caller confirms ending anyway
    qtbot.waitUntil(lambda: call.ending is None, timeout=10000)  # ended on a worker thread
    assert calls.detail(demo_ctx, call.call_id).status == "completed"
    assert any(p.name.endswith("-after-call.sqlite3") for p in paths.backups.iterdir())
    for path in [paths.data_dir, *paths.data_dir.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is readable by others ({oct(mode)})"
