"""On a team database the desk's SQLite backups do not apply: the window says whose backups do
(File ▸ Back up now, Restore from backup…, the start-up's daily backup) instead of silently
never backing up, and an ended call writes no copy of a file it does not use. On the SQLite
file the same actions back it up as before."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.helpers.dialogs import Answerer
from tests.helpers.test_database import drop_database, fresh_database, server_url
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import resolve
from winback_desktop.services.demo import load_demo
from winback_desktop.services.maintenance import backups as maintenance
from winback_desktop.ui.call import window as call_window
from winback_desktop.ui.kit import damage
from winback_desktop.ui.main_window import MainWindow

Button = QMessageBox.StandardButton
pytestmark = pytest.mark.skipif(
    server_url() is None, reason="needs a PostgreSQL server (WINBACK_TEST_DATABASE_URL)"
)


@pytest.fixture
def team_ctx(data_dir):
    name, url = fresh_database()
    ctx = open_app(resolve(data_dir, url))
    load_demo(ctx)
    yield ctx
    ctx.close()
    drop_database(name)


def test_back_up_now_on_a_team_database_says_whose_backups_apply(qtbot, team_ctx, tmp_path):
    window = MainWindow(team_ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    answerer = Answerer([Button.Ok], shots=tmp_path).start()
    window.commands["backup"].trigger()
    qtbot.waitUntil(lambda: bool(answerer.seen))
    ((title, text),) = answerer.seen
    assert title == "Backups of the team database"
    assert text == maintenance.SERVER_BACKUPS and "winback db dump" in text
    assert not team_ctx.paths.backups.exists() or not list(team_ctx.paths.backups.iterdir())
    (tmp_path / "restore").mkdir()
    answerer = Answerer([Button.Ok], shots=tmp_path / "restore").start()
    assert window.restore_backup() is False  # no file dialog: the server's backups apply
    qtbot.waitUntil(lambda: bool(answerer.seen))
    assert "pg_restore" in answerer.seen[0][1]


def test_the_daily_backup_on_a_team_database_says_so_on_the_status_line(qtbot, team_ctx):
    window = MainWindow(team_ctx)
    qtbot.addWidget(window)
    window.show()
    watch = damage.watch(window, team_ctx.paths)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == maintenance.SERVER_BACKUPS)
    assert not getattr(window, "background_jobs", [])  # no check or backup job of a file started
    assert watch.damage is None


def test_an_ended_call_on_a_team_database_writes_no_copy_and_logs_no_error(team_ctx, caplog):
    with caplog.at_level(logging.INFO):
        call_window._backup_after_call(team_ctx, 1)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not team_ctx.paths.backups.exists() or not list(team_ctx.paths.backups.iterdir())
