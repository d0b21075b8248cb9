"""``winback import customers|orders FILE``: the CSV import on the command line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from winback_desktop.cli.common import Commands, add_command, fail, runs
from winback_desktop.importers.values import DATE_ORDERS, ORDER_WORDS

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext

SHOWN_ERRORS = 20


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
            "--dates",
            choices=DATE_ORDERS,
            default=None,
            help="day/month order of dates such as 01/02/2024: dmy (day first) or mdy (month first)",
        )
        runs(p, _import)


def _import(args: argparse.Namespace, ctx: AppContext) -> int:
    from winback_desktop.services.imports import importer as imports

    mapping = dict(args.mapping) if args.mapping else None
    try:
        result = imports.import_file(ctx, args.file, args.import_kind, mapping=mapping, date_order=args.dates)
    except imports.ImportRejected as exc:
        shown = exc.errors[:SHOWN_ERRORS]
        for error in shown:
            print(error.describe(args.file), file=sys.stderr)
        if exc.error_count > len(shown):
            print(f"... and {exc.error_count - len(shown):,} more problems", file=sys.stderr)
        rows = "row" if exc.bad_rows == 1 else "rows"
        print(f"{exc.bad_rows:,} bad {rows}; nothing was imported.", file=sys.stderr)
        return 1
    except imports.AmbiguousDatesError as exc:
        choices = " or ".join(f"--dates {o} ({ORDER_WORDS[o]})" for o in DATE_ORDERS)
        return fail(
            f"{args.file}: every date in column {exc.column!r} ({', '.join(exc.examples[:3])}) "
            f"reads both day-first and month-first, so the order cannot be told from the file. "
            f"Run again with {choices}; nothing was imported."
        )
    except imports.CsvImportError as exc:
        return fail(str(exc))
    print(result.summary())
    return 0
