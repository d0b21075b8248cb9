"""Sniffing files as systems write them (pure: no database): the layout of the cells, a missing
header, a footer (also past the preview's reach), and how the preview's cells will be read."""

from __future__ import annotations

import pytest

from tests.helpers.imports import write_csv
from tests.importers.shaped import FOOTER, aligned_text
from winback_desktop.importers import sniff
from winback_desktop.importers.mapping import resolve
from winback_desktop.importers.reading import read_preview
from winback_desktop.importers.sniff import preview_csv, read_csv


def test_aligned_text_is_columns_not_one_comma_column(tmp_path):
    csv = read_csv(aligned_text(tmp_path / "a.txt"))
    assert csv.delimiter in sniff.ALIGNED and not csv.has_header and csv.header_line == 0
    assert [cells for _line, cells in csv.rows()][-1] == ["00010", "19970312", "10", "1.776357e-15"]


def test_a_last_column_with_spaces_keeps_them(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("id     amount   name\n00001  11.77    Acme Ltd\n00002  5.00     Beta and Sons\n")
    csv = read_csv(path)
    assert csv.header == ("id", "amount", "name")
    assert [cells for _line, cells in csv.rows()] == [
        ["00001", "11.77", "Acme Ltd"],
        ["00002", "5.00", "Beta and Sons"],
    ]


@pytest.mark.parametrize(
    "text",
    [
        "id,company\n1,Acme Ltd\n2,Beta Co\n",  # commas win over the spaces inside names
        "Kundennummer;Firma\n00586;Müller Großhandel GmbH\n",
        "just some words\nnothing like a table here at all\nor here\n",
    ],
)
def test_ordinary_files_are_not_taken_for_aligned_text(tmp_path, text):
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    assert read_csv(path).delimiter not in sniff.ALIGNED


def test_a_header_row_is_not_taken_for_data(tmp_path):
    csv = read_csv(write_csv(tmp_path / "h.csv", [["Customer", "2023", "2024"], ["1", "10", "20"]]))
    assert csv.has_header and csv.header == ("Customer", "2023", "2024")
    csv = read_csv(write_csv(tmp_path / "d.csv", [["1", "2024-01-31", "10.00"], ["2", "2024-02-01", "5"]]))
    assert not csv.has_header and csv.preview[0] == (1, ("1", "2024-01-31", "10.00"))


def test_the_footer_of_a_file_too_big_to_preview_whole_is_found_at_its_end(tmp_path, monkeypatch):
    monkeypatch.setattr(sniff, "PREVIEW_BYTES", 64 * 1024)
    rows = [["Account ID", "Account Name", "Phone", "Owner", "Revenue"]]
    rows += [[f"{i:06d}", f"Company {i}", "555", "Ana", "10.00"] for i in range(5000)]
    path = write_csv(tmp_path / "big.csv", rows + FOOTER)
    preview = preview_csv(path)
    assert not preview.complete and preview.footer is not None
    assert (preview.footer.first, preview.footer.last) == (5003, 5007)
    full = read_csv(path)
    assert full.footer == preview.footer
    lines = [line for line, _cells in full.rows()]
    assert lines[-1] == 5001 and len(lines) == 5000


def test_the_preview_reads_each_used_cell_as_the_import_will(tmp_path):
    csv = read_csv(aligned_text(tmp_path / "a.txt"))
    by_position = {"customer_external_id": "1", "order_date": "2", "amount": "4"}
    cmap = resolve("orders", csv.header, explicit=by_position, by_position=True)
    reading = read_preview(cmap, csv.preview)
    assert reading.cells[0] == ("“00001” (text)", "01 Jan 1997", "", "11.77")
    assert reading.cells[4][3] == "0.00"  # 1.776357e-15
    assert reading.rows == ("",) * 5 and not any(reading.bad)


def test_the_preview_marks_what_the_import_will_refuse(tmp_path):
    rows = [["Customer ID", "Date", "Amount"], ["4.91701E+11", "2024-02-30", "ten"]]
    csv = read_csv(write_csv(tmp_path / "bad.csv", rows))
    reading = read_preview(resolve("orders", csv.header), csv.preview)
    assert reading.bad[0] == frozenset({0, 1, 2})
    assert "scientific notation" in reading.cells[0][0] and "no such date" in reading.cells[0][1]
    assert reading.rows[0].startswith("refused: looks like a number Excel shortened")


def test_the_preview_marks_a_repeated_customer_id(tmp_path):
    rows = [["Customer ID", "Company"], ["00586", "A"], ["00112", "B"], ["00586", "C"]]
    csv = read_csv(write_csv(tmp_path / "c.csv", rows))
    reading = read_preview(resolve("customers", csv.header), csv.preview)
    assert reading.rows == ("", "", "refused: the same id as line 2") and reading.bad[2] == frozenset({0})


def test_a_big_aligned_file_is_streamed_in_columns(tmp_path, monkeypatch):
    monkeypatch.setattr(sniff, "PREVIEW_BYTES", 4096)
    path = tmp_path / "CDNOW_master.txt"
    path.write_text("".join(f"{i:05d} 19970101 {1 + i % 3:2d} {i % 97}.5\n" for i in range(1, 3001)))
    csv = read_csv(path)
    assert csv.streamed and csv.delimiter in sniff.ALIGNED and not csv.has_header
    rows = [cells for _line, cells in csv.rows()]
    assert len(rows) == 3000 and rows[-1] == ["03000", "19970101", "1", "90.5"]
