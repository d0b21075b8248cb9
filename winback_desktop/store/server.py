"""A team database on a PostgreSQL server: its URL, how it is named in logs and messages.

The driver is psycopg 3, an optional extra (``pip install ".[team]"``). A URL names the server
and database only: the password comes from libpq's own ``~/.pgpass`` or service file, so it is
never saved in the desk config nor written to a log (:func:`redact` hides one given anyway).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import URL, Engine

DRIVER = "postgresql+psycopg"
CONNECT_TIMEOUT_S = 5  # a server that does not answer is said within seconds, not minutes
# Session settings of the app's connections (libpq ``options``). jit=off: the desk's queries are
# short, and PostgreSQL's JIT, triggered by the cost the planner gives a correlated subquery it
# then never runs, compiled for 0.3-0.6 s to run the lapsed list's 0.19 s query (bench/README.md).
SESSION_OPTIONS = "-c jit=off"
IDLE_PING_S = 2.0  # a pooled connection idle this long is pinged before use (ping_when_idle)


class ServerUrlError(ValueError):
    """The text given is not a database URL this app can use."""


def parse(url: str) -> URL:
    """The SQLAlchemy URL for ``url`` (``postgresql://…``, ``postgres://…`` or with a driver),
    with psycopg 3 as the driver; ServerUrlError saying what is wrong otherwise."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = url.strip()
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://") :]
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise ServerUrlError(
            f"{redact(url)!r} is not a database URL; a team database is named like "
            "postgresql://user@server/database"
        ) from None
    if parsed.get_backend_name() != "postgresql":
        raise ServerUrlError(
            f"a team database is a PostgreSQL server (postgresql://user@server/database), "
            f"not {parsed.get_backend_name()!r}"
        )
    if not parsed.database:
        raise ServerUrlError("the URL names no database: add /DATABASE after the server")
    return parsed.set(drivername=DRIVER)


def connect_args(url: URL) -> dict[str, object]:
    """The driver's connection arguments for ``url``: a timeout, the app's name, and the session
    settings above (unless the URL sets its own ``options``, which are then left as they are)."""
    args: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "winback-desk"}
    if "options" not in url.query:
        args["options"] = SESSION_OPTIONS
    return args


def ping_when_idle(engine: Engine, idle_s: float = IDLE_PING_S) -> None:
    """Make ``engine``'s pool check a connection with the server before handing it out when it
    has been idle for ``idle_s`` or more; one that fails is replaced, not used (a server
    restart, a cut network, an idle timeout).

    SQLAlchemy's ``pool_pre_ping`` pings on *every* checkout: one more round trip per session,
    seven of a call window's forty as it opens and one of each autosave's. A connection used
    moments ago is as good as its last statement; should the server have dropped it since, that
    statement fails as a lost connection, the pool is renewed, and the caller's retry (the
    notes writer's, say) gets a new one.
    """
    import time

    from sqlalchemy import event, exc

    def fresh(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) < idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as e:
            raise exc.DisconnectionError(f"the server dropped a pooled connection: {e}") from e

    event.listen(engine, "connect", fresh)
    event.listen(engine, "checkin", fresh)
    event.listen(engine, "checkout", check)


def redact(url: str | URL) -> str:
    """The URL as shown to people and logs: any password replaced by ***."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL at all: show nothing of it that could be secret
        return "(an unreadable database URL)"


def without_password(url: str) -> str:
    """The URL to save in the desk config: the same server and database, no password, as
    people write it (``postgresql://``; :func:`parse` puts the driver back)."""
    parsed = parse(url)
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def has_password(url: str) -> bool:
    return parse(url).password is not None
