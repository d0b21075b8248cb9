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


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
