"""Writing the files people keep: all-or-nothing, private to the user, and CSV a spreadsheet
will not run as formulas.

Every document the app writes (PDFs, calendar files, CSV exports) goes through
:func:`atomic_open`: the data goes to a private (0600) temporary file beside the target, is
flushed and fsynced, then renamed over the target with ``os.replace``. A crash or an error
never leaves half a file, and an earlier file at the target stays exactly as it was.

A leaf module like ``paths.py``: it imports nothing of ours and no Qt, so every layer can use
it — the importers (which must not depend on services) read :data:`FORMULA_TRIGGERS`, the
reports write PDFs with it, the services write CSV and calendar files, the UI saves previews.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

# A cell starting with one of these may be taken for a formula by Excel, LibreOffice or Sheets
# (OWASP "CSV injection" guidance).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Where a spreadsheet may start a new cell: the list separators of every locale (a comma; a
# semicolon where the comma is the decimal mark; a tab) and a line break. A file written with
# commas is split at its cells' own semicolons when opened where the separator is ";", and at a
# line break by a reader that does not honour quotes there. Quoting does not help, because the
# other split starts its fields elsewhere: ``"x","a;=1+2"`` read with ";" has the field
# ``=1+2"``, which LibreOffice 7.4 runs. So every such place is neutralized, not only the start.
SEPARATORS = ",;\t\n\r"
# The formula characters, with their full-width forms (East Asian input methods turn those into
# the ASCII ones as they are typed).
_TRIGGERS = "=+\\-@\uff1d\uff0b\uff0d\uff20"
# A field start, then blanks (LibreOffice's "trim spaces" removes them) and quotes (one may open
# the field another split sees), never a separator (each field start is judged on its own); the
# mark goes right before the formula character, after any apostrophes already there, so that an
# apostrophe the text itself has there gets one more and restore() is the exact inverse.
_FIELD_START = rf"(?:\A|(?<=[{SEPARATORS}]))((?:[^\S\t\n\r]|\")*)"
_UNSAFE = re.compile(rf"{_FIELD_START}(?='*[{_TRIGGERS}])")
_MARKED = re.compile(rf"{_FIELD_START}'(?='*[{_TRIGGERS}])")
# OWASP also names a cell that starts with a tab or a carriage return.
_UNSAFE_LEAD = re.compile(r"\A(?='*[\t\r])")
_MARKED_LEAD = re.compile(r"\A'(?='*[\t\r])")
_RISKY = re.compile(rf"[{_TRIGGERS}\t\r]")
_SEPARATOR = re.compile(rf"[{SEPARATORS}]")
_STARTS_RISKY = frozenset("=+-@\uff1d\uff0b\uff0d\uff20'\"")  # (and blanks) as a cell's first character
# A plain number: "-12.50" is the number -12.50 wherever it is read, so a column of amounts keeps
# its credit notes readable (see neutralize_row for where that holds).
_PLAIN_NUMBER = re.compile(r"-?\d{1,15}(?:\.\d{1,15})?")


def neutralize(cell: str, *, number_ok: bool = False) -> str:
    """``cell`` with an apostrophe wherever a spreadsheet could start a formula, else unchanged.

    The places are the cell's start and every point after a separator or line break within it
    (see SEPARATORS), when a formula character (``= + - @``) follows, maybe after blanks and
    quotes (the apostrophe goes right before it: ``plain; '=1+1``); and the start when the
    cell begins with a tab or a carriage return (OWASP).
    Spreadsheets show apostrophe-led text as text; :func:`restore` gives back exactly what was
    written. ``number_ok`` keeps a plain number such as ``-12.50`` as it is (for cells that no
    split can start at, see :func:`neutralize_row`). Quoting is left to the csv module.
    """
    if not cell:
        return cell
    first = cell[0]
    if first not in _STARTS_RISKY and not first.isspace() and _SEPARATOR.search(cell) is None:
        return cell  # the common case (names, dates, amounts): only the start matters, and it is safe
    if _RISKY.search(cell) is None:
        return cell
    if number_ok and _PLAIN_NUMBER.fullmatch(cell):
        return cell
    return _UNSAFE_LEAD.sub("'", _UNSAFE.sub(r"\1'", cell))


def neutralize_row(cells: Sequence[str]) -> list[str]:
    """A row's cells through :func:`neutralize`, plain negative numbers kept after the first cell.

    A cell other than the first is preceded by the comma the writer puts between cells, so only a
    comma split starts a field at it, and that field is exactly the number. The first cell starts
    a line, where every split starts a field that runs on to the next ";" or tab: neutralized.
    """
    return [neutralize(cell, number_ok=i > 0) for i, cell in enumerate(cells)]


def restore(cell: str) -> str:
    """The inverse of :func:`neutralize`: the text as it was before our export marked it."""
    if "'" not in cell:
        return cell
    return _MARKED.sub(r"\1", _MARKED_LEAD.sub("", cell))


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "wb", *, encoding: str | None = None, newline: str | None = None
) -> Iterator[IO[Any]]:
    """A file to write ``path`` through: it replaces ``path`` only when the block ends normally.

    ``mode`` is ``"wb"`` or ``"w"`` (then ``encoding`` and ``newline`` apply). If the block
    raises, the temporary file is removed and an existing ``path`` is left as it was.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_open writes whole files: mode 'wb' or 'w', not {mode!r}")
    target = Path(path)
    directory = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)  # mode 0600
    try:
        try:
            fh = os.fdopen(fd, mode, encoding=encoding, newline=newline)
        except BaseException:
            os.close(fd)
            raise
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and durably (mode 0600); returns ``path``."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def atomic_write_text(
    path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", newline: str | None = None
) -> Path:
    """Write ``text`` to ``path`` atomically and durably (mode 0600); returns ``path``."""
    with atomic_open(path, "w", encoding=encoding, newline=newline) as fh:
        fh.write(text)
    return Path(path)


def atomic_write_csv(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[str]]
) -> Path:
    """Write ``header`` and ``rows`` to ``path`` as CSV, atomically (mode 0600); returns ``path``.

    UTF-8 with a BOM (so Excel reads accents right), comma-separated, minimal quoting, and every
    row through :func:`neutralize_row`. ``rows`` may be a generator (streamed, not held in memory);
    if it raises, nothing is written. FileNotFoundError, naming the folder, when it is missing.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {target}: the folder {folder} does not exist")
    with atomic_open(target, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=",", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(neutralize_row(header))
        writer.writerows(neutralize_row(row) for row in rows)
    return target


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it (not on Windows)."""
    if os.name != "posix":
        return
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
