"""``winback db`` (upgrade, dump, copy) and ``winback doctor`` / ``winback backup`` on a team
database, on a real PostgreSQL server (the test seam's: ``WINBACK_TEST_DATABASE_URL``), with
this desk's own SQLite file as the copy's source. Without a server, the server's half skips;
the SQLite half (db upgrade, db dump of the file) runs both ways."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.helpers.paths import ROOT
from tests.helpers.test_database import drop_database, empty_database, fresh_database, server_url
from winback_desktop.bootstrap import open_app
from winback_desktop.cli.entry import main
from winback_desktop.paths import Paths, resolve
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.demo import load_demo
from winback_desktop.services.imports.importer import import_customers
from winback_desktop.services.maintenance import backups
from winback_desktop.store.migrate import shipped_head
from winback_desktop.store.models import Base

DATA = ROOT / "tests" / "data"
needs_server = pytest.mark.skipif(
    server_url() is None, reason="needs a PostgreSQL server (WINBACK_TEST_DATABASE_URL)"
)


@pytest.fixture(autouse=True)
def keep_umask():
    """main() sets a private umask for the whole process; put the test runner's back."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


@pytest.fixture
def empty_target() -> Iterator[str]:
    """A database on the server with no tables at all: what a team's admin makes (createdb)."""
    name, url = empty_database()
    yield url
    drop_database(name)


@pytest.fixture
def local(data_dir: Path) -> Paths:
    """This desk's own SQLite file in the data dir, whatever database the run names."""
    return Paths(data_dir, custom=True)


@pytest.fixture
def local_data(local: Paths) -> Paths:
    """The demo data, an import batch, and a call in progress with typed notes, in the file."""
    ctx = open_app(local)
    try:
        load_demo(ctx)
        import_customers(ctx, DATA / "hubspot_companies_bom.csv")
        with ctx.sessions() as s:
            customer = s.execute(text("SELECT min(id) FROM customers")).scalar_one()
        call_id = calls.start_call(ctx, customer)
        calls.save_field(ctx, call_id, "probe", "heard_back", "Ödegård said: 'the price', then — nothing")
    finally:
        ctx.close()
    return local


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(url_or_path: str | Path) -> dict[str, int]:
    url = f"sqlite:///{url_or_path}" if isinstance(url_or_path, Path) else url_or_path
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            have = set(conn.dialect.get_table_names(conn))
            return {
                t.name: conn.execute(text(f"SELECT count(*) FROM {t.name}")).scalar_one()  # noqa: S608
                for t in Base.metadata.sorted_tables
                if t.name in have
            }
    finally:
        engine.dispose()


def values(url_or_path: str | Path, table: str, *columns: str) -> list[tuple]:
    """The columns' values, row by row in id order, read through the model (same types)."""
    from sqlalchemy import select

    url = f"sqlite:///{url_or_path}" if isinstance(url_or_path, Path) else url_or_path
    t = Base.metadata.tables[table]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                tuple(r) for r in conn.execute(select(*(t.c[c] for c in columns)).order_by(*t.primary_key))
            ]
    finally:
        engine.dispose()


# --- db copy ---------------------------------------------------------------------------------------


@needs_server
def test_copy_moves_every_row_into_an_empty_team_database_and_the_desks_can_work_on_it(
    capsys, local_data, empty_target
):
    d = str(local_data.data_dir)
    before = rows_of(local_data.database)
    assert before["customers"] > 50 and before["imports"] == 1 and before["stage_answers"] > 0
    code, out, err = run(capsys, "--data-dir", d, "db", "copy", "--to", empty_target)
    assert code == 0, err
    assert rows_of(empty_target) == before  # every table, row for row
    for table, n in before.items():  # and the printed counts say so
        assert any(line.split() == [table, f"{n:,}"] for line in out.splitlines()), table
    assert "counts checked" in out
    for table, *columns in (
        ("customers", "id", "company", "notes", "value_lost", "last_purchase", "import_id"),
        ("imports", "id", "file_name", "sha256", "rows", "imported_at", "tracked"),
        ("stage_answers", "call_id", "stage", "field", "value", "updated_at"),
        ("calls", "id", "customer_id", "status", "started_at", "keep_in_touch"),
    ):
        copied = values(empty_target, table, *columns)
        assert copied == values(local_data.database, table, *columns), table
        assert copied, table
    # The sequences moved on: a desk on the team database adds rows without a clash.
    ctx = open_app(resolve(local_data.data_dir, empty_target))
    try:
        from winback_desktop.services.people import team

        added = team.add_person(ctx, "Priya Raman", "caller", "Recovery caller")
        assert added > max(r[0] for r in values(local_data.database, "people", "id"))
        import_customers(ctx, DATA / "salesforce_accounts.tsv")
    finally:
        ctx.close()
    assert run(capsys, "--database-url", empty_target, "doctor")[0] == 0


