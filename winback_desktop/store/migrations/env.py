"""Alembic environment: migrations run on a connection the app hands over (see store/migrate.py)."""

from alembic import context

from winback_desktop.store.models import Base

config = context.config
target_metadata = Base.metadata


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


run_migrations_online()
