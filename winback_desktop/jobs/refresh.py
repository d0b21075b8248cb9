"""Bring statuses and priorities up to date in a child process (start of a new day, at 100,000
customers about a second of work that the window should not wait for).

    python -m winback_desktop.jobs.refresh DATA_DIR
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import for_child
    from winback_desktop.services import roster

    ctx = open_app(for_child(argv[0]))
    try:
        statuses, priorities = roster.refresh(ctx)
    finally:
        ctx.close()
    print(json.dumps({"statuses": statuses, "priorities": priorities}), flush=True)
    return 0


if __name__ == "__main__":
    from winback_desktop.jobs.known import run

    sys.exit(run(main, sys.argv[1:]))
