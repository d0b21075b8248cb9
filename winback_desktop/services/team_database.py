"""Connecting this desk to a team database (File ▸ Connect to a team database…), or back to its
own SQLite file: test a URL, remember the choice in the desk config, name the paths to reopen.

The test connects once and writes nothing; it runs on a worker thread (ui/team/connect.py), as
a server that does not answer takes up to ``store.server.CONNECT_TIMEOUT_S`` to say so. The
choice is saved without a password, ever: one in the URL is refused, saying where it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from winback_desktop import desk
from winback_desktop.paths import Paths
from winback_desktop.store import server
from winback_desktop.store.errors import DATABASE_ERRORS, server_problem
from winback_desktop.store.migrate import shipped_head

ServerUrlError = server.ServerUrlError
PasswordInUrlError = desk.PasswordInUrlError


class ConnectionFailed(Exception):
    """The test connection failed for a reason the user can act on; ``str()`` says it."""


@dataclass(frozen=True)
class Found:
    """What a test connection found, and what connecting would do."""

    url: str  # as shown: without password
    server_version: str
    revision: str | None
    customers: int | None

    @property
    def summary(self) -> str:
        """One paragraph for the dialog."""
        head = shipped_head()
        if self.revision is None:
            schema = "no Win-Back Desk tables yet: connecting creates them (an empty team database)"
        elif self.revision == head:
            schema = f"schema revision {self.revision}, this version's"
        else:
            schema = f"schema revision {self.revision} (this version of the app has {head})"
        customers = "no customers" if not self.customers else f"{self.customers:,} customers"
        return f"Connected to PostgreSQL {self.server_version}: {schema}; {customers}."


@dataclass(frozen=True)
class ServerFound:
    """What a test connection found on the server."""

    server_version: str  # e.g. "15.18"
    revision: str | None  # the schema's Alembic revision; None: no Win-Back Desk tables yet
    customers: int | None  # None when there is no customers table yet


TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"


def probe(url: str) -> ServerFound:
    """Connect to the team database at ``url`` once and read what it holds, writing nothing.
    ServerUrlError for a URL that is not one; the driver's error (SQLAlchemy's wrapper) when
    the server cannot be reached or refuses: store/errors.known_problem names it."""
    from sqlalchemy import text

    from winback_desktop.store.connection import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar_one()).split(" ")[0]
            tables = set(conn.execute(text(TABLES)).scalars())
            revision = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if "alembic_version" in tables
                else None
            )
            customers = (
                int(conn.execute(text("SELECT count(*) FROM customers")).scalar_one())
                if "customers" in tables
                else None
            )
    finally:
        engine.dispose()
    return ServerFound(version, None if revision is None else str(revision), customers)


def as_saved(url: str) -> str:
    """``url`` as the desk config keeps it and the dialog shows it: postgresql://, no password."""
    return server.without_password(url)


def check_url(url: str) -> str:
    """The URL as it would be saved (no password); ServerUrlError or PasswordInUrlError saying
    what is wrong with it."""
    if server.has_password(url):  # parse() first: ServerUrlError for what is no URL
        desk.with_team_database(desk.DeskConfig(), url)  # raises PasswordInUrlError, in its words
    return as_saved(url)


def test_connection(url: str) -> Found:
    """Connect to ``url`` once, read the server's version, the schema's revision and the number
    of customers. ServerUrlError for a URL that is not one; ConnectionFailed for a server that
    cannot be reached or refuses (unknown host, refused, the login refused, no such database)."""
    server.parse(url)
    try:
        found = probe(url)
    except DATABASE_ERRORS as exc:
        known = server_problem(exc, working=False)
        if known is None:
            raise
        raise ConnectionFailed(known.sentence) from None
    return Found(as_saved(url), found.server_version, found.revision, found.customers)


def cannot_open(exc: BaseException, paths: Paths) -> str | None:
    """Why the database of ``paths`` could not be opened, as a sentence (the server cannot be
    reached or refuses, its schema is newer than this app's, the file's disk...); None for a bug."""
    from winback_desktop.store.errors import known_problem
    from winback_desktop.store.migrate import SchemaTooNewError

    if isinstance(exc, SchemaTooNewError):
        return str(exc)
    known = known_problem(exc, None if paths.on_server else paths.database)
    if known is None and isinstance(exc, OSError):
        return str(exc)
    return None if known is None else known.sentence


def current(paths: Paths) -> str | None:
    """The team database this desk is saved to connect to (its desk config), or None."""
    return desk.team_database(desk.load(paths))


def paths_for(paths: Paths, url: str | None) -> Paths:
    """The paths that open the team database at ``url`` (None: this desk's own SQLite file)
    with this data folder; ServerUrlError or PasswordInUrlError for a URL not to be used."""
    return replace(paths, database_url=None if url is None else check_url(url))


def remember(paths: Paths) -> None:
    """Save the database of ``paths`` as this desk's (File ▸ Connect…), without password;
    OSError when the desk config cannot be written (then nothing of it is changed)."""
    desk.save(paths, desk.with_team_database(desk.load(paths), paths.database_url))
