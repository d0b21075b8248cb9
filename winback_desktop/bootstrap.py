"""Opening the app's data, one call for the UI, the CLI and the child jobs: check the file,
migrate it, seed the catalogue, and hand back an :class:`AppContext`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from winback_desktop.paths import Paths
from winback_desktop.services.context import AppContext
from winback_desktop.store import disk, integrity
from winback_desktop.store.connection import check_file, make_engine, make_session_factory
from winback_desktop.store.errors import KnownError, Problem
from winback_desktop.store.identity import refuse_foreign
from winback_desktop.store.integrity import DatabaseDamagedError, Kind
from winback_desktop.store.migrate import SchemaBehindError, current_revision, migrate
from winback_desktop.store.read_only import open_read_only, refuse_writes
from winback_desktop.store.server import redact

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["DatabaseDamagedError", "Kind", "open_app"]


def open_app(paths: Paths, *, check: bool = True, read_only: str | None = None) -> AppContext:
    """Open (creating or migrating) the database under ``paths``; read-only, saying why in
    ``AppContext.read_only``, when the disk is read-only or full or ``read_only`` says so.

    Always, before SQLite opens it: the cheap checks of services/maintenance/health.py (a note
    of damage found earlier, the header, an empty or missing file while backups exist, a damaged
    write-ahead log). With ``check``, also SQLite's ``quick_check`` (every page read).
    """
    from winback_desktop.services.maintenance import health

    if paths.on_server:
        return _open_server(paths, read_only)
    read_only = read_only or disk.probe(paths.data_dir, paths.database).why_read_only()
    if read_only is None:
        paths.ensure()
    disk.refuse_links(paths.database)
    notices = health.vet(paths)
    if notices and read_only is None:  # a damaged log the disk had no room to keep: not opened
        read_only = disk.probe(paths.data_dir, paths.database).why_read_only()
    if check and not health.is_new_database(paths):
        # Read-only, before the engine sets any pragma: a damaged file is never written to.
        result = check_file(paths.database, full=False)
        if result != "ok":
            integrity.note_damage(paths.database, result)  # the next start refuses writes too
            raise DatabaseDamagedError(str(paths.database), result)
    refuse_foreign(paths.database)  # another program's database: refused before any write
    if read_only is not None:
        engine = open_read_only(paths.database, read_only)
        sessions = make_session_factory(engine)
        return AppContext(paths, engine, sessions, notices=notices, read_only=read_only)
    return _open_engine(paths, make_engine(paths.database), notices)


def _open_server(paths: Paths, read_only: str | None) -> AppContext:
    """A team database: none of the file's checks apply (the server keeps its own data safe);
    the data dir still holds this desk's logs, exports and journal.

    A new, empty team database is made by the first desk to open it (store/migrate.py: one at
    a time); one at an older schema is not upgraded by a desk but opened read-only, saying
    who upgrades it (``AppContext.read_only``); a newer one is refused (SchemaTooNewError)."""
    from winback_desktop.services.catalogue import ensure_catalogue

    assert paths.database_url is not None
    paths.ensure()
    engine = make_engine(paths.database_url)
    try:
        read_only = _server_schema(engine, paths.database_url, read_only)
        if read_only is not None:
            refuse_writes(engine, read_only)
        ctx = AppContext(paths, engine, make_session_factory(engine), read_only=read_only)
        if read_only is None:
            ensure_catalogue(ctx)
    except BaseException:
        engine.dispose()
        raise
    return ctx


def _server_schema(engine: Engine, url: str, read_only: str | None) -> str | None:
    """Why the team database opens read-only (``read_only``, or its schema is behind), or None:
    it is at this version's schema (made now when it was empty and may be written)."""
    try:
        if read_only is None:
            migrate(engine, None, allow_upgrade=False)
        elif current_revision(engine) is None:  # asked read-only: nothing is made either
            what = f"the team database {redact(url)} is empty yet"
            raise KnownError(Problem.READ_ONLY, "no database", f"{what}, and {read_only}")
        else:
            migrate(engine, None, allow_upgrade=False)  # behind or newer: said; else nothing
    except SchemaBehindError as behind:
        return f"{read_only}; {behind}" if read_only else str(behind)
    return read_only


def _open_engine(paths: Paths, engine: Engine, notices: list[str]) -> AppContext:
    from winback_desktop.services.catalogue import ensure_catalogue

    try:
        migrate(engine, paths.backups)
        ctx = AppContext(paths, engine, make_session_factory(engine), notices=notices)
        ensure_catalogue(ctx)
    except BaseException:
        engine.dispose()
        raise
    return ctx
