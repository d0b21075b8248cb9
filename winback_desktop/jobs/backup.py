"""The daily backup, in a child process: at 100,000 customers the copy and its full integrity
check take seconds that the window should not wait for (SQLite's backup API reads a consistent
snapshot while the app keeps writing).

    python -m winback_desktop.jobs.backup DATA_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from winback_desktop.paths import Paths
    from winback_desktop.services.maintenance import backups as maintenance

    target = maintenance.backup_if_due(Paths(Path(argv[0]), custom=True))
    print(target or "not due", flush=True)
    return 0


if __name__ == "__main__":
    from winback_desktop.jobs.known import run

    sys.exit(run(main, sys.argv[1:]))