@needs_server
def test_copy_refuses_a_team_database_that_holds_data_and_changes_nothing(capsys, local_data):
    name, url = fresh_database()
    try:
        ctx = open_app(resolve(local_data.data_dir, url))
        from winback_desktop.services.people import team

        team.add_person(ctx, "Priya Raman", "caller", "Recovery caller")
        ctx.close()
        before = rows_of(url)
        code, out, err = run(capsys, "--data-dir", str(local_data.data_dir), "db", "copy", "--to", url)
        assert code == 1 and out == ""
        assert "is not empty: it holds" in err and "people 1" in err and "nothing was changed" in err
        assert rows_of(url) == before
    finally:
        drop_database(name)


@needs_server
def test_a_team_database_a_desk_only_connected_to_counts_as_empty(capsys, local_data):
    """A desk that connected first seeded the reference catalogue: replaced by this desk's."""
    name, url = fresh_database()
    try:
        open_app(resolve(local_data.data_dir, url)).close()  # seeds departure reasons, help options
        assert rows_of(url)["departure_reasons"] > 0
        code, _out, err = run(capsys, "--data-dir", str(local_data.data_dir), "db", "copy", "--to", url)
        assert code == 0, err
        assert rows_of(url) == rows_of(local_data.database)
    finally:
        drop_database(name)


def _spoil(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(sql)
    conn.close()


@needs_server
@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        # SQLite keeps any whole number; PostgreSQL's INTEGER stops at 2**31 - 1. stage_answers
        # is copied last: every other table went in before the server refused.
        (
            f"UPDATE stage_answers SET version = {2**40} WHERE id = (SELECT max(id) FROM stage_answers)",
            ["stage_answers", "out of range"],
        ),
        # A reference SQLite never checked (foreign keys off): the server names the key.
        (
            "UPDATE action_items SET customer_id = 999999 WHERE id = (SELECT max(id) FROM action_items)",
            ["action_items", "violates foreign key constraint", "(customer_id)=(999999)"],
        ),
    ],
    ids=["number too large", "broken reference"],
)
def test_a_row_the_server_refuses_midway_rolls_the_whole_copy_back(
    capsys, local_data, empty_target, spoil, said
):
    _spoil(local_data.database, spoil)
    code, out, err = run(capsys, "--data-dir", str(local_data.data_dir), "db", "copy", "--to", empty_target)
    assert code == 1 and "copied" not in out
    assert all(words in err for words in said), err
    assert "nothing was copied" in err
    counts = rows_of(empty_target)
    assert set(counts) == {t.name for t in Base.metadata.sorted_tables}  # the schema was made
    assert not any(counts.values()), counts  # and nothing of the data stayed


@needs_server
def test_nul_characters_postgresql_cannot_store_are_dropped_and_named(capsys, local_data, empty_target):
    _spoil(local_data.database, "UPDATE customers SET notes = 'call back' || char(0) || ' soon' WHERE id = 3")
    code, out, err = run(capsys, "--data-dir", str(local_data.data_dir), "db", "copy", "--to", empty_target)
    assert code == 0, err
    assert (
        "NUL characters dropped from 1 text (PostgreSQL stores none)" in out
        and "customers.notes of the row with id 3" in out
    )
    notes = dict((i, n) for i, n in values(empty_target, "customers", "id", "notes"))
    assert notes[3] == "call back soon"
    assert rows_of(empty_target) == rows_of(local_data.database)


@needs_server
def test_text_longer_than_its_column_is_refused_by_table_column_and_row(capsys, local_data, empty_target):
    _spoil(local_data.database, f"UPDATE customers SET phone = '{'1' * 80}' WHERE id = 4")
    code, _out, err = run(capsys, "--data-dir", str(local_data.data_dir), "db", "copy", "--to", empty_target)
    assert code == 1
    assert "customers.phone of the row with id 4 is 80 characters long; the column takes 64" in err
    assert "nothing was copied" in err
    assert not any(rows_of(empty_target).values())


