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
    UnreadableFileError,
)
from winback_desktop.importers.mapping import CUSTOMERS, KINDS, ORDERS, FieldSpec, fields
from winback_desktop.importers.sniff import CsvFile, read_csv
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
    "UnreadableFileError",
    "fields",
    "read_csv",
]
