"""Hostile input (issue 3, point 6): whatever the file holds, an import either succeeds or raises
its own clear error, and a rejected file leaves the database exactly as it was."""

from __future__ import annotations

import csv
import io
import itertools
import re

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.helpers.imports import counts, customer, dump_hash, write_csv
from winback_desktop.importers import CsvImportError, ImportRejected, read_csv
from winback_desktop.importers.errors import ErrorList
from winback_desktop.importers.values import clean_text
from winback_desktop.services.imports.importer import import_customers, import_orders

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-16-be")
HEADERS = (
    "Customer ID",
    "Company",
    "Contact",
    "Phone",
    "Last purchase",
    "Revenue",
    "Order date",
    "Amount",
    "Order ID",
    "Notes",
)
_names = itertools.count()


def _file(tmp_path, data: bytes):
    path = tmp_path / f"fuzz-{next(_names)}.csv"
    path.write_bytes(data)
    return path


def _import_either_way(ctx, path, importer) -> None:
    """The import succeeds, or fails with our own error and writes nothing."""
    before, before_counts = dump_hash(ctx), counts(ctx)
    try:
        importer(ctx, path)
        event("imported")
    except CsvImportError as exc:
        event(f"{type(exc).__name__}: {re.sub(r'[^ ]*fuzz-[0-9]+.csv:? ?|[0-9]+', '', str(exc))[:40]}")
        assert str(exc)
        assert counts(ctx) == before_counts
        assert dump_hash(ctx) == before


@FUZZ
@given(data=st.binary(max_size=2000), kind=st.sampled_from([import_customers, import_orders]))
def test_random_bytes(ctx, tmp_path, data, kind):
    _import_either_way(ctx, _file(tmp_path, data), kind)


cells = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12),
    st.sampled_from(["00586", "2024-01-31", "31/01/2024", "01/02/2024", "1.234,56", "-12,50", "€ 5", "=1+1"]),
    st.sampled_from(["00586", "0042", "A-7", "2024-01-31", "20231105", "12.50", "99"]),
    st.text(alphabet="0123456789/.-,;\t\" \n\r'€", max_size=12),
)


REQUIRED = {import_customers: ["Customer ID"], import_orders: ["Customer ID", "Order date", "Amount"]}


@settings(FUZZ, max_examples=100)
@given(
    data=st.data(),
    extra=st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=8)), max_size=4),
    delimiter=st.sampled_from([",", ";", "\t", ",", ";", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", *ENCODINGS]),
    kind=st.sampled_from([import_customers, import_orders]),
)
def test_random_tables_in_random_encodings(ctx, tmp_path, data, extra, delimiter, encoding, kind):
    header = data.draw(st.permutations(REQUIRED[kind] + extra))
    rows = data.draw(
        st.lists(st.lists(cells, min_size=len(header) - 1, max_size=len(header) + 1), min_size=1, max_size=8)
    )
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    try:
        raw = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        raw = buf.getvalue().encode(encoding, errors="replace")
    _import_either_way(ctx, _file(tmp_path, raw), kind)


@FUZZ
@given(text=st.text(max_size=300), encoding=st.sampled_from(ENCODINGS))
@example(text="0\n0", encoding="utf-16")  # a line feed's two bytes split between two chunks
def test_random_text_is_read_or_refused_clearly(tmp_path, text, encoding):
    data = text.encode(encoding, errors="replace")
    try:
        f = read_csv(_file(tmp_path, data))
    except CsvImportError as exc:
        assert str(exc)
        return
    assert f.header
    errors = ErrorList()
    lines = [line for line, _cells in f.rows(errors)]
    assert lines == sorted(set(lines))
    assert all(f.header_line < line <= f.line_count for line in lines)


formula = st.tuples(
    st.sampled_from(["=", "+", "-", "@"]),
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20),
)


@FUZZ
@given(
    companies=st.lists(formula.map("".join), min_size=1, max_size=5),
    encoding=st.sampled_from(["utf-8", "utf-16"]),
)
def test_formula_looking_cells_are_stored_literally(ctx, tmp_path, companies, encoding):
    start = counts(ctx)["customers"]
    rows = [["Customer ID", "Company", "Contact"]]
    rows += [[f"F{start + i}", company, company] for i, company in enumerate(companies)]
    path = write_csv(tmp_path / f"formulas-{next(_names)}.csv", rows, encoding=encoding)
    try:
        import_customers(ctx, path)
    except ImportRejected as exc:  # e.g. a cell of only "-" and spaces is fine; too long is not
        assert all(e.field in ("company", "contact_name") and "too long" in e.problem for e in exc.errors)
        return
    for i, company in enumerate(companies):
        stored = customer(ctx, f"F{start + i}")
        expected = clean_text(company) or f"F{start + i}"
        assert stored["company"] == expected
        assert stored["contact_name"] == clean_text(company)


def test_formula_payloads(ctx, tmp_path):
    payloads = ["=cmd|' /C calc'!A0", "+1", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", '=HYPERLINK("http://x")']
    rows = [["Customer ID", "Company"]] + [[str(i), p] for i, p in enumerate(payloads)]
    import_customers(ctx, write_csv(tmp_path / "payloads.csv", rows))
    assert [customer(ctx, str(i))["company"] for i in range(len(payloads))] == payloads


@pytest.mark.parametrize("where", ["mapped", "unmapped"])
def test_a_cell_just_under_the_field_limit(ctx, tmp_path, where):
    big = "x" * 999_999  # MAX_FIELD_CHARS is 1,000,000 (tests/importers/test_hostile.py: over it)
    rows = [
        ["Customer ID", "Company", "Notes"],
        ["1", big if where == "mapped" else "A", big],
        ["2", "B", ""],
    ]
    path = write_csv(tmp_path / "big.csv", rows)
    if where == "mapped":
        with pytest.raises(ImportRejected) as exc:
            import_customers(ctx, path)
        [error] = exc.value.errors
        assert (error.line, error.field) == (2, "company")
        assert error.problem == "too long (999,999 characters; at most 200)"
        assert len(error.value) <= 60
        assert counts(ctx)["customers"] == 0
    else:
        assert import_customers(ctx, path).added == 2


def test_huge_cells_in_date_and_amount_columns_are_refused_quickly(ctx, tmp_path):
    import time

    big = "1" * 999_998 + "x"
    rows = [
        ["Customer ID", "Order date", "Amount"],
        ["1", big, "5"],
        ["2", "2024-01-31", big],
        ["3", "2024-01-31", "7"],
    ]
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as exc:
        import_orders(ctx, write_csv(tmp_path / "big.csv", rows))
    assert time.perf_counter() - started < 5
    assert [(e.line, e.field) for e in exc.value.errors] == [(2, "order_date"), (3, "amount")]
