"""``winback import customers|orders FILE``: summaries, exit codes and what lands on stderr."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers.imports import counts, customer, query, write_csv
from tests.helpers.paths import DATA
from tests.helpers.test_database import server_url
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
        f"{path}:3: column 'id': the same id as line 2 (each customer once per file) (1)",
        f"{path}:3: column 'last purchase': no such date (2024-02-30 does not exist) (2024-02-30)",
        "1 bad row; nothing was imported.",
    ]
    assert counts(ctx)["customers"] == 0


def test_up_to_fifty_bad_rows_are_all_listed_on_the_terminal(ctx, tmp_path, capsys):
    rows = [["id", "company", "value"]] + [[str(i), "C", "x"] for i in range(50)]
    path = write_csv(tmp_path / "bad.csv", rows)
    assert main(["import", "customers", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[1] for line in err[:-1]] == [str(n) for n in range(2, 52)]
    assert err[-1] == "50 bad rows; nothing was imported."
    assert not (tmp_path / "bad.csv.problems.txt").exists()


def test_ten_thousand_bad_lines_are_all_listed_in_a_file_beside_it(ctx, tmp_path, capsys):
    rows = [["id", "company", "last purchase"]]
    rows += [[str(i), "C", "2024-02-30" if i % 2 else "31.13.2024"] for i in range(10_000)]
    path = write_csv(tmp_path / "bad.csv", rows)
    assert main(["import", "customers", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    listing = tmp_path / "bad.csv.problems.txt"
    assert err[-2:] == [
        f"All 10,000 problems are listed in {listing}.",
        "10,000 bad rows; nothing was imported.",
    ]
    assert len(err) == 20 + 3 and err[20] == "... and 9,980 more problems"
    listed = listing.read_text(encoding="utf-8").splitlines()
    assert [int(line.split(":")[1]) for line in listed] == list(range(2, 10_002))  # every line, in order
    assert (
        listed[0] == f"{path}:2: column 'last purchase': not a date "
        "(use e.g. 2024-01-31, 31/01/2024 or 01/31/2024) (31.13.2024)"
    )
    assert counts(ctx)["customers"] == 0
    # Or in a file of the user's choosing, also for a short list.
    named = tmp_path / "problems.txt"
    short = write_csv(tmp_path / "short.csv", [["id", "company", "value"], ["1", "A", "x"]])
    assert main(["import", "customers", str(short), "--problems", str(named)]) == 1
    assert capsys.readouterr().err.splitlines()[-2] == f"All 1 problems are listed in {named}."
    assert named.read_text(encoding="utf-8").count("\n") == 1


def test_a_list_that_cannot_be_written_beside_it_says_so(ctx, tmp_path, capsys):
    import contextlib

    folder = tmp_path / "share"
    folder.mkdir()
    rows = [["id", "company", "value"]] + [[str(i), "C", "x"] for i in range(60)]
    path = write_csv(folder / "bad.csv", rows)
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode:
        pytest.skip("cannot bind-mount here (needs root): no read-only folder to test with")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        assert main(["import", "customers", str(path)]) == 1
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            subprocess.run(["umount", str(folder)], check=True)
    err = capsys.readouterr().err.splitlines()
    assert err[-2] == (
        f"The full list could not be written to {path}.problems.txt (Read-only file system); "
        "name another file with --problems LIST."
    )
    assert err[-1] == "60 bad rows; nothing was imported."


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
    assert "no column for Customer ID (external_id)" in err and "'Nr', 'Bezeichnung', 'Tel'" in err
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
    if server_url() is None:
        assert (target / "winback.sqlite3").exists()
    else:  # a team database: the data dir holds no database, the server has the customers
        assert query(ctx_of(target), "SELECT count(*) FROM customers")[0][0] > 0
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


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            "id,company\n1,Société\n".encode() + "2,Müller\n".encode("cp1252"),
            "mixes two text encodings: it reads as UTF-8 (line 2 has “1,Société”), but line 3 is not UTF-8",
        ),
        (b"id,company\n1,A\n2,B\x00\n", ": line 3 holds a NUL byte (character 0)"),
        (
            ",".join(f"c{i}" for i in range(5000)).encode() + b"\n1,2\n",
            ": line 1: 5,000 columns; the limit is 2,000",
        ),
    ],
    ids=["two encodings", "a NUL byte", "too many columns"],
)
def test_a_hostile_file_is_refused_with_its_line_named(ctx, tmp_path, capsys, data, said):
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    assert main(["import", "customers", str(path)]) == 1
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert counts(ctx)["customers"] == 0


def ctx_of(data_dir):
    """What the helpers in tests.helpers.imports take: something with the paths of ``data_dir``."""
    from types import SimpleNamespace

    from winback_desktop.paths import resolve

    return SimpleNamespace(paths=resolve(data_dir))
