"""Bring statuses and priorities up to date in a child process (start of a new day, at 100,000
customers about a second of work that the window should not wait for).

    python -m winback_desktop.jobs.refresh DATA_DIR [--daily]

``--daily`` (the one the app runs at start-up): on a team database, only when no other desk
has re-ranked it today (services/roster/daily.py); it then prints ``"skipped": true``.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import for_child
    from winback_desktop.services import roster
    from winback_desktop.services.roster.daily import daily_refresh

    ctx = open_app(for_child(argv[0]))
    try:
        changed = daily_refresh(ctx) if "--daily" in argv[1:] else roster.refresh(ctx)
    finally:
        ctx.close()
    statuses, priorities = changed or (0, 0)
    figures = {"statuses": statuses, "priorities": priorities, "skipped": changed is None}
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    from winback_desktop.jobs.known import run

    sys.exit(run(main, sys.argv[1:]))
