"""The import dialog's "Save the list…": every bad line of a refused import in a CSV file the
user chooses (line, the file's column, the value, the problem), written whole or not at all
and spreadsheet-safe (files.py), so the list can be worked through beside the file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from winback_desktop.files import atomic_write_csv
from winback_desktop.importers.errors import MAX_LISTED_ERRORS

log = logging.getLogger(__name__)
HEADER = ("line", "column", "value", "problem")


def rows(error: dict[str, Any]) -> list[list[str]]:
    """The CSV's rows from the import job's answer; a last row says so when the list was cut."""
    out = [[str(line), column, value, problem] for line, column, value, problem in error["rows"]]
    more = error["error_count"] - len(out)
    if more > 0:
        out.append(
            [
                "",
                "",
                "",
                f"… and {more:,} more problems, not listed (the list stops at {MAX_LISTED_ERRORS:,})",
            ]
        )
    return out


def default_name(folder: Path, file_name: str) -> Path:
    return folder / f"{Path(file_name).stem}-bad-lines.csv"


def save_bad_lines(parent: QWidget, folder: Path, error: dict[str, Any]) -> Path | None:
    """Ask where, then write the list there; None when not written (the user was told why)."""
    folder.mkdir(parents=True, exist_ok=True)
    default = default_name(folder, error.get("file_name") or "import")
    name, _ = QFileDialog.getSaveFileName(parent, "Save the list of bad lines", str(default), "CSV (*.csv)")
    if not name:
        return None
    target = Path(name)
    try:
        atomic_write_csv(target, HEADER, rows(error))
    except OSError as exc:  # a full disk, a read-only folder, a folder gone
        QMessageBox.warning(
            parent,
            "List not saved",
            f"The list of bad lines could not be written to\n{target}\n\n{exc.strerror or exc}\n\n"
            "Choose another place.",
        )
        return None
    log.info("%s bad lines listed in %s", len(error["rows"]), target)
    return target
