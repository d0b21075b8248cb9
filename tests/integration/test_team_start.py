"""The app and its commands on a team database: a password given in the URL (by --database-url
or WINBACK_DATABASE_URL) never reaches the log, stdout or stderr; the GUI starts on the server
without the SQLite file's peek, checks and session marker; a child job started by the app
(an import) writes to the same team database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QWidget

from tests.helpers.imports import write_csv
from tests.helpers.paths import ROOT
from tests.helpers.test_database import drop_database, fresh_database, server_url
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import ENV_DATABASE_URL, resolve
from winback_desktop.services import roster

SECRET = "pw-Zq8-never-logged"


@pytest.fixture
def team_url() -> Iterator[str]:
    if server_url() is None:
        pytest.skip("needs a PostgreSQL server: set WINBACK_TEST_DATABASE_URL")
    name, url = fresh_database()
    try:
        yield url
    finally:
        drop_database(name)


def _with_password(url: str) -> str:
    """The URL with a password the test server (trust authentication) never asks for."""
    user, rest = url.split("://", 1)[1].split("@", 1)
    return f"postgresql://{user}:{SECRET}@{rest}"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _winback(
    args: list[str], env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "winback_desktop", *args],
        env=full, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def test_a_password_in_the_url_is_never_printed_and_a_lost_server_is_named(data_dir):
    url = f"postgresql://dana:{SECRET}@127.0.0.1:{_closed_port()}/winback"
    for args, env in (
        (["--database-url", url, "people", "list"], {}),
        (["people", "list"], {ENV_DATABASE_URL: url}),
    ):
        done = _winback(["--data-dir", str(data_dir), *args], env)
        said = done.stdout + done.stderr
        assert done.returncode == 1 and "Traceback" not in said, said
        assert "the team database at 127.0.0.1 cannot be reached" in done.stderr, said
        assert SECRET not in said
    shown = _winback(["--data-dir", str(data_dir), "--database-url", url, "paths"])
    assert shown.returncode == 0 and "dana:***@127.0.0.1" in shown.stdout and SECRET not in shown.stdout
    bad = _winback(["--data-dir", str(data_dir), "--database-url", f"mysql://dana:{SECRET}@h/db", "people"])
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and SECRET not in bad.stdout + bad.stderr
    assert "PostgreSQL" in bad.stderr, bad.stderr


def test_the_app_starts_on_a_server_and_never_logs_the_password(data_dir, team_url):
    env = {ENV_DATABASE_URL: _with_password(team_url), "WINBACK_EXIT_WHEN_SHOWN": "1"}
    done = _winback(["--data-dir", str(data_dir)], env)
    assert done.returncode == 0 and "ready" in done.stdout, done.stdout + done.stderr
    log = (data_dir / "logs" / "winback.log").read_text(encoding="utf-8")
    assert "***@127.0.0.1" in log, log  # the database is named, its password hidden
    assert SECRET not in log and SECRET not in done.stdout + done.stderr
    assert not (data_dir / "winback.sqlite3").exists()  # no peek, no check, no local file made
    assert not (data_dir / "session.open").exists()  # the session marker is the SQLite file's


def test_an_import_started_by_the_app_writes_to_the_team_database(
    qtbot, data_dir, tmp_path, team_url, monkeypatch
):
    from winback_desktop.ui.kit.jobs import run_in_background

    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    paths = resolve(data_dir, team_url)
    ctx = open_app(paths)
    try:
        paths.name_to_children()  # what the app does at start and on File ▸ Connect…
        rows = [["Nr", "Name"], ["501", "Alpha GmbH"], ["502", "Beta AG"]]
        csv = write_csv(tmp_path / "customers.csv", rows)
        mapping = json.dumps({"external_id": "Nr", "company": "Name"})
        parent = QWidget()
        qtbot.addWidget(parent)
        ended: list[bool] = []
        out: list[str] = []
        job = "winback_desktop.jobs.import_file"
        run_in_background(
            parent, job, [str(data_dir), "customers", str(csv), mapping], ended.append, out.append
        )
        qtbot.waitUntil(lambda: bool(ended), timeout=60000)
        assert ended == [True], out
        assert {r.company for r in roster.roster_page(ctx, limit=10)} == {"Alpha GmbH", "Beta AG"}
        assert not (data_dir / "winback.sqlite3").exists()
        local = open_app(replace(paths, database_url=None))  # this desk's own file got nothing
        try:
            assert roster.roster_page(local, limit=10) == []
        finally:
            local.close()
    finally:
        ctx.close()
