"""The rows of a file in batches, from its text or streamed from the file itself.

A file up to the preview's size is held as text; a bigger one is decoded again as its rows are
read, and hashed on the way, so that the import recorded under its hash is of these very bytes
(never the whole text in memory: a 100 MB file once cost 650 MB, as its bytes, their copy and
their text).

A batch whose every line is one record within the limits (nearly all of them) is read in one go
by the csv module, with no Python per row (measured: 3 s less for 1.47M lines than a loop over
the records); any other batch is read the careful way, record by record, with every problem
noted on its line. Space-aligned text is one record per line. Rows from a report's footer on
are not read.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain, compress, islice
from pathlib import Path
from typing import Any

from winback_desktop.importers.errors import ErrorList, NotCsvError, UnreadableFileError
from winback_desktop.importers.sniff.records import (
    ALIGNED,
    MAX_COLUMNS,
    MAX_FIELD_CHARS,
    _quote_problem,
    limit_problem,
    split_aligned,
)

STREAM_BYTES = 1024 * 1024  # read at a time when a big file's rows are streamed
Batches = Iterator[tuple[list[int], list[list[str]]]]


@contextmanager
def text_source(
    path: Path, text: str, *, streamed: bool, encoding: str, sha256: str
) -> Iterator[tuple[Iterator[str], Callable[[], None]]]:
    """The text to read the rows from, and a check to run when all is read: for a streamed
    file, that its bytes are still the ones hashed (the import is recorded under that hash)."""
    if not streamed:
        yield io.StringIO(text, newline=""), lambda: None
        return
    try:
        raw = io.FileIO(path, "rb")
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    hashing = _HashingReader(raw)
    errors = "winback_cp1252" if encoding == "cp1252" else "strict"
    buffered = io.BufferedReader(hashing, buffer_size=STREAM_BYTES)
    changed = UnreadableFileError(
        f"{path.name} changed while it was being read; nothing was imported. "
        "Import it again when the program writing it has finished."
    )
    with io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline="") as source:

        def check() -> None:
            if hashing.hexdigest() != sha256:
                raise changed

        try:
            yield source, check
        except UnicodeDecodeError:  # the scan found every byte readable: they are others now
            raise changed from None
        except OSError as exc:
            raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from exc


def batches(
    source: Iterator[str],
    *,
    delimiter: str,
    header_line: int,
    stop: int,
    width: int,
    errors: ErrorList | None,
    size: int,
) -> Batches:
    """The rows of ``source`` below ``header_line`` and above line ``stop`` (a footer's first),
    in batches of about ``size`` physical lines; blank rows are left out."""
    if delimiter in ALIGNED:
        yield from _aligned(source, delimiter, header_line, stop, width, size)
        return
    rest = iter(source)
    done = 0  # physical lines consumed so far
    while done + 1 < stop and (chunk := list(islice(rest, size))):
        quick = _plain_rows(chunk, delimiter) if done >= header_line else None
        if quick is not None:
            filled, cells = quick
            lines = list(range(done + 1, done + 1 + len(chunk)))
            if filled is not None:  # blank rows are left out
                lines, cells = list(compress(lines, filled)), list(compress(cells, filled))
            done += len(chunk)
        else:
            lines, cells = [], []
            reader = _Careful(delimiter, header_line, stop, errors)
            done += reader.read(chain(chunk, rest), done, len(chunk), lines, cells)
        if lines and lines[-1] >= stop:  # the footer begins in this batch
            keep = sum(1 for n in lines if n < stop)
            lines, cells = lines[:keep], cells[:keep]
        if lines:
            yield lines, cells


def _aligned(
    source: Iterator[str], layout: str, header_line: int, stop: int, width: int, size: int
) -> Batches:
    """The rows of space-aligned text: one per line, split as the header is wide."""
    lines: list[int] = []
    cells: list[list[str]] = []
    for n, line in enumerate(source, start=1):
        if n >= stop:
            break
        if n <= header_line or not line.strip():
            continue
        lines.append(n)
        cells.append(split_aligned(line, layout, width))
        if len(lines) >= size:
            yield lines, cells
            lines, cells = [], []
    if lines:
        yield lines, cells


class _Careful:
    """Records read one by one, each problem reported on its line (from the footer on: none)."""

    def __init__(self, delimiter: str, header_line: int, stop: int, errors: ErrorList | None):
        self.delimiter, self.header_line, self.stop, self.errors = delimiter, header_line, stop, errors

    def read(
        self, parts: Iterator[str], before: int, until: int, lines: list[int], cells: list[list[str]]
    ) -> int:
        """The records of ``parts`` (lines after physical line ``before``) into ``lines`` and
        ``cells`` until the record that reaches line ``until`` of ``parts`` or beyond has been
        read; returns the lines read. Blank rows and the header are left out."""
        reader = csv.reader(parts, delimiter=self.delimiter, strict=True)
        last = 0  # lines of ``parts`` read
        while last < until:
            try:
                for row in reader:
                    start, last = before + last + 1, reader.line_num
                    if start >= self.stop:
                        return last
                    if start > self.header_line:
                        joined = "".join(row)
                        if len(row) > MAX_COLUMNS or len(joined) > MAX_FIELD_CHARS:  # rare: checked
                            if problem := limit_problem(len(row), max(map(len, row))):
                                self._report(start, problem)
                                if last >= until:
                                    break
                                continue
                        if joined.strip():
                            lines.append(start)
                            cells.append(row)
                    if last >= until:
                        break
                break
            except csv.Error as exc:
                start, last = before + last + 1, reader.line_num
                if start < self.stop:
                    self._report(start, _quote_problem(str(exc), start, before + last))
        return last

    def _report(self, line: int, problem: str) -> None:
        if self.errors is None:
            raise NotCsvError(f"line {line}: {problem}")
        self.errors.add(line, "row", "", problem)


def _plain_rows(chunk: list[str], delimiter: str) -> tuple[list[bool] | None, list[list[str]]] | None:
    """The rows of ``chunk`` (whole physical lines) when each line is one record within the
    limits, with which rows are filled (None: all of them); else None."""
    if max(map(len, chunk)) > MAX_FIELD_CHARS:
        return None
    try:
        rows = list(csv.reader(chunk, delimiter=delimiter, strict=True))
    except csv.Error:  # broken quoting, or a quoted cell running past the chunk
        return None
    if len(rows) != len(chunk) or max(map(len, rows)) > MAX_COLUMNS:
        return None
    filled = list(map(bool, map(str.strip, map("".join, rows))))
    return (None if all(filled) else filled), rows


class _HashingReader(io.RawIOBase):
    """A file's bytes as they are read, hashed on the way (SHA-256)."""

    def __init__(self, raw: io.FileIO):
        self._raw = raw
        self._hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)
        if n:
            self._hash.update(memoryview(buffer)[:n])
        return n or 0

    def close(self) -> None:
        self._raw.close()
        super().close()

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
