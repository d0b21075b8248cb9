"""Under a dark desktop theme the Goal box, the listen-first guard and the banners stay readable:
rendered for real, their words stand out from their face by at least WCAG AA's 4.5:1."""

from __future__ import annotations

from array import array
from collections import Counter

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from winback_desktop.services import roster
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.ui.call.window import CallWindow
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.damage import DamageWatch
from winback_desktop.ui.kit.read_only import read_only_banner


def dark_palette() -> QPalette:
    p = QPalette()
    window, text, base = QColor("#202124"), QColor("#e8eaed"), QColor("#17181a")
    for role, colour in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, QColor("#9aa0a6")),
        (QPalette.ColorRole.Link, QColor("#8ab4f8")),
    ):
        p.setColor(role, colour)
    return p


@pytest.fixture(params=["light", "dark"])
def theme(request):
    app = QApplication.instance()
    before = app.palette()
    if request.param == "dark":
        app.setPalette(dark_palette())
    assert palette.dark() == (request.param == "dark")
    yield request.param
    app.setPalette(before)


def luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def words_on_face(widget: QWidget) -> tuple[float, float]:
    """Render ``widget``; its face is its commonest colour inside the border, its words the
    pixel that stands out most from it: (their contrast ratio, the face's luminance)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    inside = image.copy(4, 4, image.width() - 8, image.height() - 8)
    pixels = array("I", bytes(inside.constBits()))  # one 0xffRRGGBB per pixel
    counts = Counter(pixels)
    face = QColor.fromRgb(counts.most_common(1)[0][0])
    return max(contrast(face, QColor.fromRgb(rgb)) for rgb in counts), luminance(face)


def readable(widget: QWidget, theme: str) -> bool:
    """Words at 4.5:1 or more on a face that follows the theme (no pale box in a dark window)."""
    ratio, face = words_on_face(widget)
    return ratio >= 4.5 and (face < 0.2 if theme == "dark" else face > 0.5)


def open_call(qtbot, ctx) -> CallWindow:
    customer = roster.roster_search(ctx, text="Harbourline").rows[0]
    window = CallWindow(ctx, calls.start_call(ctx, customer.id))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_goal_and_the_guard_are_readable_in_either_theme(qtbot, demo_ctx, theme):
    call = open_call(qtbot, demo_ctx)
    call.go_to("earn")  # the guard shows: nothing is noted in Probe
    page = call.pages["earn"]
    qtbot.waitUntil(page.guard.isVisible)
    goal = next(w for w in page.findChildren(QLabel) if w.objectName() == "goal")
    assert readable(goal, theme)
    assert readable(page.guard, theme)


def test_the_banners_are_readable_in_either_theme(qtbot, paths, theme):
    window = QMainWindow()
    qtbot.addWidget(window)
    central = QWidget()
    QVBoxLayout(central)
    window.setCentralWidget(central)
    banner = read_only_banner("the disk is full", central)
    central.layout().addWidget(banner)
    watch = DamageWatch(window, paths)
    watch._show_banner()
    window.resize(900, 300)
    window.show()
    qtbot.waitExposed(window)
    assert watch.banner is not None
    assert readable(banner, theme)
    assert readable(watch.banner, theme)


def test_every_dark_colour_has_a_light_one():
    assert set(palette.DARK) <= {n for n in dir(palette) if n.isupper() and n != "DARK"}
