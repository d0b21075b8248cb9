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
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

# A cell starting with one of these may be taken for a formula by Excel, LibreOffice or Sheets
# (OWASP "CSV injection" guidance).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """``cell`` with a leading apostrophe if it starts like a formula, otherwise unchanged.

    Spreadsheets show the apostrophe-prefixed text as text; stripping that one apostrophe gives
    back exactly what was written. Quoting and embedded quotes are left to the csv module.
    """
    if cell.startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell


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
    cell through :func:`neutralize`. ``rows`` may be a generator (streamed, not held in memory);
    if it raises, nothing is written. FileNotFoundError, naming the folder, when it is missing.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {target}: the folder {folder} does not exist")
    with atomic_open(target, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=",", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([neutralize(c) for c in header])
        writer.writerows([neutralize(c) for c in row] for row in rows)
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
