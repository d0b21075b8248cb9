"""``winback db copy --to URL``: this desk's SQLite database moved into an empty team database,
all or nothing.

The target is migrated to this version's schema first (its own transaction: an empty schema is
still an empty database). Then every table is copied in dependency order inside ONE transaction
on the server, read from one consistent snapshot of the file; the sequences behind the ids are
moved past the highest id copied; the rows of each table are counted on both sides, and any
difference, any row the server refuses, any lost connection rolls the whole copy back: the team
database is left as empty as it was found.

NUL characters, which PostgreSQL cannot store, are dropped (as the app drops them from what is
typed) and named; text longer than its column is refused by table, column and row.

Empty means no rows at all, or only the reference catalogue a desk seeds when it first connects
(departure reasons and help options as shipped): that is replaced by this desk's own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, Table, delete, func, select, text
from sqlalchemy import exc as sa_exc

from winback_desktop.resources import resource_path
from winback_desktop.services.maintenance import server
from winback_desktop.store import server as urls
from winback_desktop.store.migrate import migrate
from winback_desktop.store.models import Base

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

CHUNK = 1000  # rows per INSERT round trip
CATALOGUE = ("departure_reasons", "help_options")  # what a desk seeds on an empty database


@dataclass(frozen=True)
class Copied:
    counts: dict[str, int]  # rows per table, in the order copied
    cleaned: list[str]  # where a NUL character was dropped ("customers.notes of the row with id 3")


class CopyRefusedError(RuntimeError):
    """The copy was refused or failed; nothing was changed in the team database."""


def _nonzero(counts: dict[str, int]) -> list[str]:
    return [f"{table} {n:,}" for table, n in counts.items() if n]


def _shipped_codes() -> dict[str, set[str]]:
    data = tomllib.loads(resource_path("catalogue.toml").read_text(encoding="utf-8"))
    return {
        "departure_reasons": {row[0] for row in data["reasons"]},
        "help_options": {row[0] for row in data["help_options"]},
    }


def _only_seeded_catalogue(conn: Connection, counts: dict[str, int]) -> bool:
    if any(n for table, n in counts.items() if table not in CATALOGUE):
        return False
    shipped = _shipped_codes()
    tables = Base.metadata.tables
    return all(
        set(conn.execute(select(tables[name].c.code)).scalars()) == shipped[name]
        for name in CATALOGUE
        if counts.get(name)
    )


def check_empty(engine: Engine, url: str) -> bool:
    """Refuse a team database holding data (saying what it holds); True when it holds only the
    seeded catalogue (to be replaced), False when it holds nothing."""
    with engine.connect() as conn:
        counts = server.table_counts(conn)
        if not any(counts.values()):
            return False
        if _only_seeded_catalogue(conn, counts):
            return True
    raise CopyRefusedError(
        f"the team database {urls.redact(url)} is not empty: it holds {', '.join(_nonzero(counts))}. "
        "db copy only moves a desk's data into an empty database; nothing was changed"
    )


def _checked(table: Table, rows: list[dict[str, Any]], cleaned: list[str]) -> list[dict[str, Any]]:
    """What PostgreSQL would refuse but SQLite kept: a NUL character is dropped, as the app drops
    it from everything typed (noted in ``cleaned``); text longer than its column, refused by name."""
    texts = [c for c in table.columns if isinstance(c.type, String)]
    for row in rows:
        for column in texts:
            value = row.get(column.name)
            if not isinstance(value, str):
                continue
            where = f"{table.name}.{column.name} of the row with id {row.get('id', '?')}"
            if "\x00" in value:
                row[column.name] = value = value.replace("\x00", "")
                cleaned.append(where)
            length = getattr(column.type, "length", None)
            if length and len(value) > length:
                raise CopyRefusedError(
                    f"{where} is {len(value):,} characters long; the column takes {length}: "
                    "shorten it, then copy again; nothing was copied"
                )
    return rows


def _chunks(conn: Connection, table: Table, cleaned: list[str]) -> Iterator[list[dict[str, Any]]]:
    order = list(table.primary_key.columns)
    result = conn.execute(select(table).order_by(*order))
    parts = result.mappings().partitions(CHUNK)
    while True:
        try:
            part = next(parts, None)
        except (ValueError, TypeError) as exc:  # a date or number SQLite kept in another form
            raise CopyRefusedError(
                f"a value in {table.name} cannot be read as its column's type ({exc}): nothing was copied"
            ) from exc
        if part is None:
            return
        yield _checked(table, [dict(row) for row in part], cleaned)


def _reset_sequence(conn: Connection, table: Table) -> None:
    """The next id the server gives is past the highest id copied."""
    ids = [c for c in table.primary_key.columns if isinstance(c.type, Integer)]
    if len(ids) != 1 or len(table.primary_key.columns) != 1:
        return
    column = ids[0].name
    conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence(:t, :c), "  # noqa: S608 - our own table names
            f"COALESCE((SELECT MAX({column}) FROM {table.name}), 0) + 1, false)"
        ),
        {"t": table.name, "c": column},
    )


def _copy_tables(
    src: Connection, dst: Connection, said: Callable[[str, int], None] | None, cleaned: list[str]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        n = 0
        for rows in _chunks(src, table, cleaned):
            try:
                dst.execute(table.insert(), rows)
            except sa_exc.IntegrityError as exc:
                raise CopyRefusedError(f"the server refused a row of {table.name}: {_first(exc)}") from exc
            except sa_exc.DataError as exc:
                raise CopyRefusedError(f"the server refused a row of {table.name}: {_first(exc)}") from exc
            n += len(rows)
        _reset_sequence(dst, table)
        counts[table.name] = n
        if said is not None:
            said(table.name, n)
    return counts


def _first(exc: BaseException) -> str:
    """The server's words: its message and, when it gave one, the detail naming the row."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    detail = [line.removeprefix("DETAIL:").strip() for line in lines[1:] if line.startswith("DETAIL:")]
    return "; ".join((lines[:1] or [type(orig).__name__]) + detail[:1]) + "; nothing was copied"


