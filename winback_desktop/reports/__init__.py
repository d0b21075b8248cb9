"""Printable documents (reportlab): the partner's action sheet, written atomically."""

from winback_desktop.reports.action_sheet import build_action_sheet, write_action_sheet
from winback_desktop.reports.atomic import atomic_write_bytes
from winback_desktop.reports.fonts import FontMissingError, register_fonts

__all__ = [
    "FontMissingError",
    "atomic_write_bytes",
    "build_action_sheet",
    "register_fonts",
    "write_action_sheet",
]
