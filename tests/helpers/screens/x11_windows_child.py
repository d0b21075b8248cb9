"""Child of tests/ui/test_small_screens.py, run under Xvfb (with openbox when installed):
open every window of the app on the sample data and print, one JSON line per window, where it
is, where the screen is, and every button not wholly on screen and in its window.

    python x11_windows_child.py DATA_DIR TMP_DIR [SHOTS_DIR]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QMainWindow,
    QStatusBar,
    QWidget,
)

SETTLE_S = 3.0  # the longest a window manager takes to frame a window here (it takes ~50 ms)


def wait_for(condition: Callable[[], bool], timeout: float = SETTLE_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def start_window_manager() -> subprocess.Popen[bytes] | None:
    if shutil.which("openbox") is None:
        return None
    return subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def shown_part(widget: QWidget, window: QWidget) -> QRect:
    """The part of ``widget`` its ancestors up to ``window`` let show, in window coordinates; a
    scroll area's viewport does not count (scrolling brings what it hides into view)."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        area = parent.parentWidget()
        if not (isinstance(area, QAbstractScrollArea) and area.viewport() is parent):
            rect &= QRect(parent.mapTo(window, QPoint(0, 0)), parent.size())
        parent = parent.parentWidget()
    return rect & window.rect()


def cut_buttons(window: QWidget) -> list[str]:
    cut = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisible() or button.window() is not window or button.width() == 0:
            continue
        whole = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        if shown_part(button, window) != whole:
            cut.append(button.text().replace("&", "") or button.toolTip() or button.objectName())
    return cut


def report(name: str, window: QWidget, wm: bool) -> dict[str, object]:
    if wm:  # the frame comes from the window manager a moment after the window maps
        wait_for(lambda: window.frameGeometry() != window.geometry())
    frame, available = window.frameGeometry(), window.screen().availableGeometry()
    out: dict[str, object] = {
        "name": name,
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "screen": [available.x(), available.y(), available.width(), available.height()],
        "inside": available.contains(frame),
        "cut": cut_buttons(window),
    }
    bar = window.findChild(QStatusBar) if isinstance(window, QMainWindow) else None
    if bar is not None and bar.isVisible():
        out["status_bar"] = shown_part(bar, window) == QRect(bar.mapTo(window, QPoint(0, 0)), bar.size())
    return out


def main(data_dir: Path, tmp: Path, shots: Path | None) -> None:
    from tests.helpers.screens.windows import every_window
    from winback_desktop.app import create_app
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths
    from winback_desktop.services.demo import load_demo

    wm = start_window_manager()
    try:
        ctx = open_app(Paths(data_dir, custom=True))
        load_demo(ctx)
        create_app()
        for name, window in every_window(ctx, tmp):
            wait_for(lambda w=window: w.windowHandle() is not None and w.windowHandle().isExposed())
            print(json.dumps(report(name, window, wm is not None)), flush=True)
            if shots is not None:
                QApplication.processEvents()
                window.grab().save(str(shots / f"{name}.png"))
        ctx.close()
    finally:
        if wm is not None:
            wm.terminate()
            wm.wait(5)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None)
