"""Reading an import file: bytes to text, the layout of its cells, header, rows and footer.

The parts, one module each: ``text`` (bytes to text: the encodings Excel and CRMs write, and
what is no text at all), ``dialect`` (comma, semicolon, tab or space-aligned columns),
``header`` (title lines, the header or its absence, the first rows, a report's footer) and
``records`` (records with their physical lines, and the limits a row must keep).

Hostile files get a clear answer, fast. A file over MAX_FILE_BYTES is refused before it is read;
a header over MAX_COLUMNS columns, or with a field over MAX_FIELD_CHARS characters, is refused
naming its line; a data row over either limit is a bad row, named with the others. The preview
(:func:`preview_csv`) reads at most PREVIEW_BYTES of text: a row it cannot see the end of is
measured by streaming the rest of it (:func:`record_shape`), never held in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from winback_desktop.importers.errors import (
    ErrorList,
    ImportCancelled,
    TooLargeError,
    UnreadableFileError,
)
from winback_desktop.importers.scan import ENCODING_NAMES, ByteScan, ShouldStop, chunks, scan
from winback_desktop.importers.sniff.dialect import DELIMITER_NAMES, DELIMITERS, detect_delimiter
from winback_desktop.importers.sniff.header import (
    FOOTER_LINES,
    MAX_PREAMBLE_ROWS,
    PREVIEW_BYTES,
    PREVIEW_ROWS,
    Footer,
    find_footer,
    find_table,
)
from winback_desktop.importers.sniff.records import (
    ALIGNED,
    MAX_COLUMNS,
    MAX_FIELD_CHARS,
    _count_lines,
    limit_problem,
    record_shape,
)
from winback_desktop.importers.sniff.rows import STREAM_BYTES, batches, text_source
from winback_desktop.importers.sniff.text import decode

__all__ = [
    "ALIGNED",
    "DELIMITER_NAMES",
    "DELIMITERS",
    "MAX_COLUMNS",
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "MAX_PREAMBLE_ROWS",
    "PREVIEW_BYTES",
    "PREVIEW_ROWS",
    "STREAM_BYTES",
    "CsvFile",
    "decode",
    "detect_delimiter",
    "limit_problem",
    "preview_csv",
    "read_csv",
    "record_shape",
]

MAX_FILE_BYTES = 1024**3  # the import holds a file's validated columns until written: 1 GiB, at most
_LINE_BREAK = re.compile("\r\n|\r|\n")
TAIL_BYTES = 64 * 1024  # of a big file, read for its footer


@dataclass(frozen=True)
class CsvFile:
    """A decoded CSV file: how it was read, its header, a preview, and its rows on demand."""

    path: Path
    sha256: str
    encoding: str  # a Python codec name: utf-8-sig, utf-8, cp1252 or utf-16
    delimiter: str
    header: tuple[str, ...]
    header_line: int  # physical line of the header (the line above the data when there is none)
    preview: tuple[tuple[int, tuple[str, ...]], ...]  # the first data rows: (line, cells)
    line_count: int  # physical lines in the file
    text: str = field(repr=False)
    complete: bool = True  # False for a preview: ``text`` is only the start of the file
    notes: tuple[str, ...] = ()  # rows in the preview over a limit: "line 3: a field of ..."
    has_header: bool = True  # False: the columns are "column 1", "column 2", ... (by position)
    streamed: bool = False  # ``text`` is the start only; the rows are read from the file itself
    footer: Footer | None = None  # a report's trailing lines, not read as rows

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def encoding_label(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))

    @property
    def footer_notes(self) -> tuple[str, ...]:
        """The footer skipped, said: "lines 7–10: a report footer (“Grand Totals ...”), ..."."""
        return () if self.footer is None else (self.footer.note(),)

    @property
    def layout_label(self) -> str:
        """How the cells are apart, for the preview: "comma-separated", "columns aligned with spaces"."""
        if self.delimiter in ALIGNED:
            return "columns aligned with spaces"
        return f"{self.delimiter_label}-separated"

    @property
    def row_estimate(self) -> int:
        """Data rows, counted as physical lines below the header and above the footer (quoted
        newlines count extra)."""
        end = self.line_count if self.footer is None else self.footer.first - 1
        return max(end - self.header_line, 0)

    def rows(self, errors: ErrorList | None = None) -> Iterator[tuple[int, list[str]]]:
        """The data rows below the header as ``(line, cells)``; blank rows are skipped.

        ``line`` is the physical line where the row starts. Broken quoting, and a row over
        MAX_COLUMNS cells or with a field over MAX_FIELD_CHARS, are reported into ``errors``
        when given (the rows after it still come), else raised as NotCsvError.
        """
        for lines, cells in self.batches(errors):
            yield from zip(lines, cells, strict=True)

    def batches(
        self, errors: ErrorList | None = None, size: int = 5000
    ) -> Iterator[tuple[list[int], list[list[str]]]]:
        """The rows of :meth:`rows` in batches of about ``size`` lines, as (lines, cells): the way
        to read a million rows, with one generator step per batch rather than per row (see
        rows.py: from the text, or streamed from the file; never the footer)."""
        if not self.complete:
            raise ValueError(f"the preview of {self.name} holds only its first rows")
        stop = self.footer.first if self.footer is not None else sys.maxsize
        with text_source(
            self.path, self.text, streamed=self.streamed, encoding=self.encoding, sha256=self.sha256
        ) as (source, check):
            yield from batches(
                source,
                delimiter=self.delimiter,
                header_line=self.header_line,
                stop=stop,
                width=len(self.header),
                errors=errors,
                size=size,
            )
            check()


def read_csv(path: str | Path) -> CsvFile:
    """Read ``path`` as for the import: encoding, layout, header, footer and its rows; raises
    NotCsvError if it is not CSV, TooLargeError when it is over a limit (see the module docstring).

    A file up to PREVIEW_BYTES is held as text. A bigger one is streamed: what the preview reads
    decides encoding, layout and header (and its last lines the footer), and
    :meth:`CsvFile.batches` decodes the file again as it goes (never the whole text in memory).
    UTF-16 files are held whole, as their decoder names the line where the bytes stop being
    UTF-16 only when it has them all.
    """
    path = Path(path)
    head = preview_csv(path)
    if head.complete:
        return head
    if head.encoding != "utf-16":
        _raise_field_limit(path.stat().st_size)  # no field is longer than the file
        return replace(head, complete=True, streamed=True)
    return _read_whole(path)


def _read_whole(path: Path) -> CsvFile:
    """``path`` read and decoded in memory."""
    _check_size(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    facts = scan(chunks(io.BytesIO(data).read))
    text, encoding = decode(data, path.name, facts)
    return _table(path, text, encoding, facts)


def preview_csv(path: str | Path, should_stop: ShouldStop | None = None) -> CsvFile:
    """What :func:`read_csv` says of ``path`` and its first rows, reading at most PREVIEW_BYTES
    of it into memory (the rest is streamed through, for its hash and lines). ``should_stop()``
    returning True ends the reading with ImportCancelled; the CsvFile's ``rows()`` are not there."""
    path = Path(path)
    size = _check_size(path)
    try:
        with path.open("rb") as fh:
            facts = scan(chunks(fh.read, should_stop), should_stop=should_stop)
        with path.open("rb") as fh:
            head = fh.read(PREVIEW_BYTES)
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    truncated = size > len(head)
    text, encoding = decode(head, path.name, facts, final=not truncated)
    if not truncated:
        return _table(path, text, encoding, facts)
    delimiter = detect_delimiter(text)
    text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]  # whole lines only (maybe none)

    def measure(line: int) -> tuple[int, int]:
        return record_shape(_text_from(path, encoding, _offset_of_line(text, line), should_stop), delimiter)

    try:
        tail = _file_tail(path, encoding, facts.lines)
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return _table(path, text, encoding, facts, delimiter=delimiter, measure=measure, tail=tail)


