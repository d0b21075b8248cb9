"""Reading import files: encodings, delimiters, headers, physical line numbers, and non-CSV files."""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from pathlib import Path

import pytest

from tests.helpers.paths import DATA
from winback_desktop.importers import NotCsvError, UnreadableFileError, read_csv
from winback_desktop.importers.errors import ErrorList


def write(tmp_path: Path, data: bytes | str, name: str = "file.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def rows(path: Path) -> list[tuple[int, list[str]]]:
    return list(read_csv(path).rows())


def test_utf8_with_bom_from_a_crm(tmp_path):
    f = read_csv(DATA / "hubspot_companies_bom.csv")
    assert f.encoding == "utf-8-sig"
    assert f.encoding_label == "UTF-8 (with BOM)"
    assert f.delimiter == ","
    assert f.header[0] == "Record ID"  # no BOM glued to the first name
    data = list(f.rows())
    assert [line for line, _ in data] == [2, 3, 4]
    assert data[1][1][1] == "The Copper Kettle, Tearooms"
    assert data[2][1][1] == "Ærø Færgeri ApS"


def test_cp1252_from_excel_with_semicolons(tmp_path):
    f = read_csv(DATA / "excel_de_cp1252.csv")
    assert f.encoding == "cp1252"
    assert f.delimiter == ";"
    assert f.header == (
        "Kundennummer",
        "Firma",
        "Ansprechpartner",
        "Telefon",
        "E-Mail",
        "Umsatz",
        "Letzter Kauf",
        "Branche",
    )
    data = list(f.rows())
    # Blank lines and a row of empty cells are skipped; the line numbers are the file's own.
    assert [line for line, _ in data] == [2, 4, 5]
    assert data[0][1][1] == "Müller Großhandel GmbH"
    assert data[1][1][1] == "Société Générale Dépôt"
    assert data[2][1][2] == "Åse Ødegård"


def test_cp1252_undefined_bytes_still_read(tmp_path):
    # 0x81 has no character in cp1252; Windows reads it as the C1 control U+0081.
    path = write(tmp_path, b"id;company\n1;Caf\xe9 \x81\n")
    assert rows(path) == [(2, ["1", "Café \x81"])]


def test_utf8_without_bom_and_latin_text(tmp_path):
    path = write(tmp_path, "id,company\n1,Société Générale\n2,Ærø\n")
    f = read_csv(path)
    assert f.encoding == "utf-8"
    assert list(f.rows()) == [(2, ["1", "Société Générale"]), (3, ["2", "Ærø"])]


def test_utf16_with_bom_as_excel_unicode_text(tmp_path):
    path = write(tmp_path, "id\tcompany\r\n1\tMüller\r\n", encoding="utf-16")
    f = read_csv(path)
    assert (f.encoding, f.delimiter) == ("utf-16", "\t")
    assert list(f.rows()) == [(2, ["1", "Müller"])]


def test_tab_separated_with_quoted_newlines_keeps_physical_lines():
    f = read_csv(DATA / "salesforce_accounts.tsv")
    assert f.delimiter == "\t"
    data = list(f.rows())
    # The first record spans lines 2-4 (a three-line address); the next starts on line 5.
    assert [line for line, _ in data] == [2, 5, 6]
    assert data[0][1][-1] == "507 - 20th Ave. E.\nApt. 2A\nSeattle"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_with_any_line_ending(tmp_path, newline):
    text = newline.join(["", "", "id,company,note", "1,A,", "", '2,B,"two', 'lines"', "", "3,C,x", ""])
    data = rows(write(tmp_path, text))
    assert [line for line, _ in data] == [4, 6, 9]
    assert data[1][1][2].splitlines() == ["two", "lines"]
    assert read_csv(write(tmp_path, text)).header_line == 3


def test_semicolon_with_decimal_commas_is_not_taken_for_commas(tmp_path):
    text = "Kundennummer;Firma;Umsatz\n1;A;12,50\n2;B;1.234,56\n3;C;7,00\n"
    assert read_csv(write(tmp_path, text)).delimiter == ";"


def test_comma_with_semicolons_inside_cells(tmp_path):
    text = 'id,company,note\n1,A,"x; y; z"\n2,B,"a;b"\n3,C,plain\n'
    assert read_csv(write(tmp_path, text)).delimiter == ","


def test_title_line_above_the_header_is_skipped(tmp_path):
    text = "Customer export 31/01/2024\n\nid,company\n1,A\n"
    f = read_csv(write(tmp_path, text))
    assert f.header == ("id", "company")
    assert list(f.rows()) == [(4, ["1", "A"])]


def test_trailing_empty_header_columns_are_dropped(tmp_path):
    f = read_csv(write(tmp_path, "id;company;;\n1;A;;\n"))
    assert f.header == ("id", "company")


def test_preview_and_estimate(tmp_path):
    text = "id,company\n" + "".join(f"{i},C{i}\n" for i in range(50))
    f = read_csv(write(tmp_path, text))
    assert len(f.preview) == 20
    assert f.preview[0] == (2, ("0", "C0"))
    assert f.row_estimate == 50


def test_huge_field(tmp_path):
    big = "x" * 1_000_000  # just at the limit
    f = read_csv(write(tmp_path, f'id,company,notes\n1,A,"{big}"\n2,B,\n'))
    data = list(f.rows())
    assert len(data[0][1][2]) == len(big)
    assert data[1][0] == 3


def test_unclosed_quote_is_a_row_problem_at_its_line(tmp_path):
    f = read_csv(write(tmp_path, 'id,company\n1,A\n2,"B\n3,C\n'))
    errors = ErrorList()
    list(f.rows(errors))
    assert errors.count == 1
    assert errors.errors[0].line == 3
    assert "never closed" in errors.errors[0].problem


def test_sha256_is_over_the_bytes(tmp_path):
    import hashlib

    data = b"id,company\n1,A\n"
    assert read_csv(write(tmp_path, data)).sha256 == hashlib.sha256(data).hexdigest()


# -------------------------------------------------------------------------- not CSV at all


def test_png_is_refused():
    with pytest.raises(NotCsvError) as exc:
        read_csv(DATA / "not_a_csv.png")
    assert str(exc.value) == "not_a_csv.png does not look like a CSV file (it is a PNG image)"


def test_xlsx_is_refused_with_a_hint(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(NotCsvError, match=r"customers\.xlsx does not look like a CSV file .*save it as CSV"):
        read_csv(write(tmp_path, buf.getvalue(), "customers.xlsx"))


def test_pdf_is_refused(tmp_path):
    with pytest.raises(NotCsvError, match="PDF document"):
        read_csv(write(tmp_path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "x.pdf"))


def test_random_binary_is_refused(tmp_path):
    data = bytes(range(1, 256)) * 40 + os.urandom(2000).replace(b"\x00", b"\x01")
    with pytest.raises(NotCsvError, match=r"blob\.bin does not look like a CSV file \(.*control characters"):
        read_csv(write(tmp_path, data, "blob.bin"))


def test_nul_bytes_are_refused(tmp_path):
    with pytest.raises(NotCsvError, match=r"^file\.csv: line 2 holds a NUL byte"):
        read_csv(write(tmp_path, b"id,company\n1,A\x00B\n" + os.urandom(64).replace(b"\x00", b"")))
    with pytest.raises(NotCsvError, match=r"1,000 NUL bytes, the first on line 1, so it is binary data"):
        read_csv(write(tmp_path, b"a,b\x00" + b"\x00" * 999))


def test_utf16_without_bom_gets_a_hint(tmp_path):
    data = "id,company\n1,A\n".encode("utf-16-le")
    with pytest.raises(NotCsvError, match="UTF-16 text without a byte-order mark"):
        read_csv(write(tmp_path, data))


@pytest.mark.parametrize("data", [b"", b"   \n\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\r\n"])
def test_empty_files(tmp_path, data):
    with pytest.raises(NotCsvError, match=r"file\.csv is empty"):
        read_csv(write(tmp_path, data))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UnreadableFileError, match="cannot read"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(UnreadableFileError, match="cannot read"):
        read_csv(tmp_path)


def test_csv_module_limit_is_raised_only_as_needed(tmp_path):
    read_csv(write(tmp_path, "id,company\n1,A\n"))
    assert csv.field_size_limit() >= 128 * 1024


def test_unbalanced_quotes_do_not_make_sniffing_slow(tmp_path):
    import time

    path = write(tmp_path, "id,company\n" + ',"a' * 40_000 + "\n")
    started = time.perf_counter()
    f = read_csv(path)
    assert time.perf_counter() - started < 3
    assert f.delimiter == ","
