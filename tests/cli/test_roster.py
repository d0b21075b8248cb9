"""winback lapsed / volume / export customers, in-process through main()."""

from __future__ import annotations

import csv
import datetime as dt
import os

import pytest

from tests.helpers.roster import add_customer
from winback_desktop.cli.entry import main

D = dt.date


@pytest.fixture(autouse=True)
def keep_umask():
    """main() sets a private umask for the whole process; put the test runner's back."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


@pytest.fixture
def filled(ctx):
    add_customer(
        ctx, "Harbourline Foods Ltd", external_id="00586", contact="Grace Osei", last=D(2024, 1, 10),
        orders=37, total="512000", yearly="184500", segment="Wholesale",
    )  # fmt: skip
    add_customer(ctx, "=1+2 Trading", external_id="00112", contact="-Alan", last=D(2023, 6, 1), yearly="900")
    add_customer(ctx, "Café Lumière", external_id="00907", last=D(2024, 5, 20), value_lost="26400")
    add_customer(ctx, "Still Buying", external_id="00999", last=D(2024, 8, 1), yearly="50000")
    return ctx


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_lapsed_table(filled, capsys):
    assert main(["lapsed", "--as-of", "2024-08-31"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "External", "id", "Company", "Contact", "Status", "Last", "purchase", "Orders",
        "Total", "revenue", "Yearly", "business", "Priority", "Why",
    ]  # fmt: skip
    assert "Harbourline Foods Ltd" in lines[2] and "2024-01-10" in lines[2] and "184,500.00" in lines[2]
    assert "=1+2 Trading" in out and "Café Lumière" not in out and "Still Buying" not in out
    # Aligned: every row's company column starts where the header's does.
    col = lines[0].index("Company")
    assert all(line[col - 2 : col] == "  " and line[col] != " " for line in lines[2:4])
    assert "2 customers lapsed as of 2024-08-31 (no purchase for 6 months)" in out
    assert "185,400.00 of yearly business" in out


def test_lapsed_months_option(filled, capsys):
    assert main(["lapsed", "--as-of", "2024-08-31", "--months", "3"]) == 0
    out = capsys.readouterr().out
    assert "Café Lumière" in out and "3 customers lapsed" in out and "no purchase for 3 months" in out


def test_lapsed_csv_is_formula_safe(filled, tmp_path, capsys):
    out = tmp_path / "lapsed.csv"
    assert main(["lapsed", "--as-of", "2024-08-31", "-o", str(out)]) == 0
    assert f"wrote 2 lapsed customers to {out}" in capsys.readouterr().out
    header, *rows = read_csv(out)
    assert header[:6] == ["external_id", "company", "contact", "status", "last_purchase", "lapsed_on"]
    assert [r[0] for r in rows] == ["00586", "00112"]  # by priority
    assert rows[1][1:3] == ["'=1+2 Trading", "'-Alan"]  # neutralized, not run as formulas
    assert rows[0][4:10] == ["2024-01-10", "2024-07-11", "37", "512000.00", "184500.00", "0.00"]
    assert float(rows[0][10]) > float(rows[1][10]) > 0 and rows[0][11].startswith("Top ")


def test_volume(filled, tmp_path, capsys):
    assert main(["volume", "--by", "quarter", "--as-of", "2024-12-31"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["Period", "Customers", "lapsed", "Yearly", "business", "lost"]
    assert "2023-Q4" in out and "2024-Q3" in out and "2024-Q4" in out
    assert "In all: 3 customers lapsed from 2023-Q4 to 2024-Q4 (no purchase for 6 months)" in out
    csv_out = tmp_path / "volume.csv"
    assert main(["volume", "--as-of", "2024-12-31", "-o", str(csv_out)]) == 0
    header, *rows = read_csv(csv_out)
    assert header == ["period", "customers", "yearly_revenue"]
    assert rows[0] == ["2023-12", "1", "900.00"]
    assert ["2024-07", "1", "184500.00"] in rows and ["2024-11", "1", "26400.00"] in rows
    assert rows[-1][0] == "2024-12"


def test_export_customers(filled, tmp_path, capsys):
    out = tmp_path / "customers.csv"
    assert main(["export", "customers", "-o", str(out)]) == 0
    assert f"wrote 4 customers to {out}" in capsys.readouterr().out
    header, *rows = read_csv(out)
    assert header[0] == "id" and len(rows) == 4
    assert "'=1+2 Trading" in [r[2] for r in rows]


def test_export_calls_still_belongs_to_the_main_cli(filled, tmp_path, capsys):
    out = tmp_path / "calls.csv"
    assert main(["export", "calls", "-o", str(out)]) == 0
    assert "wrote 0 calls" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lapsed", "--as-of", "2025-02-30"], "--as-of: '2025-02-30' is not a date"),
        (["lapsed", "--as-of", "yesterday"], "YYYY-MM-DD"),
        (["volume", "--as-of", "31/12/2024"], "--as-of"),
        (["lapsed", "--months", "0"], "--months: '0' is not a whole number"),
        (["volume", "--months", "six"], "--months"),
        (["lapsed", "-o", "/no/such/folder/out.csv"], "the folder /no/such/folder does not exist"),
    ],
)
def test_bad_options_exit_1_with_a_clear_message(filled, capsys, args, message):
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("winback: ") and message in err and "Traceback" not in err


def test_empty_database(ctx, capsys):
    assert main(["lapsed"]) == 0
    assert "No lapsed customers as of" in capsys.readouterr().out
    assert main(["volume"]) == 0
    assert "No customers lapsed as of" in capsys.readouterr().out
