"""Opening the app's data: paths, engine, migrations, catalogue — one call for UI and CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from winback_desktop.paths import Paths
from winback_desktop.script import CallScript, default_script
from winback_desktop.store.connection import check_file, make_engine, make_session_factory
from winback_desktop.store.migrate import migrate


class DatabaseDamagedError(RuntimeError):
    """The database file failed its integrity check; it must not be written to."""

    def __init__(self, path: str, detail: str):
        self.path, self.detail = path, detail
        super().__init__(f"The database {path} is damaged ({detail}). Nothing was written to it.")


@dataclass
class AppContext:
    paths: Paths
    engine: Engine
    sessions: sessionmaker[Session]
    script: CallScript = field(default_factory=default_script)

    def close(self) -> None:
        self.engine.dispose()


def open_app(paths: Paths, *, check: bool = True) -> AppContext:
    """Open (creating or migrating) the database under ``paths``."""
    from winback_desktop.services.catalogue import ensure_catalogue

    paths.ensure()
    if check and paths.database.exists():
        # Read-only, before the engine sets any pragma: a damaged file is never written to.
        result = check_file(paths.database, full=False)
        if result != "ok":
            raise DatabaseDamagedError(str(paths.database), result)
    engine = make_engine(paths.database)
    try:
        migrate(engine, paths.backups)
        ctx = AppContext(paths=paths, engine=engine, sessions=make_session_factory(engine))
        ensure_catalogue(ctx)
    except BaseException:
        engine.dispose()
        raise
    return ctx
