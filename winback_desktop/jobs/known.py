"""A child job that meets a known fault (a full or read-only disk, a damaged or locked file)
says so in one line on stderr and exits 1: the app logs that line, not a traceback. A bug
still ends with its traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path


def run(main: Callable[[list[str]], int], argv: list[str]) -> int:
    """``main(argv)``; ``argv[0]`` is the data folder, whose database names the fault's place."""
    from winback_desktop.paths import DB_FILE_NAME, ENV_DATABASE_URL
    from winback_desktop.store.errors import DATABASE_ERRORS, known_problem

    faults: tuple[type[Exception], ...] = (OSError, *DATABASE_ERRORS)
    try:
        return main(argv)
    except faults as exc:
        on_server = bool(os.environ.get(ENV_DATABASE_URL))  # the team database: no file to name
        known = known_problem(exc, Path(argv[0]) / DB_FILE_NAME if argv and not on_server else None)
        if known is None:
            raise
        print(f"winback: {known.message}", file=sys.stderr, flush=True)
        return 1
