"""The ``winback`` command: in-process through main() and as a real subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import winback_desktop
from tests.helpers.test_database import PlainConnection, server_url
from winback_desktop.cli.entry import build_parser, gui_only, main
from winback_desktop.paths import DB_FILE_NAME, resolve

COMMANDS = ("gui", "demo", "sheet", "export", "paths")


@pytest.fixture(autouse=True)
def keep_umask():
    """main() sets a private umask for the whole process; put the test runner's back."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def run(*args: str, env_dir: Path | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    if env_dir is not None:
        env["WINBACK_DATA_DIR"] = str(env_dir)
    return subprocess.run(
        [sys.executable, "-m", "winback_desktop", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def database_line(out: str) -> str:
    lines = [line for line in out.splitlines() if line.startswith("database:")]
    assert len(lines) == 1, out
    return lines[0].split(":", 1)[1].strip()


def names_the_database_of(out: str, folder: Path) -> bool:
    """``paths`` said the database of this data folder: the SQLite file in it or, on a team
    server (the test seam's WINBACK_DATABASE_URL, which a data folder does not change), the
    folder as the data dir and the server's database by its URL."""
    if server_url() is None:
        return database_line(out) == str(folder.resolve() / DB_FILE_NAME)
    url = os.environ["WINBACK_DATABASE_URL"]
    said = database_line(out)
    named = said.startswith("postgresql") and said.endswith(url.rsplit("/", 1)[1])
    return named and f"data dir: {folder.resolve()}\n" in out


# --- in-process ---------------------------------------------------------------------------------


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"winback {winback_desktop.__version__}"


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out
    assert "--data-dir" in out


def test_paths_uses_the_env_var(data_dir, capsys):
    assert main(["paths"]) == 0
    out = capsys.readouterr().out
    assert names_the_database_of(out, data_dir)
    assert f"data dir: {data_dir.resolve()}" in out
    assert f"desk:     {data_dir.parent / 'xdg-config' / 'winback-desk' / 'desk.json'}" in out  # conftest


@pytest.mark.parametrize("before", [True, False], ids=["before-command", "after-command"])
def test_data_dir_option_before_or_after_the_command(before, tmp_path, data_dir, capsys):
    chosen = tmp_path / "chosen"
    argv = ["--data-dir", str(chosen), "paths"] if before else ["paths", "--data-dir", str(chosen)]
    assert main(argv) == 0
    assert names_the_database_of(capsys.readouterr().out, chosen)


@pytest.mark.sqlite_only  # where the SQLite file goes
@pytest.mark.parametrize("before", [True, False], ids=["before-command", "after-command"])
def test_data_dir_option_is_where_the_database_goes(before, tmp_path, data_dir, capsys):
    chosen = tmp_path / "chosen"
    argv = ["--data-dir", str(chosen), "demo"] if before else ["demo", "--data-dir", str(chosen)]
    assert main(argv) == 0
    assert "Loaded sample data" in capsys.readouterr().out
    assert (chosen / DB_FILE_NAME).exists()
    assert not (data_dir / DB_FILE_NAME).exists()  # the env var lost to the option


def test_data_dir_option_wins_over_env(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WINBACK_DATA_DIR", str(tmp_path / "from-env"))
    assert main(["paths", "--data-dir", str(tmp_path / "from-option")]) == 0
    assert names_the_database_of(capsys.readouterr().out, tmp_path / "from-option")


def test_demo_twice_fails_cleanly(data_dir, capsys):
    assert main(["demo"]) == 0
    first = capsys.readouterr()
    assert "Loaded sample data" in first.out and first.err == ""
    with PlainConnection(resolve(data_dir)) as con:
        customers_before = con.rows("SELECT count(*) FROM customers")[0][0]
    assert customers_before > 0

    assert main(["demo"]) != 0
    second = capsys.readouterr()
    assert second.out == ""
    assert second.err.startswith("winback: ")
    assert "already has" in second.err and "empty database" in second.err
    assert "Traceback" not in second.err
    with PlainConnection(resolve(data_dir)) as con:
        assert con.rows("SELECT count(*) FROM customers")[0][0] == customers_before


def test_sheet_for_a_missing_call(demo_ctx, tmp_path, capsys):
    demo_ctx.close()
    out = tmp_path / "x.pdf"
    assert main(["sheet", "9999", "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert "no call with id 9999" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_sheet_for_a_real_call(demo_ctx, tmp_path, capsys):
    from sqlalchemy import select

    from winback_desktop.store.models import Call

    with demo_ctx.sessions() as s:
        call_id = s.scalar(select(Call.id).where(Call.status == "completed").order_by(Call.id))
    demo_ctx.close()
    out = tmp_path / "sheet.pdf"
    assert main(["sheet", str(call_id), "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"%PDF-")


def test_sheet_into_a_missing_folder_names_that_file(demo_ctx, tmp_path, capsys):
    from sqlalchemy import select

    from winback_desktop.store.models import Call

    with demo_ctx.sessions() as s:
        call_id = s.scalar(select(Call.id).order_by(Call.id))
    demo_ctx.close()
    out = tmp_path / "no-such-folder" / "sheet.pdf"
    assert main(["sheet", str(call_id), "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert err.startswith(f"winback: cannot write {out}: ")
    assert ".tmp" not in err


def test_a_database_from_a_newer_version_is_refused(ctx, data_dir, tmp_path, capsys):
    ctx.close()
    with PlainConnection(ctx.paths) as con:
        con.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    assert main(["export", "calls", "-o", str(tmp_path / "calls.csv")]) != 0
    err = capsys.readouterr().err
    assert "newer version" in err and "Traceback" not in err
    assert not (tmp_path / "calls.csv").exists()


@pytest.mark.sqlite_only  # a damaged SQLite file
def test_a_file_that_is_not_a_database(data_dir, tmp_path, capsys):
    data_dir.mkdir(parents=True)
    garbage = b"this is not a database, just some text " * 200
    (data_dir / DB_FILE_NAME).write_bytes(garbage)
    assert main(["export", "calls", "-o", str(tmp_path / "calls.csv")]) != 0
    err = capsys.readouterr().err
    assert err.startswith("winback: ")
    assert str(data_dir.resolve() / DB_FILE_NAME) in err
    assert "not a database" in err
    assert "Traceback" not in err
    assert (data_dir / DB_FILE_NAME).read_bytes() == garbage
    assert not (tmp_path / "calls.csv").exists()


@pytest.mark.sqlite_only  # another program holding the SQLite file's write lock
def test_a_locked_database_is_a_message_not_a_traceback(ctx, data_dir, monkeypatch, capsys):
    from winback_desktop.store import connection

    ctx.close()
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 100)  # do not wait 5 s for the lock
    other = sqlite3.connect(data_dir / DB_FILE_NAME, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        assert main(["demo"]) != 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    err = capsys.readouterr().err
    database = data_dir.resolve() / DB_FILE_NAME
    assert err == f"winback: another program is using the database {database} (database is locked)\n"
    assert "Traceback" not in err


def test_bad_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["sheet", "not-a-number", "-o", "x.pdf"])
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_parser_knows_every_command():
    parser = build_parser()
    for command in COMMANDS:
        extra = {"sheet": ["1", "-o", "x.pdf"], "export": ["calls", "-o", "x.csv"]}.get(command, [])
        args = parser.parse_args([command, *extra])
        assert args.command == command
        assert args.data_dir is None


# --- a real process -----------------------------------------------------------------------------


def test_subprocess_version_and_help(tmp_path):
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"winback {winback_desktop.__version__}"
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


def test_subprocess_env_var_and_option(tmp_path):
    env_dir = tmp_path / "env-dir"
    result = run("paths", env_dir=env_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert names_the_database_of(result.stdout, env_dir)
    result = run("paths", "--data-dir", str(tmp_path / "opt"), env_dir=env_dir, cwd=tmp_path)
    assert names_the_database_of(result.stdout, tmp_path / "opt")


def test_subprocess_demo_twice_and_missing_sheet(tmp_path):
    data = tmp_path / "proc-data"
    first = run("demo", env_dir=data, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Loaded sample data" in first.stdout
    db = data / DB_FILE_NAME
    if server_url() is None:  # the SQLite file is private; a server keeps its own files
        assert db.exists()
        assert oct(db.stat().st_mode & 0o777) == oct(0o600)

    second = run("demo", env_dir=data, cwd=tmp_path)
    assert second.returncode != 0
    assert second.stderr.startswith("winback: ")
    assert "already has" in second.stderr
    assert "Traceback" not in second.stderr

    sheet = run("sheet", "9999", "-o", str(tmp_path / "x.pdf"), env_dir=data, cwd=tmp_path)
    assert sheet.returncode != 0
    assert "no call with id 9999" in sheet.stderr
    assert "Traceback" not in sheet.stderr
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (None, None)),
        (["gui"], ("gui", None)),
        (["--data-dir", "d"], (None, "d")),
        (["--data-dir=d", "gui"], ("gui", "d")),
        (["gui", "--data-dir", "d"], ("gui", "d")),
    ],
)
def test_the_app_is_started_without_the_full_parser(argv, expected):
    args = gui_only(argv)
    assert (args.command, args.data_dir) == expected
    full = build_parser().parse_args(argv)  # and the full parser agrees
    assert (full.command, full.data_dir) == expected


@pytest.mark.parametrize(
    "argv",
    [["-h"], ["--version"], ["demo"], ["gui", "gui"], ["--data-dir"], ["--data-dir", "-h"], ["--bogus"]],
)
def test_anything_else_goes_to_the_full_parser(argv):
    assert gui_only(argv) is None