def _check_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if size > MAX_FILE_BYTES:
        raise TooLargeError(
            f"{path.name} is {size / 1024**3:,.1f} GiB; an import reads files up to "
            f"{MAX_FILE_BYTES // 1024**3} GiB: split it into smaller files"
        )
    return size


def _table(
    path: Path,
    text: str,
    encoding: str,
    facts: ByteScan,
    *,
    delimiter: str | None = None,
    measure: Callable[[int], tuple[int, int]] | None = None,
    tail: tuple[str, int] | None = None,
) -> CsvFile:
    """The CsvFile of ``text``; ``measure`` and ``tail`` (the end of the file, from its line)
    given when ``text`` is the start of the file only."""
    _raise_field_limit(len(text))
    delimiter = delimiter or detect_delimiter(text)
    table = find_table(text, delimiter, path.name, measure)
    end, end_line = tail if tail is not None else _tail(text)
    footer = find_footer(end, end_line, delimiter, len(table.header), table.header_line)
    preview = table.preview
    if footer is not None:
        preview = tuple((n, cells) for n, cells in preview if n < footer.first)
    return CsvFile(
        path=path,
        sha256=facts.sha256,
        encoding=encoding,
        delimiter=delimiter,
        header=table.header,
        header_line=table.header_line,
        preview=preview,
        line_count=facts.lines,
        text=text,
        complete=measure is None,
        notes=table.notes,
        has_header=table.has_header,
        footer=footer,
    )


def _tail(text: str, lines: int = FOOTER_LINES) -> tuple[str, int]:
    """The last ``lines`` physical lines of ``text`` and the line number the first of them has."""
    pos = len(text)
    while pos and text[pos - 1] in "\r\n":  # (not rstrip: that would copy the whole text)
        pos -= 1
    start = 0
    for _ in range(lines):
        pos = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos))
        if pos < 0:
            start = 0
            break
        start = pos + 1
        if text[pos] == "\n" and pos and text[pos - 1] == "\r":  # one break, not two
            pos -= 1
    tail = text[start:]  # (the lines before it counted without copying them: a file may be 1 GiB)
    return tail, _count_lines(text) - _count_lines(tail) + 1


def _file_tail(path: Path, encoding: str, line_count: int) -> tuple[str, int]:
    """The last lines of a file too big to preview whole: its last TAIL_BYTES, whole lines only."""
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - TAIL_BYTES, 0))
        data = fh.read()
    if encoding == "utf-16":
        data = data[len(data) % 2 :]
    text = data.decode("utf-16-le" if encoding == "utf-16" else encoding.replace("-sig", ""), "replace")
    first = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=-1)
    text = text[first + 1 :].lstrip("\n")
    text, _first = _tail(text)
    return text, line_count - _count_lines(text) + 1


def _offset_of_line(text: str, line: int) -> int:
    """Where physical line ``line`` starts in ``text`` (its end if the text has fewer lines)."""
    if line <= 1:
        return 0
    for n, m in enumerate(_LINE_BREAK.finditer(text), start=2):
        if n == line:
            return m.end()
    return len(text)


def _text_from(path: Path, encoding: str, offset: int, should_stop: ShouldStop | None) -> Iterator[str]:
    """The decoded text of ``path`` from character ``offset`` on, in parts of about a MiB."""
    decoder = codecs.getincrementaldecoder(encoding)(
        errors="winback_cp1252" if encoding == "cp1252" else "strict"
    )
    skip = offset
    with path.open("rb") as fh:
        while block := fh.read(1024 * 1024):
            if should_stop is not None and should_stop():
                raise ImportCancelled()
            part = decoder.decode(block)
            if skip:
                part, skip = part[skip:], max(skip - len(part), 0)
            if part:
                yield part
        if tail := decoder.decode(b"", final=True)[skip:]:
            yield tail


def _raise_field_limit(text_length: int) -> None:
    # No field can be longer than the whole text; the csv module's default limit is 128 KiB.
    limit = min(max(text_length + 1, 128 * 1024), 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)
