"""Opening the app's data, one call for the UI, the CLI and the child jobs: check the file,
migrate it, seed the catalogue, and hand back an :class:`AppContext`."""

from __future__ import annotations

from winback_desktop.paths import Paths
from winback_desktop.services.context import AppContext
from winback_desktop.store.connection import check_file, make_engine, make_session_factory
from winback_desktop.store.migrate import migrate


class DatabaseDamagedError(RuntimeError):
    """The database file failed its integrity check; it must not be written to."""

    def __init__(self, path: str, detail: str):
        self.path, self.detail = path, detail
        super().__init__(f"The database {path} is damaged ({detail}). Nothing was written to it.")


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
