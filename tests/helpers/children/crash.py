"""The real app in a child process, for the crash tests (not collected by pytest).

python tests/helpers/children/crash.py type DATA_DIR
    start a call and type into a note, printing progress
python tests/helpers/children/crash.py check DATA_DIR
    start again, put back what the recovery journal kept, accept the resume offer, print what is there
"""

from __future__ import annotations

import json
import os
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"

TEXT = "Their deliveries were late three weeks running and nobody called them back. " * 20
CHAR_INTERVAL_MS = 15


def start(data_dir: str):
    """The app's own start-up path: lock, checks, backup, main window, resume offer."""
    from pathlib import Path

    from winback_desktop.app import start_gui
    from winback_desktop.paths import Paths

    app, window, _ctx, code = start_gui(Paths(Path(data_dir), custom=True))
    assert code is None and window is not None, f"start-up ended with {code}"
    return app, window


def started_call(app, window):
    """Start Call, and the call window once the database has made the call (a worker thread)."""
    import time

    assert window.start_call() is not None
    deadline = time.monotonic() + 30
    while not window.call_windows and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    return next(iter(window.call_windows.values()))


def type_mode(data_dir: str) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest

    app, window = start(data_dir)
    window.search.setText("Harbourline")  # not booked for anyone (a booked one asks first)
    window.refresh()
    call = started_call(app, window)
    editor = call.editor("what_happened")
    typed = 0

    def type_one() -> None:
        nonlocal typed
        if typed >= len(TEXT):
            return
        QTest.keyClicks(editor, TEXT[typed])
        typed += 1
        print(f"typed {typed}", flush=True)

    timer = QTimer(interval=CHAR_INTERVAL_MS)
    timer.timeout.connect(type_one)
    timer.start()
    print(f"call {call.call_id}", flush=True)
    app.exec()


def check_mode(data_dir: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    offered = []

    def yes(*args, **_kwargs):
        offered.append(args[2])
        return QMessageBox.StandardButton.Yes

    QMessageBox.question = yes  # the user accepts the resume offer made at start-up
    from winback_desktop.ui.call import recovery

    def put_back(_parent, notes, _text):
        offered.append("recovered: " + "; ".join(n.label for n in notes))
        return recovery.RecoveredAnswer.PUT_BACK

    recovery.ask_put_back = put_back  # and puts back what the journal kept, if anything
    app, window = start(data_dir)
    import time

    deadline = time.monotonic() + 20  # a loaded machine may take a while to reach the offer
    while not window.call_windows and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    call = next(iter(window.call_windows.values()), None)
    result = {
        "offered": offered,
        "call_id": call.call_id if call else None,
        "stage": call.current if call else None,
        "text": call.editor("what_happened").value() if call else None,
    }
    print(json.dumps(result), flush=True)
    if call:
        call.close()
    window.close()
    app.processEvents()


if __name__ == "__main__":
    mode, directory = sys.argv[1], sys.argv[2]
    {"type": type_mode, "check": check_mode}[mode](directory)
