"""The test-database seam: with ``WINBACK_TEST_DATABASE_URL`` set to a PostgreSQL server's admin
URL (``.ci/start-postgres`` prints one), every test gets its own fresh team database, named to
the app by ``WINBACK_DATABASE_URL`` exactly as a user would; without it, the SQLite file.

A fresh database is a copy of a template migrated once to head (``CREATE DATABASE … TEMPLATE``,
a few tens of milliseconds) rather than the whole Alembic chain per test. The template's name
carries a digest of the migration files, so a changed migration makes a new one; an advisory
lock keeps two test runs on one server from building it at once.
"""

from __future__ import annotations

import hashlib
import os
import uuid

from winback_desktop.store.migrate import MIGRATIONS

ENV_TEST_URL = "WINBACK_TEST_DATABASE_URL"
_TEMPLATE_LOCK = 7_340_211  # pg_advisory_lock key: one builder of a template at a time


def server_url() -> str | None:
    """The admin URL of the test server, or None: the tests run on SQLite."""
    return os.environ.get(ENV_TEST_URL) or None


def _admin_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    url = server_url()
    assert url is not None
    return make_url(url).set(drivername="postgresql+psycopg", database=database).render_as_string(False)


def _template_name() -> str:
    digest = hashlib.sha256()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update((MIGRATIONS / "env.py").read_bytes())
    return f"winback_tpl_{digest.hexdigest()[:12]}"


def _admin():
    import psycopg

    url = server_url()
    assert url is not None
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


_made: set[str] = set()


def _ensure_template(conn) -> str:  # type: ignore[no-untyped-def]
    name = _template_name()
    if name in _made:
        return name
    conn.execute("SELECT pg_advisory_lock(%s)", (_TEMPLATE_LOCK,))
    try:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            from winback_desktop.store.connection import make_engine
            from winback_desktop.store.migrate import migrate

            building = f"{name}_building"
            conn.execute(f'DROP DATABASE IF EXISTS "{building}"')
            conn.execute(f'CREATE DATABASE "{building}"')
            engine = make_engine(_admin_url(building))
            try:
                migrate(engine, None)
            finally:
                engine.dispose()
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_TEMPLATE_LOCK,))
    _made.add(name)
    return name


def fresh_database() -> tuple[str, str]:
    """(name, URL) of a new database migrated to head on the test server."""
    name = f"winback_t_{uuid.uuid4().hex[:16]}"
    with _admin() as conn:
        template = _ensure_template(conn)
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name, _admin_url(name)


def empty_database() -> tuple[str, str]:
    """(name, URL) of a new database with no tables at all (for migration and copy tests)."""
    name = f"winback_t_{uuid.uuid4().hex[:16]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, _admin_url(name)


def copy_database(url: str) -> tuple[str, str]:
    """(name, URL) of a copy of the database at ``url`` (``CREATE DATABASE … TEMPLATE``): nobody
    may be connected to it meanwhile (dispose of the engine first)."""
    from sqlalchemy.engine import make_url

    name = f"winback_t_{uuid.uuid4().hex[:16]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
    return name, _admin_url(name)


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- looking at a test's database without the code under test ------------------------------


class PlainConnection:
    """A plain DB-API connection to the app's database (``sqlite3`` on the file, ``psycopg`` on
    a server), with no SQLAlchemy nor anything of the app's between: what a test reads through
    it is what is stored. SQL is written once with ``?`` placeholders; a server's values come in
    the forms SQLite stores (a date as ``2024-02-01``, a time as ``2024-02-01 10:00:00.000000``,
    a number as int or float), so one expectation holds on both."""

    def __init__(self, paths) -> None:  # type: ignore[no-untyped-def]
        self.server = paths.database_url is not None
        if self.server:
            import psycopg

            self._con = psycopg.connect(_libpq(paths.database_url))
        else:
            import sqlite3

            self._con = sqlite3.connect(paths.database)

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s") if self.server else sql

    def rows(self, sql: str, *params) -> list[tuple]:  # type: ignore[no-untyped-def]
        cur = self._con.cursor()
        cur.execute(self._sql(sql), params)
        return [tuple(map(self._value, r)) for r in cur.fetchall()] if cur.description else []

    def dicts(self, sql: str, *params) -> list[dict]:  # type: ignore[no-untyped-def]
        cur = self._con.cursor()
        cur.execute(self._sql(sql), params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, map(self._value, r), strict=True)) for r in cur.fetchall()]

    @staticmethod
    def _value(v):  # type: ignore[no-untyped-def]
        import datetime as dt
        from decimal import Decimal

        if isinstance(v, dt.datetime):
            return v.isoformat(sep=" ", timespec="microseconds")
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, Decimal):
            return int(v) if v == v.to_integral_value() else float(v)
        return v

    def execute(self, sql: str, *params) -> None:  # type: ignore[no-untyped-def]
        self._con.cursor().execute(self._sql(sql), params)
        self._con.commit()

    def tables(self) -> set[str]:
        if self.server:
            return {t for (t,) in self.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        return {t for (t,) in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def dump(self) -> list[str]:
        """Every table's columns and rows, as lines in a stable order (sqlite3's dump on a file)."""
        if not self.server:
            return list(self._con.iterdump())  # type: ignore[attr-defined]
        lines = []
        tables = self.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        for (table,) in tables:
            cols = self.rows(
                "SELECT column_name, data_type, column_default FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position",
                table,
            )
            lines.append(f"{table}: {cols}")
            content = self.rows(f'SELECT row_to_json(t)::text FROM "{table}" t ORDER BY 1')
            lines += [f"{table} {r[0]}" for r in content]
        return lines

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> PlainConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(False)
