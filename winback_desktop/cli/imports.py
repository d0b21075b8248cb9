"""``winback import customers|orders FILE``, ``import list`` and ``import undo ID``: the CSV import,
its batches and their undo on the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.cli.common import Commands, add_command, fail, runs
from winback_desktop.importers.errors import column_words
from winback_desktop.importers.values import DATE_ORDERS, ORDER_WORDS

if TYPE_CHECKING:
    from winback_desktop.importers.errors import ImportRejected
    from winback_desktop.services.context import AppContext

SHOWN_ERRORS = 20  # on the terminal when the list goes to a file
LISTED_ON_TERMINAL = 50  # a longer list goes to a file (all of it), and the terminal says where


def _field_column(text: str) -> tuple[str, str]:
    field, sep, column = text.partition("=")
    if not sep or not field.strip():
        raise argparse.ArgumentTypeError(
            f"expected FIELD=COLUMN (e.g. external_id='Account ID'), not {text!r}"
        )
    return field.strip(), column


def register(sub: Commands) -> None:
    """Add this area's sub-commands."""
    from winback_desktop.importers.mapping import fields

    parser = add_command(sub, "import", "import customers or order history from a CSV file (all or nothing)")
    kinds = parser.add_subparsers(dest="import_kind", metavar="WHAT", required=True)
    helps = {
        "customers": "customers from a CRM or spreadsheet export (matched by customer id)",
        "orders": "order history: one row per order or order line (customer id, date, amount)",
    }
    for kind, help_text in helps.items():
        names = ", ".join(s.name for s in fields(kind))
        p = add_command(kinds, kind, help_text)
        p.add_argument("file", metavar="FILE", help="the CSV file (comma, semicolon or tab separated)")
        p.add_argument(
            "--map",
            dest="mapping",
            action="append",
            type=_field_column,
            default=[],
            metavar="FIELD=COLUMN",
            help=f"fill FIELD from COLUMN (repeatable; FIELD= leaves a field out). Fields: {names}",
        )
        p.add_argument(
            "--problems",
            type=Path,
            metavar="LIST",
            help="write every problem found to LIST (by default a list longer than "
            f"{LISTED_ON_TERMINAL} lines goes to FILE.problems.txt beside the CSV file)",
        )
        p.add_argument(
            "--dates",
            choices=DATE_ORDERS,
            default=None,
            help="day/month order of dates such as 01/02/2024: dmy (day first) or mdy (month first)",
        )
        if kind == "orders":
            p.add_argument(
                "--allow-duplicates",
                action="store_true",
                help="import lines without an order id even when the same customer, date and amount "
                "is stored already (by default such a file is refused, saying how many lines match)",
            )
        runs(p, _import)
    listing = add_command(kinds, "list", "the imports made, latest first (undo one with 'import undo ID')")
    runs(listing, _list)
    undo = add_command(kinds, "undo", "take an import back: its rows removed, the figures recomputed")
    undo.add_argument("batch", metavar="ID", type=int, help="the import's number, as 'import list' shows it")
    undo.add_argument("-y", "--yes", action="store_true", help="do not ask; undo at once")
    runs(undo, _undo)


