"""CSV import of customers and order history: sniff, map, validate (the database side, writing
the rows, is in services/imports/)."""

from winback_desktop.importers.errors import (
    AmbiguousDatesError,
    CsvImportError,
    ImportCancelled,
    ImportRejected,
    MappingError,
    NotCsvError,
    RowError,
    TooLargeError,
    UnreadableFileError,
)
from winback_desktop.importers.mapping import CUSTOMERS, KINDS, ORDERS, FieldSpec, fields
from winback_desktop.importers.sniff import CsvFile, preview_csv, read_csv
from winback_desktop.importers.values import DATE_ORDERS, DMY, MDY

__all__ = [
    "CUSTOMERS",
    "DATE_ORDERS",
    "DMY",
    "KINDS",
    "MDY",
    "ORDERS",
    "AmbiguousDatesError",
    "CsvFile",
    "CsvImportError",
    "FieldSpec",
    "ImportCancelled",
    "ImportRejected",
    "MappingError",
    "NotCsvError",
    "RowError",
    "TooLargeError",
    "UnreadableFileError",
    "fields",
    "preview_csv",
    "read_csv",
]
