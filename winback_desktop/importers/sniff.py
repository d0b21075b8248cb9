"""Reading an import file: bytes to text, delimiter, header, and rows with their physical lines.

Excel and CRMs write CSV as UTF-8 (with or without a byte-order mark), as Windows-1252 ("ANSI",
which covers Latin-1 text in practice), or as UTF-16 with a BOM ("Unicode text"); scan.py reads
the bytes and tells which. Anything else that holds NUL bytes or is mostly control characters is
not a CSV file, and is refused with a message naming the file (and the line) rather than being
read as garbage.

Hostile files get a clear answer, fast. A file over MAX_FILE_BYTES is refused before it is read;
a header over MAX_COLUMNS columns, or with a field over MAX_FIELD_CHARS characters, is refused
naming its line; a data row over either limit is a bad row, named with the others. The preview
(:func:`preview_csv`) reads at most PREVIEW_BYTES of text: a row it cannot see the end of is
measured by streaming the rest of it (:func:`record_shape`), never held in memory.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import chain, compress, islice
from pathlib import Path
from typing import Any

from winback_desktop.importers.errors import (
    ErrorList,
    ImportCancelled,
    NotCsvError,
    TooLargeError,
    UnreadableFileError,
)
from winback_desktop.importers.scan import ENCODING_NAMES, ByteScan, ShouldStop, chunks, line_breaks, scan

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
PREVIEW_ROWS = 20
MAX_FILE_BYTES = 1024**3  # the import holds a file's validated columns until written: 1 GiB, at most
MAX_FIELD_CHARS = 1_000_000  # Excel's own cells stop at 32,767 characters
MAX_COLUMNS = 2_000  # CRM exports with every custom property have a few hundred
PREVIEW_BYTES = 8 * 1024 * 1024  # of the file, decoded for the preview (more than any field)
STREAM_BYTES = 1024 * 1024  # read at a time when a big file's rows are streamed
SAMPLE_CHARS = 64 * 1024
SNIFFER_CHARS = 4096
SAMPLE_LINES = 100
MAX_PREAMBLE_ROWS = 20

# Leading bytes of files people pick by mistake, and what to call them.
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive, e.g. an Excel .xlsx workbook: save it as CSV first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook: save it as CSV first"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3\x00", "a SQLite database"),
)
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_LINE_BREAK = re.compile("\r\n|\r|\n")
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f", "\x1a"}  # \x1a: the DOS end-of-file mark old tools append


def _cp1252_undefined(exc: UnicodeError) -> tuple[str, int]:
    # The five bytes cp1252 leaves undefined decode as Windows itself does: to the C1 controls.
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("winback_cp1252", _cp1252_undefined)


@dataclass(frozen=True)
class CsvFile:
    """A decoded CSV file: how it was read, its header, a preview, and its rows on demand."""

    path: Path
    sha256: str
    encoding: str  # a Python codec name: utf-8-sig, utf-8, cp1252 or utf-16
    delimiter: str
    header: tuple[str, ...]
    header_line: int  # physical line of the header
    preview: tuple[tuple[int, tuple[str, ...]], ...]  # the first data rows: (line, cells)
    line_count: int  # physical lines in the file
    text: str = field(repr=False)
    complete: bool = True  # False for a preview: ``text`` is only the start of the file
    notes: tuple[str, ...] = ()  # rows in the preview over a limit: "line 3: a field of ..."
    streamed: bool = False  # ``text`` is the start only; the rows are read from the file itself

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
    def row_estimate(self) -> int:
        """Data rows, counted as physical lines below the header (quoted newlines count extra)."""
        return max(self.line_count - self.header_line, 0)

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
        """The rows of :meth:`rows` in batches of ``size``, as (lines, cells): the way to read a
        million rows, with one generator step per batch rather than per row."""
        if not self.complete:
            raise ValueError(f"the preview of {self.name} holds only its first rows")
        with self._source() as (source, check):
            yield from self._batches(source, errors, size)
            check()

    @contextmanager
    def _source(self) -> Iterator[tuple[Iterator[str], Callable[[], None]]]:
        """The text to read the rows from, and a check to run when all is read: for a streamed
        file, that its bytes are still the ones hashed (the import is recorded under that hash)."""
        if not self.streamed:
            yield io.StringIO(self.text, newline=""), lambda: None
            return
        try:
            raw = io.FileIO(self.path, "rb")
        except OSError as exc:
            raise UnreadableFileError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        hashing = _HashingReader(raw)
        errors = "winback_cp1252" if self.encoding == "cp1252" else "strict"
        buffered = io.BufferedReader(hashing, buffer_size=STREAM_BYTES)
        changed = UnreadableFileError(
            f"{self.name} changed while it was being read; nothing was imported. "
            "Import it again when the program writing it has finished."
        )
        with io.TextIOWrapper(buffered, encoding=self.encoding, errors=errors, newline="") as text:

            def check() -> None:
                if hashing.hexdigest() != self.sha256:
                    raise changed

            try:
                yield text, check
            except UnicodeDecodeError:  # the scan found every byte readable: they are others now
                raise changed from None
            except OSError as exc:
                raise UnreadableFileError(f"cannot read {self.path}: {exc.strerror or exc}") from exc

    def _batches(
        self, source: Iterator[str], errors: ErrorList | None, size: int
    ) -> Iterator[tuple[list[int], list[list[str]]]]:
        """The rows of ``source`` in batches of about ``size`` physical lines.

        A batch whose every line is one record within the limits (nearly all of them) is read
        in one go by the csv module, with no Python per row (measured: 3 s less for 1.47M lines
        than a loop over the records); any other batch is read the careful way
        (:meth:`_careful`), record by record, with every problem noted on its line."""
        rest = iter(source)
        done = 0  # physical lines consumed so far
        while chunk := list(islice(rest, size)):
            quick = _plain_rows(chunk, self.delimiter) if done >= self.header_line else None
            if quick is not None:
                filled, cells = quick
                lines = list(range(done + 1, done + 1 + len(chunk)))
                if filled is not None:  # blank rows are left out
                    lines, cells = list(compress(lines, filled)), list(compress(cells, filled))
                done += len(chunk)
            else:
                lines, cells = [], []
                done += self._careful(chain(chunk, rest), done, len(chunk), errors, lines, cells)
            if lines:
                yield lines, cells

    def _careful(
        self,
        parts: Iterator[str],
        before: int,
        until: int,
        errors: ErrorList | None,
        lines: list[int],
        cells: list[list[str]],
    ) -> int:
        """The records of ``parts`` (lines after physical line ``before``) into ``lines`` and
        ``cells``, one by one, until the record that reaches line ``until`` of ``parts`` or
        beyond has been read; returns the lines read. Blank rows and the header are left out."""
        header_line = self.header_line
        reader = csv.reader(parts, delimiter=self.delimiter, strict=True)
        last = 0  # lines of ``parts`` read
        while last < until:
            try:
                for row in reader:
                    start, last = before + last + 1, reader.line_num
                    if start > header_line:
                        joined = "".join(row)
                        if len(row) > MAX_COLUMNS or len(joined) > MAX_FIELD_CHARS:  # rare: checked
                            if problem := limit_problem(len(row), max(map(len, row))):
                                _report(errors, start, problem)
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
                _report(errors, start, _quote_problem(str(exc), start, before + last))
        return last


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


def _report(errors: ErrorList | None, line: int, problem: str) -> None:
    if errors is None:
        raise NotCsvError(f"line {line}: {problem}")
    errors.add(line, "row", "", problem)


def limit_problem(cells: int, longest: int, what: str = "cells") -> str | None:
    """What is over a limit in a row of ``cells`` cells whose longest has ``longest`` characters."""
    if cells > MAX_COLUMNS:
        return f"{cells:,} {what}; the limit is {MAX_COLUMNS:,}"
    if longest > MAX_FIELD_CHARS:
        return f"a field of {longest:,} characters; the limit is {MAX_FIELD_CHARS:,}"
    return None


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


def read_csv(path: str | Path) -> CsvFile:
    """Read ``path`` as for the import: encoding, delimiter, header and its rows; raises
    NotCsvError if it is not CSV, TooLargeError when it is over a limit (see the module docstring).

    A file up to PREVIEW_BYTES is held as text. A bigger one is streamed: what the preview reads
    decides encoding, delimiter and header, and :meth:`CsvFile.batches` decodes the file again
    as it goes (never the whole text in memory: a 100 MB file once cost 650 MB here, as its
    bytes, their copy and their text). UTF-16 files are held whole, as their decoder names the
    line where the bytes stop being UTF-16 only when it has them all.
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

    return _table(path, text, encoding, facts, delimiter=delimiter, measure=measure)


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
) -> CsvFile:
    """The CsvFile of ``text``; ``measure`` given when ``text`` is the start of the file only."""
    _raise_field_limit(len(text))
    delimiter = delimiter or detect_delimiter(text)
    header_line, header, preview, notes = _header_and_preview(text, delimiter, path.name, measure)
    return CsvFile(
        path=path,
        sha256=facts.sha256,
        encoding=encoding,
        delimiter=delimiter,
        header=tuple(h.strip() for h in header),
        header_line=header_line,
        preview=preview,
        line_count=facts.lines,
        text=text,
        complete=measure is None,
        notes=notes,
    )


