"""Undo one import in a child process, reporting the outcome as one JSON line.

The desktop app runs an undo this way for the same reason it runs imports so: taking back a
150,000-line orders file took 1.9 s on the project's machine (15,000 customers' figures
recomputed, then the whole roster ranked again: 2.7 s more at 100,000 customers), most of it
Python holding the GIL, which on a thread would make the window stutter for that long. The undo
is one write transaction (services/imports/batches.py), so a child that dies leaves the
database exactly as it was.

    python -m winback_desktop.jobs.undo_import DATA_DIR BATCH_ID

stdout: one {"result": {"id", "file_name", "summary", ...}} or {"error": {"type", "message"}}
line; "type" is "UndoRefused" (the reason is the message), "NotFound" or "DatabaseError".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def database_error(exc: Exception) -> dict[str, Any] | None:
    """What to tell the user of a database problem met while undoing; None for a bug."""
    from winback_desktop.jobs.import_file import PROBLEM_WORDS
    from winback_desktop.store.errors import known_problem
    from winback_desktop.store.integrity import DatabaseDamagedError

    if isinstance(exc, DatabaseDamagedError):
        words = exc.describe()
    elif (known := known_problem(exc)) is not None:
        words = PROBLEM_WORDS.get(known.problem.value, known.detail)
    else:
        return None
    return {"type": "DatabaseError", "message": f"Nothing was undone: {words}. Try again when it is solved."}


def _undo(data_dir: Path, batch_id: int) -> dict[str, Any]:
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import for_child
    from winback_desktop.services import roster
    from winback_desktop.services.errors import NotFound
    from winback_desktop.services.imports import batches

    ctx = open_app(for_child(data_dir))
    try:
        if ctx.read_only is not None:
            return {"error": {"type": "DatabaseError", "message": f"Nothing was undone: {ctx.read_only}."}}
        try:
            plan = batches.undo(ctx, batch_id)
        except batches.UndoRefused as exc:
            return {"error": {"type": "UndoRefused", "message": str(exc)}}
        except NotFound:
            return {"error": {"type": "NotFound", "message": f"There is no import #{batch_id}."}}
        roster.refresh_statuses(ctx)  # as after an import: who is lapsed follows the figures
    finally:
        ctx.close()
    b = plan.batch
    return {
        "result": {
            "id": b.id,
            "file_name": b.file_name,
            "order_lines": plan.order_lines,
            "restored_lines": plan.restored_lines,
            "customers_removed": plan.customers_removed,
            "summary": plan.summary(),
        }
    }


def main(argv: list[str]) -> int:
    from winback_desktop.store.errors import DATABASE_ERRORS
    from winback_desktop.store.integrity import DatabaseDamagedError

    data_dir, batch_id = Path(argv[0]), int(argv[1])
    faults: tuple[type[Exception], ...] = (DatabaseDamagedError, OSError, *DATABASE_ERRORS)
    try:
        outcome = _undo(data_dir, batch_id)
    except faults as exc:  # locked too long, full, damaged
        if (said := database_error(exc)) is None:
            raise
        outcome = {"error": said}
    _emit(outcome)
    return 0 if "result" in outcome else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
