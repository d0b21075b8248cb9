"""The schema of a team database: desks starting at once on a new one, and one behind or ahead.

Both runs: plain (SQLite: the desks share one data folder's file) and with
WINBACK_TEST_DATABASE_URL (PostgreSQL: one empty database on the server, made by the first
desk under the migration's advisory lock while the others wait)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.helpers.test_database import drop_database, empty_database, server_url
from winback_desktop.paths import resolve
from winback_desktop.store.connection import make_engine
from winback_desktop.store.migrate import SchemaTooNewError, alembic_config, current_revision, head_revision
from winback_desktop.store.models import DepartureReason
from winback_desktop.store.read_only import ReadOnlyError

ROOT = Path(__file__).resolve().parents[2]
DESKS = 4
DEADLINE_S = 120

# A desk: ready once imported, waits for the word, opens the database (creating it), and says
# what it found. All four open it within a few milliseconds of each other.
DESK = """
import sys, time
from pathlib import Path
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import resolve
ready, go = Path(sys.argv[2]), Path(sys.argv[3])
ready.touch()
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("never told to go")
    time.sleep(0.001)
ctx = open_app(resolve(sys.argv[1]))
print("read-only" if ctx.read_only else "ok", flush=True)
ctx.close()
"""


@pytest.fixture
def empty_team(monkeypatch):
    """The URL of an empty team database on the server (None on the SQLite run), named to the
    desks by WINBACK_DATABASE_URL."""
    if server_url() is None:
        yield None
        return
    name, url = empty_database()
    monkeypatch.setenv("WINBACK_DATABASE_URL", url)
    try:
        yield url
    finally:
        drop_database(name)


def _start_desks(tmp_path: Path, data_dirs: list[Path]) -> list[subprocess.CompletedProcess[str]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))),
    }
    go = tmp_path / "go"
    procs = []
    for i, d in enumerate(data_dirs):
        args = [sys.executable, "-c", DESK, str(d), str(tmp_path / f"ready-{i}"), str(go)]
        procs.append(
            subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    deadline = time.monotonic() + DEADLINE_S
    while not all((tmp_path / f"ready-{i}").exists() for i in range(len(procs))):
        assert time.monotonic() < deadline, "the desks never got ready"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs if p.poll() is not None]
        time.sleep(0.01)
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=DEADLINE_S)
        results.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return results


def test_four_desks_starting_at_once_on_a_new_database_all_open_it_made_once(tmp_path, data_dir, empty_team):
    # On a server each desk has its own data folder (its own machine); on SQLite they share one.
    dirs = [tmp_path / f"desk-{i}" for i in range(DESKS)] if empty_team else [data_dir] * DESKS
    results = _start_desks(tmp_path, dirs)
    assert [(r.returncode, r.stdout.strip()) for r in results] == [(0, "ok")] * DESKS, [
        r.stderr[-2000:] for r in results if r.returncode
    ]
    engine = make_engine(empty_team or resolve(data_dir).database)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
            reasons = conn.scalar(select(func.count()).select_from(DepartureReason))
            codes = conn.scalar(select(func.count(func.distinct(DepartureReason.code))))
        assert reasons == codes > 0  # the catalogue seeded once, not once per desk
    finally:
        engine.dispose()


def _upgrade_to(url_or_path, revision: str) -> None:
    from alembic import command

    engine = make_engine(url_or_path)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def test_a_database_behind_this_version_is_upgraded_on_a_desk_and_left_to_its_owner_on_a_team(
    data_dir, empty_team
):
    from winback_desktop.bootstrap import open_app
    from winback_desktop.services.people.team import add_person

    paths = resolve(data_dir)
    paths.ensure()
    _upgrade_to(empty_team or paths.database, "0007")
    ctx = open_app(paths)
    try:
        head = head_revision()
        if empty_team is None:  # a desk's own file: upgraded (after a backup), written as always
            assert ctx.read_only is None
            assert current_revision(ctx.engine) == head
            assert list(paths.backups.glob("pre-migrate-0007-*.sqlite3"))
            return
        assert ctx.read_only == (
            f"the team database is at schema 0007; this version needs {head}: "
            "whoever owns the database runs `winback db upgrade`"
        )
        with pytest.raises(ReadOnlyError) as refused:
            add_person(ctx, "Priya Raman", "caller")
        assert "whoever owns the database runs `winback db upgrade`" in str(refused.value)
        with pytest.raises(DBAPIError, match="read-only transaction"), ctx.engine.connect() as conn:
            conn.execute(text("INSERT INTO settings (key, value) VALUES ('k', 'v')"))  # another way in
        assert current_revision(ctx.engine) == "0007"  # the desk changed nothing
    finally:
        ctx.close()


def test_a_team_database_from_a_newer_version_is_refused_naming_the_server(data_dir, empty_team):
    from winback_desktop.bootstrap import open_app

    if empty_team is None:
        pytest.skip("the SQLite file's refusal is tests/store/test_store.py's")
    _upgrade_to(empty_team, "head")
    engine = make_engine(empty_team)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(SchemaTooNewError) as refused:
        open_app(resolve(data_dir))
    message = str(refused.value)
    assert message.startswith("The team database postgresql+psycopg://postgres@127.0.0.1:")
    assert "(schema 9999)" in message and "Please update the app" in message
    assert "file" not in message