def _list(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.cli.common import print_table
    from winback_desktop.formats import iso_date_time
    from winback_desktop.services.imports import batches

    rows = batches.list_batches(ctx)
    if not rows:
        print("No imports yet.")
        return 0
    print_table(
        ["Id", "Kind", "File", "Imported (UTC)", "Rows", "Customers", "State"],
        [
            [
                str(b.id),
                b.kind,
                b.file_name,
                iso_date_time(b.imported_at),
                f"{b.rows:,}",
                "?" if b.customers is None else f"{b.customers:,}",
                "applied" if b.undone_at is None else f"undone {iso_date_time(b.undone_at)}",
            ]
            for b in rows
        ],
        align="r...rr.",
    )
    return 0


def _undo(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.errors import NotFound
    from winback_desktop.services.imports import batches

    try:
        plan = batches.undo_plan(ctx, args.batch)
    except NotFound:
        return fail(f"there is no import #{args.batch}; 'winback import list' shows them")
    if plan.refused:
        return fail(plan.refused)
    if not args.yes:
        print(plan.describe())
        if not sys.stdin.isatty():
            return fail("not undone: run with --yes to undo without being asked")
        if input("Undo it? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Not undone.")
            return 1
    try:
        batches.undo(ctx, args.batch)
    except batches.UndoRefused as exc:
        return fail(str(exc))
    from winback_desktop.services import roster

    roster.refresh_statuses(ctx)
    b = plan.batch
    print(f"Import #{b.id} ({b.file_name}) is undone; the file can be imported again.")
    return 0


def _import(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.imports import importer as imports

    mapping = dict(args.mapping) if args.mapping else None
    allow = getattr(args, "allow_duplicates", False)
    try:
        result = imports.import_file(
            ctx, args.file, args.import_kind, mapping=mapping, date_order=args.dates, allow_duplicates=allow
        )
    except imports.LikelyDuplicatesError as exc:
        return fail(f"{exc} Run again with --allow-duplicates to import them anyway.")
    except imports.ImportRejected as exc:
        return _rejected(exc, args.file, args.problems)
    except imports.AmbiguousDatesError as exc:
        choices = " or ".join(f"--dates {o} ({ORDER_WORDS[o]})" for o in DATE_ORDERS)
        return fail(
            f"{args.file}: every date in {column_words(exc.column)} ({', '.join(exc.examples[:3])}) "
            f"reads both day-first and month-first, so the order cannot be told from the file. "
            f"Run again with {choices}; nothing was imported."
        )
    except imports.CsvImportError as exc:
        return fail(str(exc))
    print(result.summary())
    for note in result.notes:
        print(f"Note: {note}.")
    return 0


def _rejected(exc: ImportRejected, file: str, problems: Path | None) -> int:
    """The bad rows on stderr; a long list (or any, with --problems) in full in a file."""
    lines = [error.describe(file) for error in exc.errors]
    if exc.error_count > len(lines):
        lines.append(f"... and {exc.error_count - len(lines):,} more problems, not listed")
    rows = "row" if exc.bad_rows == 1 else "rows"
    hints = "".join(f"{file}: {hint}.\n" for hint in exc.hints)  # the file as a whole, after its lines
    if problems is None and len(lines) <= LISTED_ON_TERMINAL:
        print("\n".join(lines), file=sys.stderr)
        print(f"{hints}{exc.bad_rows:,} bad {rows}; nothing was imported.", file=sys.stderr)
        return 1
    from winback_desktop.files import atomic_write_text

    target = problems if problems is not None else Path(f"{file}.problems.txt")
    print("\n".join(lines[:SHOWN_ERRORS]), file=sys.stderr)
    if len(lines) > SHOWN_ERRORS:
        print(f"... and {exc.error_count - SHOWN_ERRORS:,} more problems", file=sys.stderr)
    try:
        atomic_write_text(target, "\n".join(lines) + "\n")
    except OSError as err:
        print(
            f"The full list could not be written to {target} ({err.strerror or err}); "
            "name another file with --problems LIST.",
            file=sys.stderr,
        )
    else:
        listed = len(exc.errors)
        if listed < exc.error_count:  # the library keeps the earliest MAX_LISTED_ERRORS
            print(
                f"The first {listed:,} of {exc.error_count:,} problems are listed in {target} "
                f"(the list stops at {listed:,}: a file with so many is most likely not the one meant).",
                file=sys.stderr,
            )
        else:
            print(f"All {exc.error_count:,} problems are listed in {target}.", file=sys.stderr)
    print(f"{hints}{exc.bad_rows:,} bad {rows}; nothing was imported.", file=sys.stderr)
    return 1
