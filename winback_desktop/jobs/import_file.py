"""Run one import in a child process, reporting progress and the outcome as JSON lines.

The desktop app runs imports this way rather than on a thread: parsing a million lines is
CPU-bound Python, which on a thread would fight the GUI for the GIL and make the window stutter;
and stopping an import is simply ending the child: SQLite rolls back the transaction it had
open, so the database is exactly as it was.

    python -m winback_desktop.jobs.import_file DATA_DIR KIND FILE MAPPING_JSON [DATE_ORDER [allow-duplicates]]

stdout: {"progress": [done, total]} lines, then one {"result": ...} or {"error": ...} line. A
{"imported": summary} line comes as soon as the import has committed, before the re-ranking:
from then on, ending the child no longer undoes the import (the dialog stops offering Stop).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def describe_error(exc: Exception) -> dict[str, Any]:
    from winback_desktop.importers.errors import AmbiguousDatesError, ImportRejected, column_words

    out: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, ImportRejected):
        out.update(
            file_name=exc.file_name,
            errors=[e.describe(exc.file_name) for e in exc.errors],
            rows=[[e.line, e.field, e.value, e.problem] for e in exc.errors],  # for "Save the list…"
            error_count=exc.error_count,
            bad_rows=exc.bad_rows,
            hints=list(exc.hints),
        )
    elif isinstance(exc, AmbiguousDatesError):
        out.update(column=exc.column, where=column_words(exc.column), examples=list(exc.examples))
    return out


BUSY = "the database is busy: another program (another import?) is writing to it"
PROBLEM_WORDS = {
    "locked": BUSY,
    "disk_full": "the disk holding the database is full",
    "read_only": "the database is read-only here",
}


def database_error(exc: Exception) -> dict[str, Any] | None:
    """What to tell the user of a database problem met while importing; None for a bug."""
    from winback_desktop.store.errors import known_problem
    from winback_desktop.store.integrity import DatabaseDamagedError

    if isinstance(exc, DatabaseDamagedError):
        words = exc.describe()
    elif (known := known_problem(exc)) is not None:
        words = PROBLEM_WORDS.get(known.problem.value, known.message)
    else:
        return None
    message = f"Nothing was imported: {words}. Try again when it is solved."
    return {"type": "DatabaseError", "message": message}


def main(argv: list[str]) -> int:
    from winback_desktop.bootstrap import open_app
    from winback_desktop.importers.errors import CsvImportError
    from winback_desktop.paths import for_child
    from winback_desktop.services.imports import importer as imports
    from winback_desktop.store.errors import DATABASE_ERRORS
    from winback_desktop.store.integrity import DatabaseDamagedError

    data_dir, kind, file, mapping_json = argv[:4]
    date_order = argv[4] if len(argv) > 4 and argv[4] else None
    allow_duplicates = len(argv) > 5 and argv[5] == "allow-duplicates"
    last = [-1]
    database_errors: tuple[type[Exception], ...] = (DatabaseDamagedError, *DATABASE_ERRORS)

    def progress(done: int, total: int) -> None:
        if done != last[0]:
            last[0] = done
            _emit({"progress": [done, total]})

    try:
        ctx = open_app(for_child(data_dir))
    except database_errors as exc:
        if (said := database_error(exc)) is None:
            raise
        _emit({"error": said})
        return 1
    try:
        result = imports.import_file(
            ctx,
            Path(file),
            kind,
            mapping=json.loads(mapping_json),
            date_order=date_order,
            progress=progress,
            allow_duplicates=allow_duplicates,
        )
        if not result.already_imported:
            from winback_desktop.services import roster

            _emit({"imported": result.summary()})

            roster.refresh(ctx)  # statuses and priorities for what just arrived, here, off the GUI
    except (CsvImportError, OSError, ValueError) as exc:
        _emit({"error": describe_error(exc)})
        return 1
    except database_errors as exc:  # locked too long, full, damaged
        if (said := database_error(exc)) is None:
            raise
        _emit({"error": said})
        return 1
    finally:
        ctx.close()
    _emit({"result": {**asdict(result), "summary": result.summary()}})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
