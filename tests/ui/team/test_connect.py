"""File ▸ Connect to a team database…: the test connection really connects (off the GUI
thread) and says what it found or what is wrong; Connect reopens the window on the server and
remembers the URL without password; "Use this desk's own database" goes back to the file."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.helpers.test_database import drop_database, fresh_database, server_url
from winback_desktop import desk
from winback_desktop.paths import ENV_DATABASE_URL
from winback_desktop.services import roster, team_database
from winback_desktop.services.demo import load_demo
from winback_desktop.services.people import team as people
from winback_desktop.store.migrate import shipped_head
from winback_desktop.ui.main_window import MainWindow
from winback_desktop.ui.team.connect import ConnectDialog, reopen


@pytest.fixture
def team_url() -> Iterator[str]:
    """A fresh, migrated team database on the test server (WINBACK_TEST_DATABASE_URL)."""
    if server_url() is None:
        pytest.skip("needs a PostgreSQL server: set WINBACK_TEST_DATABASE_URL")
    name, url = fresh_database()
    try:
        yield url
    finally:
        drop_database(name)


def _tested(qtbot, dialog: ConnectDialog, url: str) -> str:
    dialog.url.setText(url)
    assert dialog.test()
    assert dialog.job is not None and dialog.job.running  # off the GUI thread: the dialog still answers
    qtbot.waitUntil(lambda: not dialog.job.running and dialog.result_label.text() != "", timeout=20000)
    return dialog.result_label.text()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once closed


def test_a_refused_connection_and_an_unknown_host_are_said(qtbot, paths):
    dialog = ConnectDialog(paths)
    qtbot.addWidget(dialog)
    said = _tested(qtbot, dialog, f"postgresql://dana@127.0.0.1:{_closed_port()}/winback")
    assert "Could not connect" in said and "127.0.0.1" in said and "refused" in said, said
    said = _tested(qtbot, dialog, "postgresql://dana@no-such-host.invalid/winback")
    assert "no-such-host.invalid" in said and "unknown host" in said, said
    assert not paths.desk_config.exists()  # a test changes nothing


def test_what_is_not_a_team_url_is_said_before_connecting(qtbot, paths):
    dialog = ConnectDialog(paths)
    qtbot.addWidget(dialog)
    dialog.url.setText("mysql://dana@server/winback")
    assert not dialog.test()
    assert "PostgreSQL" in dialog.result_label.text()
    dialog.url.setText("postgresql://dana@server")
    assert not dialog.test() and "no database" in dialog.result_label.text()


def test_a_url_with_a_password_is_refused_saying_where_the_password_goes(qtbot, paths):
    dialog = ConnectDialog(paths)
    qtbot.addWidget(dialog)
    dialog.url.setText("postgresql://dana:s3cret-pw@127.0.0.1/winback")
    dialog.connect_to_server()
    said = dialog.result_label.text()
    assert "password" in said and "~/.pgpass" in said and "0600" in said and "PGSERVICEFILE" in said
    assert "s3cret-pw" not in said
    assert dialog.chosen is None and dialog.result() == 0 and not paths.desk_config.exists()
    with pytest.raises(desk.PasswordInUrlError):
        desk.with_team_database(desk.DeskConfig(), "postgresql://dana:s3cret-pw@127.0.0.1/winback")


def test_the_test_says_the_server_version_the_schema_and_the_customers(qtbot, paths, team_url):
    dialog = ConnectDialog(paths)
    qtbot.addWidget(dialog)
    said = _tested(qtbot, dialog, team_url)
    assert "PostgreSQL 1" in said and f"revision {shipped_head()}" in said and "no customers" in said, said


def test_the_login_refused_names_the_password_file(qtbot, paths, team_url):
    dialog = ConnectDialog(paths)
    qtbot.addWidget(dialog)
    said = _tested(qtbot, dialog, team_url.replace("postgres@", "nobody-here@", 1))
    assert "refused the login" in said and "~/.pgpass" in said and "0600" in said, said


@pytest.fixture
def own_ctx(paths):
    """This desk's own SQLite file with the sample data, whichever database the run uses."""
    from winback_desktop.bootstrap import open_app

    ctx = open_app(replace(paths, database_url=None))
    load_demo(ctx)
    yield ctx
    ctx.close()


def test_connect_reopens_on_the_server_and_back_with_who_is_here_per_database(
    qtbot, own_ctx, team_url, monkeypatch
):
    demo_ctx = own_ctx
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)  # the app started on its own file
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    monkeypatch.setattr(window, "offer_first_run", lambda: None)  # its dialog is tested elsewhere
    monkeypatch.setattr(window, "ask_who_is_here", lambda: None)
    window.show()
    here = people.list_people(demo_ctx)[0]
    people.set_current_user(demo_ctx, here.id)
    before = window.model.rowCount()
    assert before > 0
    own = demo_ctx.paths
    shown = team_database.test_connection(team_url).url

    assert reopen(window, team_database.paths_for(own, team_url))
    ctx = window.attached_ctx
    assert ctx.paths.on_server and ctx is not demo_ctx
    qtbot.waitUntil(lambda: window.model.rowCount() == len(roster.roster_page(ctx, limit=1000)))
    saved = json.loads(own.desk_config.read_text())
    assert saved["database_url"] == shown and "password" not in saved["database_url"]
    assert os.environ[ENV_DATABASE_URL] == ctx.paths.database_url  # the child jobs' database
    assert people.current_user(ctx) is None  # who is here is per database
    assert desk.database_key(ctx.paths) == shown
    assert saved["current_users"] == {desk.database_key(own): here.id}  # the file's, kept

    dialog = ConnectDialog(ctx.paths, window)
    qtbot.addWidget(dialog)
    assert dialog.url.text() == shown and dialog.local_button.isEnabled()
    dialog.use_own_database()
    assert dialog.chosen is not None and not dialog.chosen.on_server
    assert reopen(window, dialog.chosen)
    back = window.attached_ctx
    assert not back.paths.on_server
    assert "database_url" not in json.loads(own.desk_config.read_text())
    assert ENV_DATABASE_URL not in os.environ
    assert people.current_user(back).id == here.id  # this desk's choice on its own file stays
    qtbot.waitUntil(lambda: window.model.rowCount() == before)
    back.close()
