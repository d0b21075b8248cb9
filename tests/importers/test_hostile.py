"""Hostile files get a clear answer naming the line, fast (issue 11, point 8): a 100 MB field, a
million columns, a file mixing two encodings, invisible characters in ids, a NUL byte, a file
over the size limit. The time each takes is measured in bench/ (hostile_preview), not here."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.helpers.imports import HUNDRED_MB, big_field_file, counts, customer, write_csv
from winback_desktop.importers import NotCsvError, TooLargeError, preview_csv, read_csv
from winback_desktop.importers.errors import ErrorList
from winback_desktop.importers.sniff import MAX_COLUMNS, MAX_FIELD_CHARS, MAX_FILE_BYTES, record_shape
from winback_desktop.importers.values import clean_id, clean_text
from winback_desktop.services.imports.importer import ImportRejected, import_customers, import_orders

BIG_FIELD = f"a field of {HUNDRED_MB:,} characters; the limit is {MAX_FIELD_CHARS:,}"


@pytest.mark.parametrize("quoted", [True, False], ids=["quoted", "plain"])
def test_the_preview_names_a_100_mb_field_by_its_line(tmp_path, quoted):
    path = big_field_file(tmp_path / "big.csv", line=40, quoted=quoted)
    preview = preview_csv(path)  # reads 8 MiB of it, streams the rest
    assert preview.notes == (f"line 40: {BIG_FIELD}",)
    assert preview.header == ("id", "company", "notes")
    assert [line for line, _cells in preview.preview] == list(range(2, 22))


@pytest.mark.slow  # reads 100 MB whole, as the import must (about 3 s)
def test_the_import_lists_the_100_mb_field_with_the_other_bad_rows(ctx, tmp_path):
    path = big_field_file(tmp_path / "big.csv", line=3)
    errors = ErrorList()
    rows = list(read_csv(path).rows(errors))
    assert [line for line, _cells in rows] == [2, 4]  # the rows after it still come
    assert [(e.line, e.problem) for e in errors.errors] == [(3, BIG_FIELD)]
    with pytest.raises(ImportRejected) as exc:
        import_customers(ctx, path)
    assert [(e.line, e.field, e.problem) for e in exc.value.errors] == [(3, "row", BIG_FIELD)]
    assert counts(ctx)["customers"] == 0


@pytest.mark.parametrize("read", [preview_csv, pytest.param(read_csv, marks=pytest.mark.slow)])
def test_a_100_mb_field_in_the_header_refuses_the_file(tmp_path, read):
    path = tmp_path / "head.csv"
    with path.open("wb") as fh:
        fh.write(b'id,"')
        fh.write(b"n" * HUNDRED_MB)
        fh.write(b'"\n1,2\n')
    with pytest.raises(TooLargeError) as exc:
        read(path)
    assert str(exc.value) == f"head.csv: line 1: {BIG_FIELD}"


def test_a_million_columns(tmp_path):
    cells = ",".join(f"c{i}" for i in range(1_000_000))
    header = tmp_path / "wide-header.csv"
    header.write_text(cells + "\n1,2\n", encoding="utf-8")
    for read in (preview_csv, read_csv):
        with pytest.raises(TooLargeError) as exc:
            read(header)
        assert str(exc.value) == f"wide-header.csv: line 1: 1,000,000 columns; the limit is {MAX_COLUMNS:,}"
    row = tmp_path / "wide-row.csv"
    row.write_text("id,company\n1,A\n" + cells + "\n3,C\n", encoding="utf-8")
    preview = preview_csv(row)
    assert preview.notes == (f"line 3: 1,000,000 cells; the limit is {MAX_COLUMNS:,}",)
    assert [line for line, _cells in preview.preview] == [2, 4]
    errors = ErrorList()
    assert [line for line, _cells in read_csv(row).rows(errors)] == [2, 4]
    assert [(e.line, e.problem) for e in errors.errors] == [
        (3, f"1,000,000 cells; the limit is {MAX_COLUMNS:,}")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('a,"b ""c"" d",e\nnext', (3, 7)),
        ('"x","y"\r\nz', (2, 1)),
        ("a,,b\n", (3, 1)),
        ('a,"multi\nline, still one cell",c\n', (3, 26)),
        ('a,"ab"cd,e\n', (3, 4)),  # text after a closing quote stays in the cell, as csv reads it
        ("", (1, 0)),
    ],
)
def test_record_shape_reads_as_the_csv_module_does(text, expected):
    assert record_shape([text], ",") == expected
    # ... in whatever parts the text comes, a quote or a delimiter at a part's edge included
    assert record_shape(list(text), ",") == expected
    assert record_shape([text[:5], text[5:]], ",") == expected


MIXED = {
    "utf-8 first": (
        "id,company\n1,Société Générale\n2,Ærø\n".encode() + "3,Müller GmbH\n".encode("cp1252"),
        "mixed.csv mixes two text encodings: it reads as UTF-8 (line 2 has “1,Société Générale”), "
        "but line 4 is not UTF-8 (byte 0xFC, as Windows-1252 writes “ü”).",
    ),
    "windows-1252 first": (
        "id,company\n1,Müller GmbH\n2,Plain\n".encode("cp1252") + "3,Société\n".encode(),
        "mixed.csv mixes two text encodings: line 2 is Windows-1252, but line 4 is UTF-8 "
        "(it would read as “Ã©” where “é” was meant).",
    ),
    "a byte-order mark, then windows-1252": (
        codecs.BOM_UTF8 + b"id,company\n1,Plain\n" + "2,Müller\n".encode("cp1252"),
        "mixed.csv mixes two text encodings: it says it is UTF-8 (it starts with a byte-order "
        "mark), but line 3 is not UTF-8 (byte 0xFC, as Windows-1252 writes “ü”).",
    ),
}


@pytest.mark.parametrize("case", MIXED, ids=list(MIXED))
def test_a_file_mixing_two_encodings_is_refused_naming_the_line(tmp_path, case):
    data, message = MIXED[case]
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    for read in (preview_csv, read_csv):
        with pytest.raises(NotCsvError) as exc:
            read(path)
        assert str(exc.value).startswith(message)
        assert "Save it again as “CSV UTF-8”" in str(exc.value)


def test_windows_1252_that_happens_to_hold_utf8_byte_pairs_is_not_mixed(tmp_path):
    # "ß“" and "É’" are valid UTF-8 byte pairs (U+07D3, U+0252); no one writes those letters here.
    text = "id,company\n1,Fuß“Ecke”\n2,CAFÉ’S\n3,Müller\n"
    path = tmp_path / "de.csv"
    path.write_bytes(text.encode("cp1252"))
    f = read_csv(path)
    assert f.encoding == "cp1252" and [cells[1] for _line, cells in f.rows()] == [
        "Fuß“Ecke”",
        "CAFÉ’S",
        "Müller",
    ]


def test_a_mixed_file_far_down_is_found_by_the_preview_too(tmp_path):
    path = tmp_path / "long.csv"
    with path.open("wb") as fh:
        fh.write(b"id,company\n")
        for i in range(200_000):
            fh.write(f"{i},Société {i}\n".encode())
        fh.write("200000,Müller\n".encode("cp1252"))
    with pytest.raises(NotCsvError, match=r"but line 200,002 is not UTF-8"):
        preview_csv(path)


def test_a_nul_byte_is_named_by_its_line(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"id,company\n1,A\n2,B\x00C\n3,D\n")
    for read in (preview_csv, read_csv):
        with pytest.raises(NotCsvError) as exc:
            read(path)
        assert str(exc.value).startswith("nul.csv: line 3 holds a NUL byte (character 0), which no text has")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:  # sparse: no disk, no time
        fh.write(b"id,company\n")
        fh.truncate(MAX_FILE_BYTES + 1)
    for read in (preview_csv, read_csv):
        with pytest.raises(TooLargeError, match=r"^huge\.csv is 1\.0 GiB; an import reads files up to 1 GiB"):
            read(path)


# -------------------------------------------------------------------------- invisible characters

INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202e"]


@pytest.mark.parametrize("char", INVISIBLES, ids=[f"U+{ord(c):04X}" for c in INVISIBLES])
def test_invisible_characters_make_no_look_alike_ids(ctx, tmp_path, char):
    rows = [["Customer ID", "Company"], ["A-1", "Acme"], [f"A{char}-1", f"Ac{char}me"]]
    with pytest.raises(ImportRejected) as exc:
        import_customers(ctx, write_csv(tmp_path / "twins.csv", rows))
    [error] = exc.value.errors
    assert (error.line, error.field) == (3, "external_id")
    assert error.problem == "the same id as line 2 (each customer once per file)"


def test_ids_and_names_are_stored_without_them(ctx, tmp_path):
    rows = [
        ["Customer ID", "Company", "Contact"],
        ["\ufeffC-7\u200b", "Zero\u200bWidth\u00ad Ltd\u2060", "Ana\u200d Costa"],
        ["C-8", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "Nor\u200cmal"],  # Persian keeps ZWNJ
    ]
    import_customers(ctx, write_csv(tmp_path / "names.csv", rows))
    assert (customer(ctx, "C-7")["company"], customer(ctx, "C-7")["contact_name"]) == (
        "ZeroWidth Ltd",
        "Ana Costa",
    )
    assert customer(ctx, "C-8")["company"] == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert customer(ctx, "C-8")["contact_name"] == "Normal"
    # An order for "C\u200b-7" (and a decomposed "é" id against a composed one) is the same customer.
    orders = [
        ["Customer ID", "Order date", "Amount"],
        ["C\u200b-7", "2024-01-31", "10"],
        ["C-7", "2024-02-01", "5"],
    ]
    result = import_orders(ctx, write_csv(tmp_path / "orders.csv", orders))
    assert result.customers_created == 0 and customer(ctx, "C-7")["orders_count"] == 2


def test_a_stored_look_alike_is_matched_not_duplicated(ctx, tmp_path):
    from tests.helpers.roster import add_customer

    add_customer(ctx, "Old Ltd", external_id="Caf\u00e9\u200b")  # stored before ids were cleaned
    rows = [["Customer ID", "Company", "Phone"], ["Cafe\u0301", "Old Ltd", "+44 1"]]  # e + combining acute
    result = import_customers(ctx, write_csv(tmp_path / "again.csv", rows))
    assert (result.added, result.updated) == (0, 1)
    assert counts(ctx)["customers"] == 1


def test_clean_id_and_clean_text():
    assert clean_id(" \u200bA\u2060-\u00ad1\ufeff ") == "A-1"
    assert clean_id("Cafe\u0301") == "Caf\u00e9"
    assert clean_id("\u202eevil\u202c") == "evil"
    assert clean_text("Zero\u200bWidth") == "ZeroWidth"
    assert clean_text("\u0645\u06cc\u200c\u062e") == "\u0645\u06cc\u200c\u062e"  # between Persian letters
    assert clean_text("a\u200cb") == "ab"


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet='ab,;"\n\r ', max_size=40), cut=st.integers(0, 40))
def test_record_shape_agrees_with_the_csv_module(text, cut):
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), strict=False), None)
    except csv.Error:  # e.g. a line break right after a field's closing quote ends csv's patience
        return
    assume(first)
    expected = (len(first), max(map(len, first)))
    assert record_shape([text[:cut], text[cut:]], ",") == expected
