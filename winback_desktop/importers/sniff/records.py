"""Records as the csv module reads them, with the physical lines they start and end on; the
shape of a record measured without holding it; the limits a row must keep."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from winback_desktop.importers.errors import ErrorList, NotCsvError

MAX_FIELD_CHARS = 1_000_000  # Excel's own cells stop at 32,767 characters
MAX_COLUMNS = 2_000  # CRM exports with every custom property have a few hundred
SPACED, WIDE_SPACED = " ", "  "  # the "delimiters" of space-aligned text: any run of spaces / two or more
ALIGNED = (WIDE_SPACED, SPACED)
_SPLITTERS = {SPACED: re.compile(r"\s+"), WIDE_SPACED: re.compile(r"\s{2,}|\t")}


def split_aligned(line: str, layout: str, width: int = 0) -> list[str]:
    """The cells of one line of space-aligned text; with ``width``, at most that many (the last
    keeps what follows: a name at the end of the line keeps its spaces)."""
    return _SPLITTERS[layout].split(line.strip(), maxsplit=max(width - 1, 0))


def limit_problem(cells: int, longest: int, what: str = "cells") -> str | None:
    """What is over a limit in a row of ``cells`` cells whose longest has ``longest`` characters."""
    if cells > MAX_COLUMNS:
        return f"{cells:,} {what}; the limit is {MAX_COLUMNS:,}"
    if longest > MAX_FIELD_CHARS:
        return f"a field of {longest:,} characters; the limit is {MAX_FIELD_CHARS:,}"
    return None


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
    if delimiter in ALIGNED:  # one record per line, no quoting
        for n, line in enumerate(io.StringIO(text, newline=""), start=1):
            yield n, n, split_aligned(line, delimiter) if line.strip() else []
        return
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
