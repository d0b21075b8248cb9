"""Helpers shared by the import tests (no tests here): files, and looks at the database that do
not go through the code under test."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.helpers.test_database import PlainConnection

TABLES = ("customers", "orders", "imports", "settings", "calls", "people")
HUNDRED_MB = 100 * 1024 * 1024


def csv_bytes(
    rows: Iterable[Sequence[object]], *, delimiter: str = ",", encoding: str = "utf-8", newline: str = "\r\n"
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerows([["" if c is None else str(c) for c in row] for row in rows])
    return buf.getvalue().encode(encoding)


def write_csv(path: Path, rows: Iterable[Sequence[object]], **kwargs) -> Path:
    path.write_bytes(csv_bytes(rows, **kwargs))
    return path


def query(ctx, sql: str, *params) -> list[tuple]:
    """Rows from a plain connection (sqlite3 or psycopg), independent of the code under test."""
    with PlainConnection(ctx.paths) as con:
        return con.rows(sql, *params)


def counts(ctx) -> dict[str, int]:
    return {t: query(ctx, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def dump_hash(ctx) -> str:
    """A hash of every table's content, schema included (sqlite3's SQL dump on a file)."""
    with PlainConnection(ctx.paths) as con:
        digest = hashlib.sha256()
        for line in con.dump():
            digest.update(line.encode("utf-8"))
        return digest.hexdigest()


def customer(ctx, external_id: str) -> dict[str, object]:
    with PlainConnection(ctx.paths) as con:
        found = con.dicts("SELECT * FROM customers WHERE external_id = ?", external_id)
        return found[0] if found else {}


def big_field_file(path: Path, *, line: int = 3, quoted: bool = True) -> Path:
    """A customers file whose row on ``line`` has a 100 MB notes field (written in a moment)."""
    with path.open("wb") as fh:
        fh.write(b"id,company,notes\n")
        for i in range(2, line):
            fh.write(f"{i},Company {i},fine\n".encode())
        quote = '"' if quoted else ""
        fh.write(f"{line},Big Ltd,{quote}".encode())
        for _ in range(100):
            fh.write(b"x" * (1024 * 1024))
        fh.write(b'"\n' if quoted else b"\n")
        fh.write(f"{line + 1},After Ltd,fine\n".encode())
    return path
