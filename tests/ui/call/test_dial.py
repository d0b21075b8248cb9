"""Ctrl+D dials: handed to the phone program; with none installed (openUrl says no), the caller
is told what to do, and the number is on the clipboard."""

from __future__ import annotations

from PySide6.QtGui import QDesktopServices, QGuiApplication

from tests.helpers.dialogs import answer
from tests.ui.call.test_pages import open_window


def test_ctrl_d_without_a_phone_program_says_what_to_do(qtbot, demo_ctx, monkeypatch):
    asked = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: asked.append(url.toString()) or False)
    window = open_window(qtbot, demo_ctx)
    phone = window.detail.customer.phone
    assert phone
    seen: list[str] = []
    answer("OK", seen)
    window.activateWindow()
    window.dial_action.trigger()  # Ctrl+D
    assert asked and asked[0].startswith("tel:")
    assert seen and "No program on this computer is set up to dial" in seen[0] and phone in seen[0]
    assert QGuiApplication.clipboard().text() == phone
    window.close()


def test_ctrl_d_with_a_phone_program_just_dials(qtbot, demo_ctx, monkeypatch):
    asked = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: asked.append(url.toString()) or True)
    window = open_window(qtbot, demo_ctx)
    assert window.card.dial() is True
    digits = "".join(c for c in window.detail.customer.phone if c.isdigit() or c == "+")
    assert asked == [f"tel:{digits}"]
    window.close()
