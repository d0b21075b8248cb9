"""The app's own start-up in a child process, for the disk tests (not collected by pytest).

    python start_child.py DATA_DIR

Runs ``app.start_gui`` as ``winback`` does. Every dialog is recorded (and answered No: never
"restore", never "end anyway"); prints one JSON line: the exit code (null: the window is up),
the dialogs, and what the window shows: why it is read-only, its banner, the rows, which
editing actions are still on, whether a lock, a background job or a re-rank was started.
A child because start-up sets the umask, the root logger, the excepthook and the lock for the
whole process.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ["QT_QPA_PLATFORM"] = "offscreen"


def record_dialogs() -> list[dict[str, str]]:
    from PySide6.QtWidgets import QMessageBox

    from winback_desktop.ui.kit import confirm as confirm_module

    shown: list[dict[str, str]] = []

    def recorder(kind: str):
        def show(*args: Any, **_kwargs: Any) -> QMessageBox.StandardButton:
            shown.append({"kind": kind, "text": str(args[2]) if len(args) > 2 else ""})
            return QMessageBox.StandardButton.No

        return show

    for kind in ("critical", "warning", "information", "question"):
        setattr(QMessageBox, kind, staticmethod(recorder(kind)))

    def confirm(_parent: object, _title: str, text: str, **_kwargs: Any) -> bool:
        shown.append({"kind": "confirm", "text": text})
        return False

    confirm_module.confirm = confirm
    return shown


def main(data_dir: str) -> None:
    shown = record_dialogs()
    from winback_desktop import app as app_module
    from winback_desktop.app import start_gui
    from winback_desktop.paths import Paths
    from winback_desktop.ui.kit.read_only import is_editing

    app, window, ctx, code = start_gui(Paths(Path(data_dir), custom=True))
    out: dict[str, Any] = {"code": code, "dialogs": shown}
    if window is not None and ctx is not None:  # no event loop: the queued dialogs never show
        out.update(
            read_only=ctx.read_only,
            banner=window.read_only_banner.text() if window.read_only_banner else None,
            rows=window.model.rowCount(),
            editing_on=[name for name, a in window.commands.items() if is_editing(a) and a.isEnabled()],
            start_button=window.start_button.isEnabled(),
            lock=app_module._HELD.lock is not None,
            jobs=len(window.background_jobs),
            ranking=window.ranking.running,
        )
        window.close()
        ctx.close()
        if app_module._HELD.lock is not None:
            app_module._HELD.lock.release()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
