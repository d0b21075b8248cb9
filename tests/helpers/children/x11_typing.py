"""Run under Xvfb by test_typing_during_start_up.py: a real X server and real key presses.

    python tests/helpers/children/x11_typing.py DATA_DIR WORD

Paints the first screen, types WORD with xdotool while the start-up is blocked (the event loop
is not running, as while SQLAlchemy loads), attaches the window, runs the event loop, and
prints what the search box and the roster then hold.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop

from winback_desktop.app import create_app, show_first_paint
from winback_desktop.paths import Paths


def main() -> int:
    paths = Paths(Path(sys.argv[1]), custom=True)
    app = create_app()
    window = show_first_paint(app, paths)
    window.activateWindow()
    window.search.setFocus()
    app.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    subprocess.run(["xdotool", "windowfocus", "--sync", str(int(window.winId()))], check=True)
    subprocess.run(["xdotool", "type", "--delay", "20", sys.argv[2]], check=True)

    from winback_desktop.bootstrap import open_app

    window.attach(open_app(paths, check=False))
    print(f"attached {window.search.text()!r}", flush=True)
    end = time.monotonic() + 1.5  # longer than the search delay
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    print(f"typed {window.search.text()!r}", flush=True)
    print(f"rows {window.model.rowCount()} {window.roster.count_label.text()}", flush=True)
    sys.stdout.flush()
    os._exit(0)  # skip teardown: the test reads the output only


if __name__ == "__main__":
    sys.exit(main())
