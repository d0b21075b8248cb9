"""Desktop start-up: paths, logging, the Qt application, the main window."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from winback_desktop import APP_NAME, __version__
from winback_desktop.paths import Paths, resolve

log = logging.getLogger("winback_desktop")


def setup_logging(paths: Paths) -> Path:
    paths.logs.mkdir(parents=True, exist_ok=True)
    log_file = paths.logs / "winback.log"
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return log_file


def create_app(argv: list[str] | None = None):
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from winback_desktop.resources import resource_root
    from winback_desktop.ui.style import STYLE

    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("winback-desk")
    icon = resource_root() / "icons" / "winback-desk.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    app.setStyleSheet(STYLE)
    return app


def run_gui(data_dir: str | None = None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from winback_desktop.services.context import DatabaseDamagedError, open_app
    from winback_desktop.store.migrate import SchemaTooNewError
    from winback_desktop.ui.main_window import MainWindow

    paths = resolve(data_dir).ensure()
    log_file = setup_logging(paths)
    log.info("starting %s %s with data dir %s", APP_NAME, __version__, paths.data_dir)
    app = create_app()
    try:
        ctx = open_app(paths)
    except (DatabaseDamagedError, SchemaTooNewError, OSError) as exc:
        log.exception("cannot open the database")
        QMessageBox.critical(None, APP_NAME, f"{exc}\n\nThe log is at {log_file}.")
        return 1
    window = MainWindow(ctx)
    window.show()
    QTimer.singleShot(0, lambda: window.offer_resume() if _has_unfinished(ctx) else None)
    code = app.exec()
    ctx.close()
    return code


def _has_unfinished(ctx) -> bool:
    from winback_desktop.services.calls import unfinished_calls

    return bool(unfinished_calls(ctx))
