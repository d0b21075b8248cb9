"""Known problem or bug: real SQLite failures sorted at the storage boundary (store/errors.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc, insert, text

from winback_desktop.store import connection
from winback_desktop.store.connection import connect_read_only, make_engine
from winback_desktop.store.errors import DATABASE_ERRORS, KnownError, Problem, known_problem
from winback_desktop.store.models import Person


def raised(run) -> BaseException:
    with pytest.raises(DATABASE_ERRORS) as info:
        run()
    return info.value


def add_person(engine, person_id: int | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Person).values(id=person_id, name="Ada", role="caller"))


@pytest.fixture
def db(ctx) -> Path:
    path = connection.sqlite_path(ctx.engine)
    ctx.close()
    return path


@pytest.mark.sqlite_only  # the SQLite file's write lock
def test_a_file_locked_by_another_connection(db, monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 100)  # do not wait 5 s for the lock
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    engine = make_engine(db)
    try:
        err = raised(lambda: add_person(engine))
    finally:
        other.execute("ROLLBACK")
        other.close()
        engine.dispose()
    known = known_problem(err)
    assert isinstance(known, KnownError)
    assert known.problem == Problem.LOCKED
    assert known.detail == str(err.orig) == "database is locked"


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database, just some text " * 200)
    engine = make_engine(path)
    try:
        err = raised(lambda: engine.connect().execute(text("SELECT 1 FROM people")))
    finally:
        engine.dispose()
    known = known_problem(err)
    assert known is not None and known.problem == Problem.NOT_A_DATABASE
    assert "not a database" in known.detail
    # the standard driver's own error, unwrapped, sorts the same
    raw = raised(lambda: sqlite3.connect(path).execute("SELECT 1 FROM people"))
    assert known_problem(raw).problem == Problem.NOT_A_DATABASE


@pytest.mark.sqlite_only  # a read-only SQLite file
def test_a_read_only_file(db):
    # Opened read-only, as SQLite does for a file it may not write (chmod is moot for root).
    engine = create_engine("sqlite://", creator=lambda: connect_read_only(db))
    try:
        err = raised(lambda: add_person(engine))
    finally:
        engine.dispose()
    known = known_problem(err)
    assert known is not None and known.problem == Problem.READ_ONLY
    assert "readonly" in known.detail


def test_a_broken_constraint_stays_a_bug(ctx):
    add_person(ctx.engine, 1)
    err = raised(lambda: add_person(ctx.engine, 1))
    assert isinstance(err, exc.IntegrityError)
    assert known_problem(err) is None


def test_bad_sql_stays_a_bug_though_the_driver_calls_it_operational(ctx):
    with ctx.engine.connect() as conn:
        err = raised(lambda: conn.execute(text("SELECT * FROM no_such_table")))
    # SQLite calls our own bad SQL "operational" (SQLITE_ERROR), PostgreSQL a programming error:
    # either way our SQL, not the user's database.
    sqlite = ctx.engine.dialect.name == "sqlite"
    assert isinstance(err, exc.OperationalError if sqlite else exc.ProgrammingError)
    assert known_problem(err) is None


def test_an_error_without_a_code_is_sorted_by_its_class():
    """Another driver, or an error built by hand (as the UI tests do): operational is known."""
    locked = exc.OperationalError("UPDATE ...", {}, sqlite3.OperationalError("database is locked"))
    known = known_problem(locked)
    assert known is not None and known.detail == "database is locked"
    assert known_problem(exc.IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE"))) is None
    assert known_problem(exc.ProgrammingError("SELECT ...", {}, sqlite3.ProgrammingError("bad"))) is None
    assert known_problem(ValueError("not a database error at all")) is None


def test_the_cli_reports_a_known_problem_and_keeps_a_bugs_traceback(ctx, monkeypatch, capsys, tmp_path):
    from winback_desktop.cli.entry import main
    from winback_desktop.services.calls import export

    ctx.close()

    def failing(error: BaseException):
        def export_calls(*_args) -> int:
            raise error

        return export_calls

    unique = sqlite3.IntegrityError("UNIQUE constraint failed: people.id")
    monkeypatch.setattr(export, "export_calls", failing(exc.IntegrityError("INSERT ...", {}, unique)))
    with pytest.raises(exc.IntegrityError):
        main(["export", "calls", "-o", str(tmp_path / "calls.csv")])

    full = sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(export, "export_calls", failing(exc.OperationalError("INSERT ...", {}, full)))
    assert main(["export", "calls", "-o", str(tmp_path / "calls.csv")]) == 1
    assert capsys.readouterr().err.endswith(": database or disk is full\n")
