"""CSV cells a spreadsheet will not run as formulas (OWASP "CSV injection" guidance)."""

from __future__ import annotations

# A cell starting with one of these may be taken for a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """``cell`` with a leading apostrophe if it starts like a formula, otherwise unchanged.

    Spreadsheets show the apostrophe-prefixed text as text; stripping that one apostrophe gives
    back exactly what was written. Quoting and embedded quotes are left to the csv module.
    """
    if cell.startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell
