"""What the ``winback`` sub-commands share: how a command is added and handed its handler, the
global ``--data-dir`` option, argument types, error lines, plain-text tables and "wrote" lines.

Imported on every start, the desktop app's too (``entry`` uses it before it knows there is a
command), so it imports nothing but the standard library at module level.

A problem the user can fix is one line on stderr, ``winback: ...``, and exit 1; bad arguments
exit 2 (argparse).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from winback_desktop.paths import Paths
    from winback_desktop.services.context import AppContext

Handler: TypeAlias = "Callable[[argparse.Namespace, AppContext], int]"
"""A command on the opened database (checked, migrated, seeded); returns the exit code."""
FileHandler: TypeAlias = "Callable[[argparse.Namespace, Paths], int]"
"""A command on the database file itself, which must not open (or migrate) it."""
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""Where an area adds its sub-commands (what ``add_subparsers`` returns)."""

RIGHT = "r"


# --- adding commands -----------------------------------------------------------------------------


def add_data_dir(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The global option, accepted before or after the sub-command."""
    # SUPPRESS keeps a sub-parser from clearing a value given at the top level.
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None if top else argparse.SUPPRESS,
        help="keep the database, backups and logs in DIR (default: the user data dir; also WINBACK_DATA_DIR)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        default=None if top else argparse.SUPPRESS,
        help="use the team database at URL, e.g. postgresql://me@server/winback (the password "
        "comes from ~/.pgpass; also WINBACK_DATABASE_URL; default: the desk's own choice, else "
        "the SQLite file in the data dir)",
    )


def add_command(sub: Commands, name: str, help_text: str) -> argparse.ArgumentParser:
    """A sub-command (or a nested action) with its help and the global options."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    add_data_dir(parser, top=False)
    return parser


def runs(parser: argparse.ArgumentParser, handler: Handler) -> None:
    """The command runs ``handler(args, ctx)`` once ``entry`` has opened the database."""
    parser.set_defaults(func=handler, needs_db=True)


def runs_on_files(parser: argparse.ArgumentParser, handler: FileHandler) -> None:
    """The command runs ``handler(args, paths)``; the database is not opened."""
    parser.set_defaults(func=handler, needs_db=False)


# --- argument types ------------------------------------------------------------------------------


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return n


def whole_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return n


def date_arg(text: str) -> dt.date:
    """A date as the roster reads it (YYYY-MM-DD, or compact YYYYMMDD)."""
    from winback_desktop.services.roster.dates import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def iso_day(text: str) -> dt.date:
    """A strict ISO date (YYYY-MM-DD)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-14") from None


# --- saying what happened ------------------------------------------------------------------------


def fail(message: str, code: int = 1) -> int:
    """Print ``winback: message`` on stderr; returns the exit code."""
    print(f"winback: {message}", file=sys.stderr)
    return code


def cannot_write(path: Path, exc: OSError) -> int:
    """A file the user asked for could not be written."""
    if exc.strerror:  # name the file the user asked for, not our temporary one beside it
        return fail(f"cannot write {path}: {exc.strerror}")
    return fail(str(exc))  # our own message, which names the file already


def user_errors(handler: Handler) -> Handler:
    """The services' ValueError and LookupError are problems the user can fix: one line, exit 1."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace, ctx: AppContext) -> int:
        try:
            return handler(args, ctx)
        except (ValueError, LookupError) as exc:
            return fail(str(exc))

    return run


def refresh_unless_read_only(ctx: AppContext) -> None:
    """Bring statuses and priorities up to date before a listing; opened read-only (a full or
    read-only disk) the stored ones are listed, and stderr says so."""
    from winback_desktop.services import roster

    if ctx.read_only is not None:
        print(f"winback: statuses and priorities as last stored ({ctx.read_only})", file=sys.stderr)
        return
    roster.refresh(ctx)


def wrote(target: object, count: int | None = None, noun: str = "") -> None:
    """``wrote FILE``, or with a count ``wrote 12 calls to FILE``."""
    print(f"wrote {target}" if count is None else f"wrote {count} {noun} to {target}")


def local_time(t: dt.datetime) -> str:
    """A moment in local time, e.g. ``Mon 2025-03-31 14:30``."""
    from winback_desktop.services.clock import to_local

    return f"{to_local(t):%a %Y-%m-%d %H:%M}"


# --- tables --------------------------------------------------------------------------------------


def table_widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    return [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]


def table_line(cells: Sequence[str], widths: Sequence[int], align: str = "") -> str:
    """One line of an aligned table: 'r' at an index of ``align`` right-aligns that column; no
    trailing blanks."""
    out = []
    for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
        last = i == len(widths) - 1
        right = i < len(align) and align[i] == RIGHT
        out.append(cell.rjust(w) if right else (cell if last else cell.ljust(w)))
    return "  ".join(out).rstrip()


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> None:
    """An aligned plain-text table under a ruled header; ``align`` as for :func:`table_line`."""
    widths = table_widths(header, rows)
    print(table_line(header, widths, align))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(table_line(r, widths, align))
