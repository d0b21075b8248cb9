"""The import child job: a database problem is a message for the dialog, never a traceback."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.helpers.imports import counts, write_csv
from winback_desktop.jobs import import_file


def outcome(capsys) -> dict:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return next(line for line in lines if "result" in line or "error" in line)


def test_an_import_reports_its_result(ctx, tmp_path, capsys):
    path = write_csv(tmp_path / "c.csv", [["id", "company"], ["1", "A"]])
    assert import_file.main([str(ctx.paths.data_dir), "customers", str(path), "{}"]) == 0
    assert outcome(capsys)["result"]["summary"] == "c.csv: 1 customer: 1 new, 0 updated, 0 unchanged."
    assert counts(ctx)["customers"] == 1  # in this desk's database (a team's, on a server)


@pytest.mark.slow  # waits out the busy timeout (5 s)
@pytest.mark.sqlite_only  # another program holding the SQLite file's write lock
def test_a_database_held_by_another_writer_is_said_in_words(ctx, tmp_path, capsys):
    path = write_csv(tmp_path / "c.csv", [["id", "company"], ["1", "A"]])
    other = sqlite3.connect(ctx.paths.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a real second writer, holding the lock past the busy timeout
    try:
        assert import_file.main([str(ctx.paths.data_dir), "customers", str(path), "{}"]) == 1
    finally:
        other.rollback()
        other.close()
    error = outcome(capsys)["error"]
    assert error["message"] == (
        "Nothing was imported: the database is busy: another program (another import?) is writing to it. "
        "Try again when it is solved."
    )
    assert counts(ctx)["customers"] == 0
