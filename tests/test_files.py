"""The one home of file writing: all-or-nothing, private (0600), CSV safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import os
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
@given(st.text())
def test_neutralize_property(cell: str) -> None:
    result = neutralize(cell)
    assert not result.startswith(FORMULA_TRIGGERS)
    if cell.startswith(FORMULA_TRIGGERS):
        assert result == "'" + cell
        assert result[1:] == cell
    else:
        assert result == cell


@given(st.sampled_from(FORMULA_TRIGGERS), st.text())
def test_neutralize_every_trigger(trigger: str, rest: str) -> None:
    assert neutralize(trigger + rest) == "'" + trigger + rest


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
