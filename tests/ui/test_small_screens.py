"""Every window fits a laptop: on a real X server at 1366x768 and 1280x720 (with openbox framing
the windows when it is installed), each window opens inside the available screen and every
button in it is wholly shown; sizes are remembered per user and never outgrow the screen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QDialog

from tests.helpers.paths import ROOT
from winback_desktop.ui.kit.access import geometry

needs_x = pytest.mark.skipif(not shutil.which("xvfb-run"), reason="needs xvfb-run")
WINDOWS = {  # every window tests/helpers/windows.py opens: none may go missing from the check
    "main-customers", "main-today", "main-follow-ups", "main-cycles", "main-shortcuts",
    "call-initiate", "call-probe", "call-earn", "call-close", "call-with-step", "call-shortcuts",
    "sheet-preview", "import", "imports", "volume", "new-cycle", "fill-cycle", "schedule", "attempt",
    "due-date", "note", "people", "person-form", "choose-user", "connect", "conflict",
}  # fmt: skip


@needs_x
@pytest.mark.parametrize("screen", ["1366x768", "1280x720"])
def test_every_window_and_its_buttons_fit_a_laptop_screen(tmp_path, screen):
    data, scratch = tmp_path / "data", tmp_path / "scratch"
    scratch.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", sys.executable,
         str(ROOT / "tests" / "helpers" / "screens" / "x11_windows_child.py"), str(data), str(scratch)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    reports = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert {r["name"] for r in reports} == WINDOWS, out.stdout + out.stderr
    width, height = (int(x) for x in screen.split("x"))
    for r in reports:
        assert r["screen"][2:] == [width, height]
        assert r["inside"], f"{r['name']} at {r['frame']} is not inside the screen {r['screen']}"
        assert r["cut"] == [], f"{r['name']}: buttons not wholly shown: {r['cut']}"
        assert r.get("status_bar", True), f"{r['name']}: its status bar is cut off"


def test_a_window_opens_at_the_size_it_was_left_at(qtbot):
    first = QDialog()
    qtbot.addWidget(first)
    geometry.fit(first, "probe", QSize(400, 300))
    assert first.size() == QSize(400, 300)
    first.show()
    first.resize(520, 340)
    first.close()
    again = QDialog()
    qtbot.addWidget(again)
    geometry.fit(again, "probe", QSize(400, 300))
    assert again.size() == QSize(520, 340)
    assert (geometry.user_config_dir() / geometry.FILE_NAME).is_file()


def test_no_window_opens_bigger_than_its_screen(qtbot):
    available = QApplication.primaryScreen().availableGeometry()
    geometry.remember_size("huge", QSize(available.width() * 2, available.height() * 2))
    dialog = QDialog()
    qtbot.addWidget(dialog)
    geometry.fit(dialog, "huge", QSize(300, 200))
    dialog.show()
    frame_guess = geometry.FRAME_GUESS
    assert dialog.width() <= available.width() - frame_guess.width()
    assert dialog.height() <= available.height() - frame_guess.height()
    assert available.contains(dialog.frameGeometry().topLeft())
