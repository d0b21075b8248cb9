"""The one home of file writing: all-or-nothing, private (0600), CSV safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from winback_desktop import files
from winback_desktop.files import (
    FORMULA_TRIGGERS,
    atomic_open,
    atomic_write_bytes,
    atomic_write_csv,
    atomic_write_text,
    neutralize,
    neutralize_row,
    restore,
)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    d = tmp_path / "out"
    d.mkdir()
    return d


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def private(path: Path) -> bool:
    return os.name != "posix" or stat.S_IMODE(path.stat().st_mode) == 0o600


# ---------------------------------------------------------------- neutralizing cells
# Every place a spreadsheet may start a field: the cell's start and just after a separator of
# any locale or a line break; what must never follow there (blanks and quotes skipped).
FIELD_STARTS = re.compile(r"(?:\A|(?<=[,;\t\n\r]))")
RUNNABLE = re.compile(r"""(?:[^\S\t\n\r]|")*[=+\-@\uff1d\uff0b\uff0d\uff20]""")
# Text made of the characters that matter, so that hypothesis finds the corners.
hostile_text = st.text(alphabet=st.sampled_from(list("=+-@;,\t\n\r '\"x1.") + ["\uff1d", "\u00a0"]))


def unsafe_starts(cell: str) -> list[int]:
    starts = [m.start() for m in FIELD_STARTS.finditer(cell)]
    return [p for p in starts if RUNNABLE.match(cell, p)]


@given(st.one_of(st.text(), hostile_text))
def test_no_field_start_can_run_a_formula(cell: str) -> None:
    result = neutralize(cell)
    assert unsafe_starts(result) == []
    assert not result.startswith(FORMULA_TRIGGERS)
    assert restore(result) == cell  # the exact inverse: an export read back is what was written


@given(st.one_of(st.text(), hostile_text))
def test_a_cell_with_nothing_to_fear_is_unchanged(cell: str) -> None:
    if not unsafe_starts(cell) and not cell.startswith(("\t", "\r")) and "'" not in cell:
        assert neutralize(cell) == cell


@given(st.sampled_from(FORMULA_TRIGGERS), st.text())
def test_neutralize_every_trigger(trigger: str, rest: str) -> None:
    assert neutralize(trigger + rest).startswith("'" + trigger)


def test_neutralize_examples() -> None:
    assert neutralize("=SUM(A1)") == "'=SUM(A1)"
    assert neutralize("+1") == "'+1"
    assert neutralize("-2") == "'-2"
    assert neutralize("@x") == "'@x"
    assert neutralize("\tx") == "'\tx"
    assert neutralize("\rx") == "'\rx"
    assert neutralize("") == ""
    assert neutralize("plain = text") == "plain = text"
    assert neutralize("'already quoted") == "'already quoted"
    assert neutralize("2024-01-31") == "2024-01-31"
    # After a separator of any locale, or a line break, inside the cell.
    assert neutralize("Smith;=1+2") == "Smith;'=1+2"
    assert neutralize("a,+1") == "a,'+1"
    assert neutralize("a\t@SUM(1)") == "a\t'@SUM(1)"
    assert neutralize("first line\n-cmd") == "first line\n'-cmd"
    assert neutralize("a; =1") == "a; '=1"  # LibreOffice's "trim spaces" would reach it
    assert neutralize('a;"=1') == "a;\"'=1"  # a quote may open the field another split sees
    assert neutralize("Müller & Co; Nord") == "Müller & Co; Nord"
    assert neutralize("\uff1dcmd") == "'\uff1dcmd"
    # An apostrophe already there gets one more, so that reading back gives the text itself.
    assert neutralize("'=x") == "''=x" and restore("''=x") == "'=x"


def test_plain_numbers_stay_numbers_except_where_a_line_starts() -> None:
    assert neutralize("-12.50", number_ok=True) == "-12.50"
    assert neutralize("-12.50") == "'-12.50"
    assert neutralize("-12.50;=1", number_ok=True) == "'-12.50;'=1"  # no plain number: marked
    assert neutralize_row(["-5", "-12.50", "-1e3", "x;-5"]) == ["'-5", "-12.50", "'-1e3", "x;'-5"]


# ---------------------------------------------------------------- bytes and text
def test_atomic_write_replaces_and_failure_keeps_the_old_file(out_dir: Path, monkeypatch) -> None:
    target = out_dir / "file.bin"
    assert atomic_write_bytes(target, b"one") == target
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert private(target)

    def no_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", no_fsync)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_bytes(target, b"three, half written")
    assert target.read_bytes() == b"two"
    assert listing(out_dir) == ["file.bin"]


def test_atomic_write_into_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_bytes(tmp_path / "no" / "such" / "dir" / "x.pdf", b"data")
    assert not (tmp_path / "no").exists()


def test_atomic_write_text_is_private_and_keeps_the_encoding(out_dir: Path) -> None:
    target = out_dir / "note.txt"
    assert atomic_write_text(target, "Großmann\n", encoding="utf-8") == target
    assert target.read_bytes() == "Großmann\n".encode()
    assert private(target)


def test_an_error_inside_atomic_open_writes_nothing(out_dir: Path) -> None:
    target = out_dir / "doc.pdf"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError, match="renderer broke"), atomic_open(target, "wb") as fh:
        fh.write(b"half")
        raise RuntimeError("renderer broke")
    assert target.read_bytes() == b"previous"
    assert listing(out_dir) == ["doc.pdf"]


def test_atomic_open_refuses_appending(out_dir: Path) -> None:
    with pytest.raises(ValueError, match="whole files"), atomic_open(out_dir / "x", "ab"):
        pass
    assert listing(out_dir) == []


# ---------------------------------------------------------------- CSV
def test_csv_is_utf8_with_bom_private_and_neutralized(out_dir: Path) -> None:
    target = out_dir / "x.csv"
    assert atomic_write_csv(target, ["name", "=head"], [['Ærø, "A"', "=1+2"], ["-x", "\n"]]) == target
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with target.open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [["name", "'=head"], ['Ærø, "A"', "'=1+2"], ["'-x", "\n"]]
    assert private(target)


def test_a_failing_row_generator_keeps_the_earlier_csv(out_dir: Path) -> None:
    target = out_dir / "x.csv"
    target.write_text("the earlier export", encoding="utf-8")

    def rows() -> Iterator[list[str]]:
        yield ["a"]
        raise OSError("database went away")

    with pytest.raises(OSError, match="went away"):
        atomic_write_csv(target, ["h"], rows())
    assert target.read_text(encoding="utf-8") == "the earlier export"
    assert listing(out_dir) == ["x.csv"]


def test_csv_into_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="the folder .*nowhere does not exist"):
        atomic_write_csv(tmp_path / "nowhere" / "x.csv", ["h"], [])