def _verify(src: Connection, dst: Connection, copied: dict[str, int]) -> None:
    source = {
        t.name: int(src.execute(select(func.count()).select_from(t)).scalar_one())
        for t in Base.metadata.sorted_tables
    }
    target = server.table_counts(dst)
    wrong = [
        f"{name}: {source[name]:,} here, {target.get(name, 0):,} there"
        for name in source
        if not (source[name] == copied.get(name) == target.get(name))
    ]
    if wrong:
        raise CopyRefusedError(f"the counts differ ({'; '.join(wrong)}): the copy was rolled back")


def copy_to_server(
    source: Engine,
    target_url: str,
    *,
    said: Callable[[str, int], None] | None = None,
) -> Copied:
    """Copy every row of ``source`` (this desk's SQLite database, at this version's schema) into
    the empty team database at ``target_url``; returns the rows per table. Raises
    :class:`CopyRefusedError` (or :class:`server.ServerUnreachableError`) with nothing changed."""
    target = server.open_server(target_url)
    try:
        seeded = check_empty(target, target_url)
        migrate(target, None)
        try:
            with source.connect() as src, src.begin(), target.begin() as dst:
                if seeded:
                    for name in reversed(CATALOGUE):
                        dst.execute(delete(Base.metadata.tables[name]))
                cleaned: list[str] = []
                copied = _copy_tables(src, dst, said, cleaned)
                _verify(src, dst, copied)
        except sa_exc.OperationalError as exc:  # the server went away, or refused us
            lost = server.unreachable(target_url, exc)
            raise server.ServerUnreachableError(f"{lost}; nothing was copied") from exc
        return Copied(copied, cleaned)
    finally:
        target.dispose()
