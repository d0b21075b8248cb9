"""The daily backup, in a child process: at 100,000 customers the copy and its full integrity
check take seconds that the window should not wait for (SQLite's backup API reads a consistent
snapshot while the app keeps writing).

    python -m winback_desktop.jobs.backup DATA_DIR

On a team database (named as to every process: WINBACK_DATABASE_URL or the desk config) there
is no file here to back up: it says so, as the window does; the server's backups apply.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from winback_desktop.paths import for_child
    from winback_desktop.services.maintenance import backups as maintenance

    paths = for_child(argv[0])  # the app's database, named by it (WINBACK_DATABASE_URL)
    if paths.on_server:
        print(maintenance.SERVER_BACKUPS, flush=True)
        return 0
    target = maintenance.backup_if_due(paths)
    print(target or "not due", flush=True)
    return 0


if __name__ == "__main__":
    from winback_desktop.jobs.known import run

    sys.exit(run(main, sys.argv[1:]))
