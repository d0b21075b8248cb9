"""``winback import customers|orders FILE``: summaries, exit codes and what lands on stderr."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers.imports import counts, customer, write_csv
from tests.helpers.paths import DATA
from winback_desktop.cli.entry import build_parser, main


@pytest.fixture(autouse=True)
def keep_umask():
    """main() sets a private umask for the whole process; put the test runner's back."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def test_customers_and_orders(ctx, capsys):
    assert main(["import", "customers", str(DATA / "excel_de_cp1252.csv")]) == 0
    out = capsys.readouterr().out
    assert out == "excel_de_cp1252.csv: 3 customers: 3 new, 0 updated, 0 unchanged.\n"
    assert main(["import", "orders", str(DATA / "orders_lines.csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("orders_lines.csv: 7 order lines: 7 added, 0 updated, 0 unchanged; 1 new customer;")
    assert main(["import", "orders", str(DATA / "orders_lines.csv")]) == 0
    assert "already imported" in capsys.readouterr().out


def test_rejected_file_lists_bad_rows_on_stderr(ctx, tmp_path, capsys):
    rows = [["id", "company", "last purchase"], ["1", "A", "2024-01-31"], ["1", "B", "2024-02-30"]]
    path = write_csv(tmp_path / "bad.csv", rows)
    assert main(["import", "customers", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{path}:3: external_id: the same id as line 2 (each customer once per file) (1)",
        f"{path}:3: last_purchase: no such date (2024-02-30 does not exist) (2024-02-30)",
        "1 bad row; nothing was imported.",
    ]
    assert counts(ctx)["customers"] == 0


def test_many_bad_rows_are_summarised(ctx, tmp_path, capsys):
    rows = [["id", "company", "value"]] + [[str(i), "C", "x"] for i in range(40)]
    assert main(["import", "customers", str(write_csv(tmp_path / "bad.csv", rows))]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 22
    assert err[-2] == "... and 20 more problems"
    assert err[-1] == "40 bad rows; nothing was imported."


def test_ambiguous_dates_suggest_the_option(ctx, tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", [["id", "company", "last purchase"], ["1", "A", "01/02/2024"]])
    assert main(["import", "customers", str(path)]) == 1
    err = capsys.readouterr().err
    assert "--dates dmy" in err and "--dates mdy" in err and "01/02/2024" in err
    assert main(["import", "customers", str(path), "--dates", "dmy"]) == 0
    assert customer(ctx, "1")["last_purchase"] == "2024-02-01"


def test_map_option(ctx, tmp_path, capsys):
    path = write_csv(tmp_path / "m.csv", [["Nr", "Bezeichnung", "Tel"], ["00586", "Müller", "030 1"]])
    assert main(["import", "customers", str(path)]) == 1
    err = capsys.readouterr().err
    assert "no column for external_id" in err and "'Nr', 'Bezeichnung', 'Tel'" in err
    args = ["--map", "external_id=Nr", "--map", "company=Bezeichnung", "--map", "phone=Tel"]
    assert main(["import", "customers", str(path), *args]) == 0
    assert (customer(ctx, "00586")["company"], customer(ctx, "00586")["phone"]) == ("Müller", "030 1")


def test_map_errors(ctx, tmp_path, capsys):
    path = write_csv(tmp_path / "m.csv", [["id", "company"], ["1", "A"]])
    assert main(["import", "customers", str(path), "--map", "telefon=id"]) == 1
    assert (
        "there is no field 'telefon' for customers; the fields are: external_id, company"
        in capsys.readouterr().err
    )
    assert main(["import", "customers", str(path), "--map", "phone=Tel"]) == 1
    assert (
        "m.csv has no column 'Tel' (for phone); its columns are: 'id', 'company'" in capsys.readouterr().err
    )
    with pytest.raises(SystemExit) as exc:
        main(["import", "customers", str(path), "--map", "phone"])
    assert exc.value.code == 2
    assert "expected FIELD=COLUMN" in capsys.readouterr().err


def test_not_a_csv_file(ctx, capsys):
    assert main(["import", "orders", str(DATA / "not_a_csv.png")]) == 1
    assert (
        capsys.readouterr().err
        == "winback: not_a_csv.png does not look like a CSV file (it is a PNG image)\n"
    )


def test_missing_file(ctx, tmp_path, capsys):
    assert main(["import", "orders", str(tmp_path / "nope.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_data_dir_after_the_sub_command(tmp_path, capsys):
    target = tmp_path / "elsewhere"
    assert (
        main(["import", "customers", str(DATA / "hubspot_companies_bom.csv"), "--data-dir", str(target)]) == 0
    )
    assert (target / "winback.sqlite3").exists()
    args = build_parser().parse_args(["--data-dir", "X", "import", "orders", "f.csv"])
    assert (args.data_dir, args.import_kind, args.file, args.mapping, args.dates) == (
        "X",
        "orders",
        "f.csv",
        [],
        None,
    )


def test_help_lists_the_fields(capsys):
    with pytest.raises(SystemExit):
        main(["import", "orders", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "customer_external_id, order_date, amount, order_ref, company" in out


def test_as_a_real_command(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WINBACK_DATA_DIR=str(tmp_path / "d"))
    bad = write_csv(tmp_path / "bad.csv", [["id", "company", "value"], ["1", "A", "x"]])
    proc = subprocess.run(
        [sys.executable, "-m", "winback_desktop", "import", "customers", str(bad)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == "1 bad row; nothing was imported."
    assert "Traceback" not in proc.stderr


def test_two_imports_of_one_file_at_the_same_moment_apply_once(ctx, tmp_path):
    """Two real processes import the same orders file, started together, a few times over: the
    lines land once (order lines without an order id would otherwise all be doubled), and the
    one that lost says the file was already imported, cleanly."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "winback_desktop", "import", "orders"]
    lines = 4000
    for attempt in range(3):
        rows = [["customer id", "order date", "amount"]] + [
            [f"C{i % 300:03d}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", f"{attempt}.{i % 100:02d}"]
            for i in range(lines)
        ]
        path = write_csv(tmp_path / f"orders-{attempt}.csv", rows)
        procs = [
            subprocess.Popen([*command, str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120) for p in procs]
        for p, (_out, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, err.decode()
            assert b"Traceback" not in err and err == b""
        said = sorted((out.decode() for out, _err in outputs), key=lambda text: "already imported" in text)
        assert f"{lines:,} order lines: {lines:,} added" in said[0] and "already imported" in said[1]
        assert counts(ctx)["orders"] == lines * (attempt + 1)
        assert counts(ctx)["imports"] == attempt + 1