@needs_server
def test_copy_with_no_local_file_or_an_unreachable_server_says_so(capsys, local, empty_target):
    code, _out, err = run(capsys, "--data-dir", str(local.data_dir), "db", "copy", "--to", empty_target)
    assert code == 1 and f"there is no local database at {local.database}" in err
    open_app(local).close()
    gone = "postgresql://someone:s3cret@127.0.0.1:9/winback"  # port 9: nothing listens
    code, _out, err = run(capsys, "--data-dir", str(local.data_dir), "db", "copy", "--to", gone)
    assert code == 1 and "cannot reach the team database postgresql://someone:***@127.0.0.1:9/winback" in err
    assert "s3cret" not in err


# --- db upgrade ------------------------------------------------------------------------------------


@needs_server
def test_upgrade_brings_an_empty_team_database_to_this_versions_schema(capsys, empty_target):
    code, out, err = run(capsys, "--database-url", empty_target, "db", "upgrade")
    assert code == 0, err
    assert f"schema none -> {shipped_head()}" in out
    engine = create_engine(empty_target)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == shipped_head()
        assert conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar() == 1
    engine.dispose()
    code, out, _ = run(capsys, "--database-url", empty_target, "db", "upgrade")
    assert code == 0 and "nothing to do" in out


@needs_server
def test_upgrade_of_a_behind_team_database_moves_it_on(capsys, empty_target):
    from alembic import command

    from winback_desktop.store.connection import make_engine
    from winback_desktop.store.migrate import alembic_config

    engine = make_engine(empty_target)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
    engine.dispose()
    assert run(capsys, "--database-url", empty_target, "doctor")[0] == 1  # behind: doctor says so
    code, out, err = run(capsys, "--database-url", empty_target, "db", "upgrade")
    assert code == 0, err
    assert f"schema 0007 -> {shipped_head()}" in out


@pytest.mark.sqlite_only
def test_upgrade_on_the_sqlite_file(capsys, local):
    code, out, err = run(capsys, "--data-dir", str(local.data_dir), "db", "upgrade")
    assert code == 0, err
    assert f"{local.database}: schema none -> {shipped_head()}" in out


# --- db dump ---------------------------------------------------------------------------------------


@needs_server
def test_dump_writes_a_private_custom_format_file_pg_restore_reads(
    capsys, tmp_path, empty_target, local_data
):
    assert run(capsys, "--data-dir", str(local_data.data_dir), "db", "copy", "--to", empty_target)[0] == 0
    target = tmp_path / "team.dump"
    code, out, err = run(capsys, "--database-url", empty_target, "db", "dump", "-o", str(target))
    assert code == 0, err
    assert f"wrote {target}" in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    listing = subprocess.run(
        ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
    )
    assert "TABLE DATA public customers" in listing.stdout
    assert not list(tmp_path.glob("*.part"))
    # Into a new database, it is the same data.
    name, url = empty_database()
    try:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={plain}", str(target)], check=True, capture_output=True
        )
        assert rows_of(url) == rows_of(local_data.database)
    finally:
        drop_database(name)


def _fake_pg_dump(folder: Path) -> Path:
    """A pg_dump that writes down what it was given: its arguments, and the password file."""
    folder.mkdir()
    script = folder / "pg_dump"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{folder}/argv"\n'
        f'cat "$PGPASSFILE" > "{folder}/pgpass" 2>/dev/null\n'
        'for a in "$@"; do case "$a" in --file=*) printf PGDMP > "${a#--file=}";; esac; done\n'
    )
    script.chmod(0o755)
    return folder


