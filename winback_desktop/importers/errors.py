"""What can go wrong with an import file: each a known problem with a message for the user.

Every exception the importers raise on account of the file's content is a
:class:`CsvImportError`; anything else escaping an import is a bug.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Every problem is listed up to this many (about 20 MB of them); a file with more is the wrong
# file, and the count still says how many there are.
MAX_LISTED_ERRORS = 100_000
SHOWN_VALUE_CHARS = 60


@dataclass(frozen=True)
class RowError:
    """One problem in one row: ``line`` is the physical line of the file, as an editor shows it."""

    line: int
    field: str  # the target field (e.g. "order_date"), or "row" for the row as a whole
    value: str  # the cell as written (shortened when long)
    problem: str
    column: str = ""  # the file's own words for where: "column 'Net amount'", "column 4"

    def describe(self, file_name: str) -> str:
        """``FILE:LINE: column 'NAME': problem (value)``, in the file's own column names, the form
        compilers use and editors can jump to (``FILE:LINE: problem`` for the row as a whole)."""
        shown = f" ({self.value})" if self.value else ""
        where = f" {self.column}:" if self.column else ""
        return f"{file_name}:{self.line}:{where} {self.problem}{shown}"


def shown_value(value: str) -> str:
    """A cell for an error message: one line, at most SHOWN_VALUE_CHARS characters."""
    flat = " ".join(value.split())
    if len(flat) > SHOWN_VALUE_CHARS:
        flat = flat[: SHOWN_VALUE_CHARS - 1] + "…"
    return flat


class CsvImportError(Exception):
    """A known problem with an import file (or the import was cancelled); ``str()`` says it."""


class UnreadableFileError(CsvImportError):
    """The file cannot be read at all (missing, a folder, no permission)."""


class NotCsvError(CsvImportError):
    """The file is not text, or is text but holds no table (empty, no header)."""


class TooLargeError(CsvImportError):
    """The file, its header row or a field in it is over a limit (the message says which line)."""


class MappingError(CsvImportError):
    """The columns do not fit: a required field has no column, or a --map names an unknown one."""

    def __init__(self, message: str, *, columns: list[str] | None = None, missing: list[str] | None = None):
        super().__init__(message)
        self.columns = columns or []
        self.missing = missing or []


_POSITION_NAME = re.compile(r"column \d+\Z")


def column_words(column: str) -> str:
    """A column as a message names it: "column 'Order date'", or "column 2" in a file without a
    header line (whose columns are named by position)."""
    return column if _POSITION_NAME.match(column) else f"column {column!r}"


class AmbiguousDatesError(CsvImportError):
    """Every date in a column reads both ways (01/02/2024): ask the user, never guess.

    Import again with ``date_order="dmy"`` (day first) or ``"mdy"`` (month first).
    """

    def __init__(self, field: str, column: str, examples: list[str], problems: dict[str, str] | None = None):
        self.field, self.column, self.examples = field, column, examples
        self.problems = problems or {}  # values that are no date in either order: value -> problem
        shown = ", ".join(examples[:3])
        super().__init__(
            f"the dates in {column_words(column)} ({shown}, ...) can be read day-first or month-first; "
            "say which order the file uses"
        )


class ImportRejected(CsvImportError):
    """Some rows are bad, so nothing was imported. ``errors`` lists them all, by line (up to
    MAX_LISTED_ERRORS; ``error_count`` counts every one)."""

    def __init__(self, file_name: str, errors: list[RowError], error_count: int, bad_rows: int):
        self.file_name = file_name
        self.errors = errors
        self.error_count = error_count
        self.bad_rows = bad_rows
        self.hints: tuple[str, ...] = ()  # what may be wrong with the file as a whole
        super().__init__(
            f"{file_name}: {bad_rows} bad {'row' if bad_rows == 1 else 'rows'}; nothing was imported."
        )


class ImportCancelled(CsvImportError):
    """The user cancelled; the database is exactly as it was before."""

    def __init__(self) -> None:
        super().__init__("the import was cancelled; nothing was imported")


class ErrorList:
    """Collects row errors: keeps the MAX_LISTED_ERRORS of the earliest lines, counts all of them
    and the bad rows."""

    def __init__(self, columns: Mapping[str, str] | None = None) -> None:
        self.errors: list[RowError] = []
        self.count = 0
        self._bad_lines: set[int] = set()
        self.columns = columns or {}  # field -> where the file has it ("column 'Net amount'")

    def add(self, line: int, field: str, value: str, problem: str) -> None:
        self.count += 1
        self._bad_lines.add(line)
        self.errors.append(RowError(line, field, shown_value(value), problem, self.columns.get(field, "")))
        if len(self.errors) >= 2 * MAX_LISTED_ERRORS:  # keep the earliest lines, bounded memory
            self._trim()

    def _trim(self) -> None:
        self.errors.sort(key=lambda e: e.line)  # stable: a line's problems stay in field order
        del self.errors[MAX_LISTED_ERRORS:]

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self, file_name: str) -> None:
        if self.count:
            self._trim()
            raise ImportRejected(file_name, self.errors, self.count, len(self._bad_lines))
