"""The benchmark on a PostgreSQL server (``--database-url``): the database it fills, and the
floors' plain connection (psycopg 3, autocommit, no SQLAlchemy).

The benchmark fills an EMPTY database it is given (``createdb bench_x``, or
``psql ... -c 'create database bench_x'``) with the same generated data as the SQLite run, and
leaves it filled; a database that already holds customers is refused, never changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from winback_desktop.store import server

# Tables the generator fills with their own ids: their sequences must move past them.
WITH_IDS = ("customers", "calls")


class FilledDatabaseError(SystemExit):
    """The database named already holds data: the benchmark fills an empty one only."""


def libpq_url(url: str) -> str:
    """``url`` as libpq reads it (postgresql://..., no SQLAlchemy driver name)."""
    return server.parse(url).set(drivername="postgresql").render_as_string(hide_password=False)


def refuse_filled(url: str) -> None:
    """Stop, saying so, when the database at ``url`` already holds customers or calls."""
    from winback_desktop.store.connection import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            held = {
                t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("customers", "calls")
                if t in names
            }
    finally:
        engine.dispose()
    if any(held.values()):
        what = ", ".join(f"{n:,} {t}" for t, n in held.items() if n)
        raise FilledDatabaseError(
            f"{server.redact(url)} already holds {what}: the benchmark fills an EMPTY database and "
            "never changes one with data. Create one, e.g.\n"
            "  psql postgresql://postgres@127.0.0.1:54329/postgres -c 'create database bench_x'"
        )


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``rows`` into ``table`` with COPY, inside ``conn``'s transaction."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row(r)


def advance_sequences(engine: Engine) -> None:
    """Move the id sequences past the ids the generator inserted, so the app's inserts go on."""
    with engine.begin() as conn:
        for table in WITH_IDS:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
            )


def settle(engine: Engine) -> int:
    """VACUUM ANALYZE (what autovacuum leaves on a server that ran a while: planner statistics,
    the visibility map); returns the database's size in bytes."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")
        return int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())


class FloorConnection:
    """A plain psycopg connection in autocommit mode that takes the SQLite floors' SQL: ``?``
    placeholders (the floors' queries are written portably otherwise)."""

    def __init__(self, url: str):
        import psycopg

        # the app's own session settings (jit=off, store/server.py), so both run alike
        self.raw = psycopg.connect(libpq_url(url), autocommit=True, options=server.SESSION_OPTIONS)

    @staticmethod
    def _sql(sql: str) -> str:
        return re.sub(r"\?", "%s", sql)

    def execute(self, sql: str, params: Sequence[Any] = ()):
        return self.raw.execute(self._sql(sql), tuple(params) or None)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.raw.cursor() as cur:
            cur.executemany(self._sql(sql), list(rows))

    def close(self) -> None:
        self.raw.close()


def connect(url: str) -> FloorConnection:
    return FloorConnection(url)


def server_version(url: str) -> str:
    """The server's version; a clear stop (no traceback) when it cannot be reached."""
    import psycopg

    try:
        conn = connect(url)
    except psycopg.OperationalError as exc:
        why = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise SystemExit(f"cannot connect to {server.redact(url)}: {why}") from None
    try:
        return str(conn.execute("SELECT version()").fetchone()[0]).split(" on ")[0]
    finally:
        conn.close()
