"""Opening the app's data, one call for the UI, the CLI and the child jobs: check the file,
migrate it, seed the catalogue, and hand back an :class:`AppContext`."""

from __future__ import annotations

from winback_desktop.paths import Paths
from winback_desktop.services.context import AppContext
from winback_desktop.store.connection import check_file, make_engine, make_session_factory
from winback_desktop.store.integrity import DatabaseDamagedError, Kind
from winback_desktop.store.migrate import migrate

__all__ = ["DatabaseDamagedError", "Kind", "open_app"]


def open_app(paths: Paths, *, check: bool = True) -> AppContext:
    """Open (creating or migrating) the database under ``paths``.

    Always, before SQLite opens it: the cheap checks of services/maintenance/health.py (a note
    of damage found earlier, the header, an empty or missing file while backups exist, a damaged
    write-ahead log). With ``check``, also SQLite's ``quick_check`` (every page read).
    """
    from winback_desktop.services.catalogue import ensure_catalogue
    from winback_desktop.services.maintenance import health

    paths.ensure()
    notices = health.vet(paths)
    if check and not health.is_new_database(paths):
        # Read-only, before the engine sets any pragma: a damaged file is never written to.
        result = check_file(paths.database, full=False)
        if result != "ok":
            raise DatabaseDamagedError(str(paths.database), result)
    engine = make_engine(paths.database)
    try:
        migrate(engine, paths.backups)
        ctx = AppContext(paths=paths, engine=engine, sessions=make_session_factory(engine), notices=notices)
        ensure_catalogue(ctx)
    except BaseException:
        engine.dispose()
        raise
    return ctx
