"""``winback import`` with files as systems write them: by position, in the file's own words."""

from __future__ import annotations

import os

import pytest

from tests.helpers.imports import counts, write_csv
from tests.importers.shaped import aligned_text, lifecycle_export, report_with_footer
from winback_desktop.cli.entry import main


@pytest.fixture(autouse=True)
def keep_umask():
    """main() sets a private umask for the whole process; put the test runner's back."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def test_a_headerless_file_is_mapped_by_position(ctx, tmp_path, capsys):
    path = aligned_text(tmp_path / "CDNOW.txt")
    assert main(["import", "orders", str(path)]) == 1
    err = capsys.readouterr().err
    assert "has no header line" in err and "--map customer_external_id=1" in err and "Traceback" not in err
    args = ["--map", "customer_external_id=1", "--map", "order_date=2", "--map", "amount=4"]
    assert main(["import", "orders", str(path), *args]) == 0
    assert capsys.readouterr().out.startswith("CDNOW.txt: 5 order lines: 5 added")
    assert counts(ctx)["orders"] == 5


def test_bad_rows_are_named_by_the_files_columns(ctx, tmp_path, capsys):
    rows = [["Account ID", "Invoice date", "Net amount"], ["7", "2024-01-31", "12,5,0"]]
    path = write_csv(tmp_path / "bad.csv", rows)
    assert main(["import", "orders", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}:2: column 'Net amount': not an amount")
    assert "amount:" not in err[0]


def test_notes_say_what_was_skipped_and_not_taken(ctx, tmp_path, capsys):
    assert main(["import", "customers", str(report_with_footer(tmp_path / "r.csv")), "--dates", "dmy"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "r.csv: 3 customers: 3 new, 0 updated, 0 unchanged."
    assert out[1].startswith("Note: lines 6–10: a report footer (“Grand Totals (3 records)”")
    assert main(["import", "customers", str(lifecycle_export(tmp_path / "h.csv"))]) == 0
    out = capsys.readouterr().out
    assert "Note: column 'Annual Revenue' is not taken as the value lost" in out
    assert "“lead” (2 rows), “opportunity” (1 row) are no status here" in out


def test_an_orders_export_imported_as_customers_is_named_as_such(ctx, tmp_path, capsys):
    rows = [
        ["Id", "Customer", "Date", "Total"],
        ["9001", "A", "2024-01-31", "10"],
        ["9001", "A", "2024-01-31", "5"],
    ]
    path = write_csv(tmp_path / "orders.csv", rows)
    assert main(["import", "customers", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: column 'Id': the same id as line 2" in err
    assert "column 'Id' repeats (lines 2 and 3: 9001)" in err and "import it as order history" in err
    assert counts(ctx)["customers"] == 0
