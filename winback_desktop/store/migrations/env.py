"""Alembic environment: migrations run on a connection the app hands over (see store/migrate.py).

Offline (``alembic upgrade A:B --sql``) it prints the SQL for the dialect of ``sqlalchemy.url``
instead, e.g. ``postgresql://``: how the tests check that PostgreSQL takes every revision.
"""

from alembic import context

from winback_desktop.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # a developer running the alembic command line
        from winback_desktop.store.connection import make_engine

        url = config.get_main_option("sqlalchemy.url") or "sqlite:///dev.sqlite3"
        with make_engine(url).connect() as conn:
            config.attributes["connection"] = conn
            run_migrations_online()
        return
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
