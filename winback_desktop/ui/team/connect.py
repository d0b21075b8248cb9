"""File ▸ Connect to a team database…: a URL, a test that really connects (on a worker thread:
a server that does not answer takes seconds to say so), then Connect reopens the app on it and
saves it in the desk config, never with a password; "Use this desk's own database" goes
back to the SQLite file in the data folder. The rules are ``services/team_database.py``'s."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.paths import Paths
from winback_desktop.services import team_database
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.jobs import ThreadJob
from winback_desktop.ui.kit.widgets import buddy_label

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from winback_desktop.services.context import AppContext
    from winback_desktop.ui.roster.ranking import Ranking


class MainWindow(Protocol):
    """What of the main window a reopen uses (ui/main_window.py, which imports this room)."""

    @property
    def call_windows(self) -> Mapping[int, QWidget]: ...  # ui/call's windows (that room imports this one)

    ranking: Ranking

    @property
    def attached_ctx(self) -> AppContext: ...
    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name
    def _closed_calls_saved(self) -> bool: ...
    def _use_ctx(self, ctx: AppContext) -> None: ...
    def offer_first_run(self) -> None: ...
    def ask_who_is_here(self) -> None: ...


log = logging.getLogger(__name__)

EXAMPLE = "postgresql://dana@db.example.com:5432/winback"
INTRO = (
    "A team shares one PostgreSQL database: the executive, the partner and the callers see the "
    "same customers, calls and follow-ups. Name it as postgresql://user@server:port/database."
)
PASSWORD = (
    "No password here: the desk config never saves one. Put it in ~/.pgpass, one line "
    "host:port:database:user:password, readable by you only (chmod 0600 ~/.pgpass), or name a "
    "service of a service file (PGSERVICEFILE) as postgresql:///?service=NAME."
)
# The problems a user can act on, said in the dialog; anything else is a bug.
SAID = (team_database.ServerUrlError, team_database.PasswordInUrlError, team_database.ConnectionFailed)


class ConnectDialog(QDialog):
    """``chosen`` is the paths to reopen the app with once accepted (its ``database_url`` None:
    this desk's own SQLite file); :func:`reopen` remembers them once they opened."""

    def __init__(self, paths: Paths, parent: QWidget | None = None):
        super().__init__(parent)
        self.paths = paths
        self.chosen: Paths | None = None
        self.found: team_database.Found | None = None  # the last test that connected
        self._tested_text: str | None = None  # the URL text that test was for
        self._then_connect = False  # Connect pressed before a test: connect when it succeeds
        self.job: ThreadJob | None = None
        self.setWindowTitle("Connect to a team database")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        now = "the team database " + paths.shown if paths.on_server else f"its own database, {paths.shown}"
        self.now = QLabel(f"This desk now uses {now}.")
        self.now.setWordWrap(True)
        self.now.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        saved = team_database.current(paths)
        start = team_database.as_saved(paths.database_url) if paths.database_url else (saved or "")
        self.url = QLineEdit(start, placeholderText=EXAMPLE)
        self.url.setAccessibleName("Team database URL")
        self.url.textChanged.connect(self._edited)
        hint = QLabel(PASSWORD)
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.buttons = self._buttons(paths)
        row = QHBoxLayout()
        row.addWidget(self.url, 1)
        row.addWidget(self.test_button)
        form = QFormLayout()
        form.addRow(buddy_label("Team database &URL:", self.url), row)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.now)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.result_label, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        ready(self, "connect", QSize(640, 380))

    def _buttons(self, paths: Paths) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.test_button = QPushButton("&Test connection")
        self.test_button.setToolTip("Connect once and say what the server holds; nothing is changed")
        self.connect_button = QPushButton("&Connect")
        self.connect_button.setToolTip("Save this team database for this desk and reopen the app on it")
        self.connect_button.setDefault(True)
        self.local_button = QPushButton("Use this desk's &own database")
        self.local_button.setToolTip(f"Go back to the SQLite file {paths.database}")
        self.local_button.setEnabled(paths.on_server or team_database.current(paths) is not None)
        buttons.addButton(self.local_button, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.test_button.clicked.connect(lambda: self.test())
        self.connect_button.clicked.connect(self.connect_to_server)
        self.local_button.clicked.connect(self.use_own_database)
        buttons.rejected.connect(self.reject)
        return buttons

    # -- what the buttons do ---------------------------------------------------------------------
    def test(self, *, then_connect: bool = False) -> bool:
        """Start the test connection on a worker thread; False when the URL is refused at once
        (said in the dialog)."""
        text = self.url.text().strip()
        if self.job is not None and self.job.running:
            self._then_connect = self._then_connect or then_connect
            return True
        try:
            team_database.check_url(text)
        except SAID as exc:
            self._say(f"Not a URL this desk can use: {exc}.", error=True)
            return False
        self._then_connect = then_connect
        self._say("Connecting… (a server that does not answer is said within a few seconds)")
        self.test_button.setEnabled(False)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.job = ThreadJob(self, lambda _stop: team_database.test_connection(text), "winback-connect-test")
        self.job.done.connect(lambda found: self._tested(text, found))
        self.job.failed.connect(self._failed)
        return True

    def connect_to_server(self) -> None:
        """Connect: after a test of this very URL that connected, save it; else test it first."""
        text = self.url.text().strip()
        if self.found is None or self._tested_text != text:
            self.test(then_connect=True)
            return
        self._choose(text)

    def use_own_database(self) -> None:
        self._choose(None)

    # -- the outcome --------------------------------------------------------------------------
    def _tested(self, text: str, found: team_database.Found) -> None:
        self._job_ended()
        self.found, self._tested_text = found, text
        then = self._then_connect
        self._then_connect = False
        self._say(found.summary + ("" if then else " Press Connect to use it at this desk."))
        if then and self.url.text().strip() == text:
            self._choose(text)

    def _failed(self, exc: Exception) -> None:
        self._job_ended()
        self._then_connect = False
        if not isinstance(exc, SAID):
            raise exc  # a bug: the app's error report has it
        self._say(f"Could not connect. {exc}", error=True)

    def _job_ended(self) -> None:
        QGuiApplication.restoreOverrideCursor()
        self.test_button.setEnabled(True)

    def _edited(self, _text: str) -> None:
        self.found = None
        self._say("")

    def _choose(self, url: str | None) -> None:
        try:
            self.chosen = team_database.paths_for(self.paths, url)
        except SAID as exc:
            self._say(f"Not connected: {exc}.", error=True)
            return
        self.accept()

    def _say(self, text: str, error: bool = False) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(f"color: {palette.colour('LATE')}" if error else "")

    def done(self, r: int) -> None:  # noqa: D102 - Qt override: no answer is waited for after it
        if self.job is not None and self.job.running:
            self.job.stop()
            QGuiApplication.restoreOverrideCursor()
        super().done(r)


def choose_database(window: MainWindow) -> bool:
    """File ▸ Connect to a team database…: the dialog, then the app reopened on the choice;
    True when it was."""
    ctx = window.attached_ctx
    dialog = ConnectDialog(ctx.paths, _widget(window))
    if not dialog.exec() or dialog.chosen is None:
        return False
    return reopen(window, dialog.chosen)


def reopen(window: MainWindow, paths: Paths) -> bool:
    """Every call closed and every note saved, then the window swapped onto the database of
    ``paths`` and that remembered in the desk config; when it cannot be opened, said, and the
    window back on the one it had (the desk config unchanged)."""
    from winback_desktop.bootstrap import open_app

    for call in list(window.call_windows.values()):
        if not call.close():  # its notes still failing, and the user chose to keep trying
            return False
    if not window._closed_calls_saved():
        return False
    window.ranking.stop()
    old = window.attached_ctx
    old.close()
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        ctx = open_app(paths)
    except Exception as exc:
        QGuiApplication.restoreOverrideCursor()
        why = team_database.cannot_open(exc, paths)
        if why is None:  # a bug: back on the database it had, then reported
            _swap(window, open_app(old.paths))
            raise
        log.warning("cannot open %s: %s", paths.shown, why)
        QMessageBox.warning(
            _widget(window),
            "Not connected",
            f"The database {paths.shown} cannot be opened:\n\n{why}\n\n"
            "This desk stays on the database it had.",
        )
        _swap(window, open_app(old.paths))
        return False
    QGuiApplication.restoreOverrideCursor()
    _swap(window, ctx)
    try:
        team_database.remember(paths)
    except OSError as exc:
        QMessageBox.warning(
            _widget(window),
            "Not remembered",
            f"Connected, but the desk config {paths.desk_config} cannot be written ({exc}): "
            "the next start opens the database it had.",
        )
    where = f"the team database {paths.shown}" if paths.on_server else f"this desk's own {paths.shown}"
    log.info("this desk now uses %s", where)
    window.statusBar().showMessage(f"Now on {where}.", 15000)
    if ctx.read_only is None:
        window.ranking.start(quiet=True)  # as at a start: the day's statuses and priorities
    window.offer_first_run()  # an empty team database: our company's name, who is here
    window.ask_who_is_here()  # who is here is per database: asked once on each
    return True


def _widget(window: MainWindow) -> QWidget:
    """The main window as the parent of a dialog (it is a QMainWindow)."""
    assert isinstance(window, QWidget)
    return window


def _swap(window: MainWindow, ctx: AppContext) -> None:
    """The window, and the child jobs it starts from now on, on ``ctx``'s database."""
    ctx.paths.name_to_children()
    window._use_ctx(ctx)
