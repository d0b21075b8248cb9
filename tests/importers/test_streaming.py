"""Big files (issue 13, point 6): read as a stream, and read in batches without Python per row.

A file over the preview's size is decoded as its rows are asked for: these tests make the
preview small so that small files written for the tests take that way, and check that it gives
exactly the rows, lines and problems the whole text in memory gives. The batches that the csv
module reads in one go are checked against a record-by-record reading (the way every row was
read before) on generated texts cut at every batch size.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from winback_desktop.importers import UnreadableFileError, read_csv, sniff
from winback_desktop.importers.errors import ErrorList

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def rows_and_problems(f: sniff.CsvFile, size: int = 5000) -> tuple[list, list]:
    errors = ErrorList()
    batches = f.batches(errors, size)
    rows = [(line, cells) for lines, batch in batches for line, cells in zip(lines, batch, strict=True)]
    return rows, [(e.line, e.problem) for e in errors.errors]


def record_by_record(text: str, delimiter: str, header_line: int) -> tuple[list, list]:
    """The oracle: each record read on its own, with the physical line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, problems, last = [], [], 0
    while True:
        try:
            for cells in reader:
                start, last = last + 1, reader.line_num
                if start > header_line and "".join(cells).strip():
                    rows.append((start, cells))
            return rows, problems
        except csv.Error:
            start, last = last + 1, reader.line_num
            problems.append(start)


@pytest.fixture
def small_preview(monkeypatch):
    """Files over 64 bytes are streamed, as files over 8 MiB are."""
    monkeypatch.setattr(sniff, "PREVIEW_BYTES", 64)


BODY = (
    'Customer ID;Company;Notes\r\n1;Müller & Söhne;"a note\r\non two lines"\r\n\r\n'
    "2;Société Générale;\r\n  ;  ;  \r\n3;Ærø Café;plain\r\n"
    + "".join(f"{i};C {i};x\r\n" for i in range(4, 60))
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_a_streamed_file_gives_the_rows_the_whole_text_gives(tmp_path, small_preview, encoding):
    path = tmp_path / "big.csv"
    path.write_bytes(BODY.encode(encoding))
    streamed = read_csv(path)
    assert streamed.streamed and len(streamed.text) < len(BODY)  # only the start is held
    whole = sniff._read_whole(path)
    assert not whole.streamed
    assert (streamed.header, streamed.header_line, streamed.sha256, streamed.encoding) == (
        whole.header,
        whole.header_line,
        whole.sha256,
        whole.encoding,
    )
    for size in (1, 2, 7, 5000):
        assert rows_and_problems(streamed, size) == rows_and_problems(whole, size)
    rows = rows_and_problems(streamed)[0]
    assert rows[0] == (2, ["1", "Müller & Söhne", "a note\r\non two lines"])
    assert rows[1] == (5, ["2", "Société Générale", ""])  # line 4 is blank, line 6 only spaces
    assert rows[2] == (7, ["3", "Ærø Café", "plain"])


def test_a_record_on_two_lines_inside_a_batch_keeps_the_lines_after_it_right():
    text = 'id,name\n1,a\n2,b\n3,c\n4,"two\nlines"\n5,e\n6,f\n'
    f = sniff.CsvFile(
        path=sniff.Path("two.csv"),
        sha256="",
        encoding="utf-8",
        delimiter=",",
        header=("id", "name"),
        header_line=1,
        preview=(),
        line_count=0,
        text=text,
    )
    rows = rows_and_problems(f, 4)[0]  # lines 1-4 the careful way, then 5-8 in one go
    assert rows == [(2, ["1", "a"]), (3, ["2", "b"]), (4, ["3", "c"]), (5, ["4", "two\nlines"])] + [
        (7, ["5", "e"]),
        (8, ["6", "f"]),
    ]


def test_a_broken_quote_in_a_streamed_file_is_named_on_its_line(tmp_path, small_preview):
    path = tmp_path / "broken.csv"
    path.write_text("id,company\n" + "".join(f"{i},C{i}\n" for i in range(1, 30)) + '30,"x"y\n31,D\n')
    streamed = read_csv(path)
    assert streamed.streamed
    rows, problems = rows_and_problems(streamed, 4)
    assert problems == [
        (31, "text after the closing quote of a cell (a quote inside a quoted cell must be doubled)")
    ]
    assert [line for line, _ in rows][-2:] == [30, 32]


def test_a_file_changed_while_it_is_read_imports_nothing(tmp_path, small_preview):
    path = tmp_path / "moving.csv"
    path.write_text("id,company\n" + "".join(f"{i},C{i}\n" for i in range(1, 40)))
    f = read_csv(path)
    path.write_text("id,company\n" + "".join(f"{i},D{i}\n" for i in range(1, 40)))  # same size, other bytes
    with pytest.raises(UnreadableFileError, match="moving.csv changed while it was being read; nothing"):
        rows_and_problems(f)


def test_a_utf16_file_is_held_whole(tmp_path, small_preview):
    path = tmp_path / "unicode.csv"
    path.write_bytes(BODY.encode("utf-16"))
    f = read_csv(path)
    assert not f.streamed and f.complete
    assert rows_and_problems(f)[0][0] == (2, ["1", "Müller & Söhne", "a note\r\non two lines"])


# One cell: plain, quoted (with the delimiter, a doubled quote or a line break inside), blank,
# or now and then broken (a quote in the middle of a quoted cell, or one never closed).
CELL = st.sampled_from(
    ["a", "1", "Ærø", " ", "", "x y", "a", "1", "Ærø", "b", "2", "c"]
    + ['"a,b"', '"say ""hi"""', '"two\nlines"', '"three\r\nlines\rhere"', '"two\nlines"']
    + ['"bad"x', '"never closed']
)
LINE = st.lists(CELL, min_size=0, max_size=4).map(",".join)
ENDS = st.sampled_from(["\n", "\r\n", "\r"])


@FUZZ
@given(lines=st.lists(st.tuples(LINE, ENDS), min_size=1, max_size=25), size=st.integers(1, 9))
def test_batches_give_what_a_record_by_record_reading_gives(lines, size):
    text = "id,name\n" + "".join(line + end for line, end in lines)
    f = sniff.CsvFile(
        path=sniff.Path("fuzz.csv"),
        sha256="",
        encoding="utf-8",
        delimiter=",",
        header=("id", "name"),
        header_line=1,
        preview=(),
        line_count=0,
        text=text,
    )
    rows, problems = rows_and_problems(f, size)
    want_rows, want_problems = record_by_record(text, ",", 1)
    assert rows == want_rows
    assert [line for line, _problem in problems] == want_problems