def test_dump_never_puts_the_password_on_the_command_line(capsys, tmp_path, monkeypatch):
    bin_dir = _fake_pg_dump(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    target = tmp_path / "team.dump"
    url = "postgresql://alex:p4ss:word@db.example:6432/winback?sslmode=require"
    code, _out, err = run(capsys, "--database-url", url, "db", "dump", "-o", str(target))
    assert code == 0, err
    argv = (bin_dir / "argv").read_text().splitlines()
    assert "p4ss" not in " ".join(argv)
    assert {"--format=custom", "--host=db.example", "--port=6432", "--username=alex"} <= set(argv)
    assert "--dbname=dbname='winback' sslmode='require'" in argv
    assert (bin_dir / "pgpass").read_text() == "db.example:6432:winback:alex:p4ss\\:word\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_dump_without_pg_dump_names_the_debian_package(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on it
    code, _out, err = run(
        capsys, "--database-url", "postgresql://me@server/winback", "db", "dump", "-o", str(tmp_path / "x")
    )
    assert code == 1
    assert "pg_dump is not installed" in err and "apt install postgresql-client" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.sqlite_only
def test_dump_of_the_sqlite_file_is_a_checked_copy_restore_takes(capsys, tmp_path, local):
    ctx = open_app(local)
    load_demo(ctx)
    ctx.close()
    target = tmp_path / "copy.sqlite3"
    code, out, err = run(capsys, "--data-dir", str(local.data_dir), "db", "dump", "-o", str(target))
    assert code == 0, err
    assert f"winback restore {target}" in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert rows_of(target) == rows_of(local.database)
    assert backups.backup_problem(target) is None


# --- doctor and backup on a server ------------------------------------------------------------------


@needs_server
def test_doctor_on_a_team_database_reports_the_servers_view(capsys, data_dir):
    name, url = fresh_database()
    try:
        ctx = open_app(resolve(data_dir, url))
        load_demo(ctx)
        ctx.close()
        code, out, err = run(capsys, "--database-url", url, "doctor")
        assert code == 0, err
        assert "(team database)" in out and "server:   PostgreSQL " in out and "ms a round trip" in out
        assert f"schema:   {shipped_head()} (this version's: {shipped_head()}; current)" in out
        customers = rows_of(url)["customers"]
        assert f"data:     {customers} customers" in out and "MB on the server" in out
        assert "one open call per customer: present; pg_trgm search: present" in out
        with create_engine(url).begin() as conn:
            conn.execute(text("DROP INDEX uq_calls_one_open_per_customer"))
        code, out, err = run(capsys, "--database-url", url, "doctor")
        assert code == 1 and "one open call per customer: MISSING" in out
        assert "uq_calls_one_open_per_customer is missing" in err
    finally:
        drop_database(name)


@needs_server
def test_doctor_on_a_database_with_no_schema_or_no_server(capsys, empty_target):
    code, _out, err = run(capsys, "--database-url", empty_target, "doctor")
    assert code == 1 and "no Win-Back Desk schema yet: run `winback db upgrade`" in err
    code, _out, err = run(capsys, "--database-url", "postgresql://me:pw@127.0.0.1:9/winback", "doctor")
    assert code == 1 and "cannot reach the team database postgresql://me:***@127.0.0.1:9/winback" in err


@needs_server
def test_backup_on_a_team_database_points_to_the_servers_backups(capsys, data_dir, tmp_path):
    name, url = fresh_database()
    try:
        code, out, err = run(capsys, "--database-url", url, "backup")
        assert code == 1 and out == ""
        assert "Backups of the team database are the server's" in err and "winback db dump" in err
        local_file = tmp_path / "winback-20260101-000000-manual.sqlite3"
        local_file.write_bytes(b"")
        code, out, err = run(capsys, "--database-url", url, "restore", str(local_file))
        assert code == 1 and "restoring one (pg_restore" in err
        paths = resolve(data_dir, url)
        assert not backups.backup_due(paths)
        with pytest.raises(backups.ServerBackupsError):
            backups.backup_now(paths)
        job = subprocess.run(
            [sys.executable, "-m", "winback_desktop.jobs.backup", str(data_dir)],
            env={**os.environ, "WINBACK_DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert job.returncode == 0 and "Backups of the team database are the server's" in job.stdout
        assert not paths.backups.exists() or not list(paths.backups.iterdir())
    finally:
        drop_database(name)


@needs_server
def test_a_connection_lost_midway_leaves_the_team_database_empty(local_data, empty_target):
    from tests.helpers.postgres import Proxy
    from winback_desktop.services.maintenance import server, transfer

    proxy = Proxy.to(empty_target)
    through = proxy.url(empty_target)
    copied: list[str] = []

    def said(table: str, n: int) -> None:
        copied.append(table)
        if table == "customers":  # half the tables are in the transaction: the network goes
            proxy.cut()

    ctx = open_app(local_data)
    try:
        with pytest.raises(server.ServerUnreachableError) as lost:
            transfer.copy_to_server(ctx.engine, through, said=said)
    finally:
        ctx.close()
        proxy.close()
    assert "customers" in copied and "stage_answers" not in copied
    assert "nothing was copied" in str(lost.value)
    counts = rows_of(empty_target)  # asked directly, not through the proxy
    assert counts["customers"] == 0 and not any(counts.values()), counts
