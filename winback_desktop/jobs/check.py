"""The full check of the database, in a child process once the window shows: every page, every
index against its table, the references between rows (about 1.6 s at 312 MiB, read-only, at a
lower priority so typing stays fluid). Damage is noted beside the file before this prints, so
writes stop in every process at that moment (store/integrity.py); the window is told at once.

    python -m winback_desktop.jobs.check DATA_DIR

stdout: one line {"damage": TEXT or null, "backup": PATH or null, "seconds": S}.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    from winback_desktop.paths import for_child
    from winback_desktop.services.maintenance import health

    if hasattr(os, "nice"):
        os.nice(10)
    outcome = health.full_check(for_child(argv[0]))
    backup = str(outcome.backup) if outcome.backup else None
    print(
        json.dumps({"damage": outcome.damage, "backup": backup, "seconds": round(outcome.seconds, 3)}),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
