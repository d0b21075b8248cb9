"""Reading an import file: bytes to text, delimiter, header, and rows with their physical lines.

Excel and CRMs write CSV as UTF-8 (with or without a byte-order mark), as Windows-1252 ("ANSI",
which covers Latin-1 text in practice), or as UTF-16 with a BOM ("Unicode text"). Anything else
that holds NUL bytes or is mostly control characters is not a CSV file, and is refused with a
message naming the file rather than being read as garbage.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from winback_desktop.importers.errors import ErrorList, NotCsvError, UnreadableFileError

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODING_NAMES = {
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "utf-16": "UTF-16",
}
PREVIEW_ROWS = 20
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

        ``line`` is the physical line where the row starts. Broken quoting is reported into
        ``errors`` when given (the rows after it still come), else raised as NotCsvError.
        """
        for lines, cells in self.batches(errors):
            yield from zip(lines, cells, strict=True)

    def batches(
        self, errors: ErrorList | None = None, size: int = 5000
    ) -> Iterator[tuple[list[int], list[list[str]]]]:
        """The rows of :meth:`rows` in batches of ``size``, as (lines, cells): the way to read a
        million rows, with one generator step per batch rather than per row."""
        header_line = self.header_line
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=True)
        lines: list[int] = []
        cells: list[list[str]] = []
        last = 0  # physical lines consumed so far
        while True:
            try:
                for row in reader:
                    start, last = last + 1, reader.line_num
                    if start > header_line and "".join(row).strip():
                        lines.append(start)
                        cells.append(row)
                        if len(lines) >= size:
                            yield lines, cells
                            lines, cells = [], []
                break
            except csv.Error as exc:
                start, last = last + 1, reader.line_num
                problem = _quote_problem(str(exc), start, last)
                if errors is None:
                    raise NotCsvError(f"line {start}: {problem}") from None
                errors.add(start, "row", "", problem)
        if lines:
            yield lines, cells


def read_csv(path: str | Path) -> CsvFile:
    """Read and decode ``path``, detect its delimiter and header; raises NotCsvError if it is not CSV."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    text, encoding = decode(data, path.name)
    _raise_field_limit(len(text))
    delimiter = detect_delimiter(text)
    header_line, header, preview = _header_and_preview(text, delimiter, path.name)
    line_count = _count_lines(text)
    return CsvFile(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        delimiter=delimiter,
        header=tuple(h.strip() for h in header),
        header_line=header_line,
        preview=preview,
        line_count=line_count,
        text=text,
    )


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of ``data`` and the codec that read it; NotCsvError when it is not text."""
    if not data.strip():
        raise NotCsvError(f"{name} is empty")
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise NotCsvError(f"{name} does not look like a CSV file (it is {what})")
    if data.startswith(UTF16_BOMS):
        encoding = "utf-16"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise NotCsvError(
                f"{name} does not look like a CSV file (it starts like UTF-16 text "
                f"but byte {exc.start} is not UTF-16)"
            ) from None
    else:
        if b"\x00" in data:
            raise NotCsvError(f"{name} does not look like a CSV file ({_nul_reason(data)})")
        if data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise NotCsvError(
                    f"{name} does not look like a CSV file (it says it is UTF-8, "
                    f"but byte {exc.start} is not UTF-8)"
                ) from None
        else:
            try:
                encoding, text = "utf-8", data.decode("utf-8")
            except UnicodeDecodeError:
                encoding, text = "cp1252", data.decode("cp1252", errors="winback_cp1252")
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


def _nul_reason(data: bytes) -> str:
    head = data[:4096]
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    if max(even, odd) > len(head) // 4 and min(even, odd) <= len(head) // 50:
        return "it looks like UTF-16 text without a byte-order mark: save it as CSV UTF-8"
    return "it contains NUL bytes, so it is binary data"


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


def _records(text: str, delimiter: str, errors: ErrorList | None) -> Iterator[tuple[int, list[str]]]:
    """Every record of ``text`` (blank ones included) with the physical line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last = 0  # physical lines consumed so far
    while True:
        try:
            for cells in reader:  # a plain for loop: this runs once per row of a big file
                start, last = last + 1, reader.line_num
                yield start, cells
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
    widths = [len(cells) for _line, cells in _records(sample, delimiter, ErrorList()) if not _blank(cells)]
    if not widths:
        return (False, 0.0, 0)
    width, count = Counter(widths).most_common(1)[0]
    share = count / len(widths)
    agrees = width >= 2 and (len(widths) == 1 or share >= 0.8) and widths[0] == width
    return (agrees, share if width >= 2 else 0.0, width)


def _header_and_preview(
    text: str, delimiter: str, name: str
) -> tuple[int, list[str], tuple[tuple[int, tuple[str, ...]], ...]]:
    """The header row (after blank lines and a title line or two) and the first data rows."""
    head: list[tuple[int, list[str]]] = []
    for line, cells in _records(text, delimiter, ErrorList()):
        if _blank(cells):
            continue
        head.append((line, cells))
        if len(head) > MAX_PREAMBLE_ROWS + PREVIEW_ROWS:
            break
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
    return header_line, header, preview
