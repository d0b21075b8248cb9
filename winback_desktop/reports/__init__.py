"""Printable documents (reportlab): the partner's action sheet, written atomically.

Shared page pieces (styles, flowables, text helpers, "page N of M" furniture) live in
:mod:`winback_desktop.reports.layout` for every report to reuse.
"""

from winback_desktop.reports.action_sheet import build_action_sheet, write_action_sheet
from winback_desktop.reports.fonts import FontMissingError, register_fonts

__all__ = [
    "FontMissingError",
    "build_action_sheet",
    "register_fonts",
    "write_action_sheet",
]