def decode(data: bytes, name: str, facts: ByteScan | None = None, *, final: bool = True) -> tuple[str, str]:
    """The text of ``data`` and the codec that read it; NotCsvError when it is not text, mixes
    two encodings or holds a NUL byte (naming the line). ``facts``: the scan of the whole file
    when ``data`` is only its start (then ``final=False``: a character cut at the end is left out)."""
    if not data.strip():
        raise NotCsvError(f"{name} is empty")
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise NotCsvError(f"{name} does not look like a CSV file (it is {what})")
    facts = facts or scan([data])
    if facts.nul_line is not None and not facts.utf16 and _looks_like_utf16(data):
        raise NotCsvError(
            f"{name} does not look like a CSV file (it looks like UTF-16 text without a "
            "byte-order mark: save it as CSV UTF-8)"
        )
    encoding = facts.encoding(name)
    if encoding == "utf-16":
        text = _utf16_text(data, name, final)
    elif encoding == "cp1252":
        text = data.decode("cp1252", errors="winback_cp1252")
    else:  # the scan found every byte UTF-8
        text = codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    if "\x00" in text:
        raise NotCsvError(f"{name} does not look like a CSV file (it contains NUL characters)")
    sample = text[:SAMPLE_CHARS]
    controls = sum(1 for ch in sample if ch < " " and ch not in _TEXT_CONTROLS) + sum(
        1 for ch in sample if "\x7f" <= ch <= "\x9f"
    )
    if controls > max(2, len(sample) // 100):
        raise NotCsvError(
            f"{name} does not look like a CSV file ({controls} control characters "
            f"in its first {len(sample):,} characters: it looks like binary data)"
        )
    if not text.strip():
        raise NotCsvError(f"{name} is empty")
    return text, encoding


def _utf16_text(data: bytes, name: str, final: bool) -> str:
    decoder = codecs.getincrementaldecoder("utf-16")()
    try:
        return decoder.decode(data, final=final)
    except UnicodeDecodeError as exc:
        line = 1 + line_breaks(data[: exc.start - exc.start % 2].decode("utf-16", "replace"))
        raise NotCsvError(
            f"{name} does not look like a CSV file (it starts like UTF-16 text "
            f"but line {line:,} is not UTF-16: byte {exc.start:,})"
        ) from None


def _looks_like_utf16(data: bytes) -> bool:
    head = data[:4096]
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    return max(even, odd) > len(head) // 4 and min(even, odd) <= len(head) // 50


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


def record_shape(parts: Iterable[str], delimiter: str) -> tuple[int, int]:
    """(cells, longest cell) of the record ``parts`` begin with, read as the csv module reads it
    (a quote opens a cell, a doubled quote inside is one), without holding it: a 100 MB cell or a
    million cells on one line cost no memory. The longest is exact while there are at most
    MAX_COLUMNS cells (past that, the count is what matters)."""
    cells, longest, current = 1, 0, 0
    quoted, at_start, quote_pending = False, True, False
    for part in parts:
        i, n = 0, len(part)
        while i < n:
            if quote_pending:  # a quote ended the last part inside a quoted cell
                quote_pending = False
                if part[i] == '"':
                    current, i = current + 1, i + 1
                    continue
                quoted = False
            if at_start:
                at_start = False
                if part[i] == '"':
                    quoted, i = True, i + 1
                    continue
            if quoted:
                j = part.find('"', i)
                if j < 0 or j + 1 == n:
                    current += (n if j < 0 else j) - i
                    quote_pending, i = j >= 0, n
                elif part[j + 1] == '"':
                    current, i = current + j + 1 - i, j + 2
                else:
                    current, quoted, i = current + j - i, False, j + 1
                continue
            end = min((k for k in (part.find("\n", i), part.find("\r", i)) if k >= 0), default=n)
            if part.find('"', i, end) < 0:  # plain cells up to the line's end: count, don't walk
                count = part.count(delimiter, i, end)
                if count:
                    first, last = part.find(delimiter, i, end), part.rfind(delimiter, i, end)
                    longest = max(longest, current + first - i)
                    if 1 < count and cells + count <= MAX_COLUMNS + 1:
                        longest = max(longest, *map(len, part[first + 1 : last].split(delimiter)))
                    cells, current = cells + count, end - last - 1
                    at_start = last == end - 1  # a quote may open the cell the next part begins
                else:
                    current += end - i
                i = end
            else:  # one cell, to the next delimiter (a quote inside an unquoted cell is text)
                d = part.find(delimiter, i, end)
                if d < 0:
                    current, i = current + end - i, end
                else:
                    longest, current, cells = max(longest, current + d - i), 0, cells + 1
                    at_start, i = True, d + 1
                    continue
            if end < n:  # the line break ends the record
                return cells, max(longest, current)
    return cells, max(longest, current)


def _raise_field_limit(text_length: int) -> None:
    # No field can be longer than the whole text; the csv module's default limit is 128 KiB.
    limit = min(max(text_length + 1, 128 * 1024), 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


def _count_lines(text: str) -> int:
    # The same line breaks io.StringIO(newline="") splits on: \r\n, \n and a lone \r.
    crlf = text.count("\r\n")
    n = text.count("\n") + text.count("\r") - crlf
    return n + (0 if text.endswith(("\n", "\r")) else 1)


def _records(text: str, delimiter: str, errors: ErrorList | None) -> Iterator[tuple[int, int, list[str]]]:
    """Every record of ``text`` (blank ones included) with the physical lines it starts and ends on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last = 0  # physical lines consumed so far
    while True:
        try:
            for cells in reader:  # a plain for loop: this runs once per row of a big file
                start, last = last + 1, reader.line_num
                yield start, last, cells
            return
        except csv.Error as exc:
            start, last = last + 1, reader.line_num
            problem = _quote_problem(str(exc), start, last)
            if errors is None:
                raise NotCsvError(f"line {start}: {problem}") from None
            errors.add(start, "row", "", problem)


def _quote_problem(message: str, start: int, end: int) -> str:
    if "unexpected end of data" in message:
        return f"a quoted cell starting on this line is never closed (the file ends at line {end})"
    if "expected after" in message:
        return "text after the closing quote of a cell (a quote inside a quoted cell must be doubled)"
    return f"the row cannot be read as CSV ({message})"


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c.strip())


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: csv.Sniffer's answer when the rows agree with it, else by counting."""
    sample = _sample(text)
    try:
        # Sniffer's quote regex is quadratic on unbalanced quotes: give it a few lines only.
        sniffed = (
            csv.Sniffer().sniff(_sample(sample, SNIFFER_CHARS), delimiters="".join(DELIMITERS)).delimiter
        )
    except csv.Error:
        sniffed = None
    scores = {d: _score(sample, d) for d in DELIMITERS}
    if sniffed in scores and scores[sniffed][0]:
        return sniffed
    if not any(score[1] for score in scores.values()):  # no row reads as a table: e.g. a first
        head = sample[:SNIFFER_CHARS]  # line longer than the sample; count what it starts with
        counted = {d: head.count(d) for d in DELIMITERS}
        if any(counted.values()):
            return max(DELIMITERS, key=counted.__getitem__)
    return max(DELIMITERS, key=lambda d: scores[d])


def _sample(text: str, chars: int = SAMPLE_CHARS) -> str:
    """The first lines of ``text``, cut at a line end (a cut inside a quoted cell only costs a row)."""
    sample = text[:chars]
    lines = io.StringIO(sample, newline="").readlines()
    if len(text) > len(sample) and len(lines) > 1:
        lines = lines[:-1]
    return "".join(lines[:SAMPLE_LINES])


def _score(sample: str, delimiter: str) -> tuple[bool, float, int]:
    """(the header agrees with most rows, share of rows as wide as the most common width, width)."""
    widths = [
        len(cells) for _start, _end, cells in _records(sample, delimiter, ErrorList()) if not _blank(cells)
    ]
    if not widths:
        return (False, 0.0, 0)
    width, count = Counter(widths).most_common(1)[0]
    share = count / len(widths)
    agrees = width >= 2 and (len(widths) == 1 or share >= 0.8) and widths[0] == width
    return (agrees, share if width >= 2 else 0.0, width)


def _header_and_preview(
    text: str, delimiter: str, name: str, measure: Callable[[int], tuple[int, int]] | None = None
) -> tuple[int, list[str], tuple[tuple[int, tuple[str, ...]], ...], tuple[str, ...]]:
    """The header row (after blank lines and a title line or two), the first data rows, and the
    rows among them over a limit (left out of the preview). ``measure(line)`` gives the shape of
    a record that starts on ``line`` and runs past the end of ``text`` (a preview's text)."""
    head: list[tuple[int, list[str]]] = []
    notes: list[str] = []
    last_end = 0
    for line, end, cells in _records(text, delimiter, ErrorList()):
        last_end = end
        if _blank(cells):
            continue
        if _over_limit(name, line, len(cells), max(map(len, cells)), head, notes):
            continue
        head.append((line, cells))
        if len(head) > MAX_PREAMBLE_ROWS + PREVIEW_ROWS:
            break
    else:
        if measure is not None:  # the text ended before enough rows: what follows, measured
            line = last_end + 1
            _over_limit(name, line, *measure(line), head, notes)
            if not _header_seen(head):
                raise TooLargeError(
                    f"{name}: line {line:,}: the header does not end within the first "
                    f"{PREVIEW_BYTES // 1024**2} MiB of the file"
                )
    if not head:
        raise NotCsvError(f"{name} is empty")
    start = 0
    # A title line ("Customers exported 31/01/2024") above the table has one filled cell; the
    # header has at least two. Skip such lines when a wider row follows.
    if _filled(head[0][1]) < 2:
        for i, (_line, cells) in enumerate(head[: MAX_PREAMBLE_ROWS + 1]):
            if _filled(cells) >= 2:
                start = i
                break
    header_line, header = head[start]
    while header and not header[-1].strip():  # Excel's trailing empty columns
        header = header[:-1]
    if not header:
        raise NotCsvError(f"{name} has no header row")
    preview = tuple((line, tuple(cells)) for line, cells in head[start + 1 : start + 1 + PREVIEW_ROWS])
    return header_line, header, preview, tuple(notes)


def _header_seen(head: list[tuple[int, list[str]]]) -> bool:
    return any(_filled(cells) >= 2 for _line, cells in head)


def _over_limit(
    name: str, line: int, cells: int, longest: int, head: list[tuple[int, list[str]]], notes: list[str]
) -> bool:
    """True (and noted) when a row is over a limit; TooLargeError when it would be the header."""
    if cells <= MAX_COLUMNS and longest <= MAX_FIELD_CHARS:
        return False
    if not _header_seen(head):
        raise TooLargeError(f"{name}: line {line:,}: {limit_problem(cells, longest, 'columns')}")
    notes.append(f"line {line:,}: {limit_problem(cells, longest)}")
    return True
