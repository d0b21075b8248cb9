"""A team database's health as its server sees it, for ``winback doctor`` on a server; and the
words for a server that cannot be reached (or used) by this desk.

The SQLite file's checks (store/integrity.py) do not apply to a server: it keeps its own pages
safe. What can go wrong is the connection (down, refused, slow), the schema (behind this version,
or written by a newer one), and what the migration made (the one-open-call index, ``pg_trgm``).
Read-only: nothing is migrated or written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from winback_desktop.store import server as urls
from winback_desktop.store.migrate import current_revision, shipped_head, shipped_revisions
from winback_desktop.store.models import Base

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

ONE_OPEN_CALL_INDEX = "uq_calls_one_open_per_customer"
TRIGRAM_INDEX = "ix_customers_search_trgm"
DRIVER_MISSING = (
    "the PostgreSQL driver (psycopg 3) is not installed in this app's environment: "
    'install the team extra, e.g. .venv/bin/pip install ".[team]"'
)
# What doctor counts, in this order: (table, one, many).
COUNTED = (
    ("customers", "customer", "customers"),
    ("people", "person", "people"),
    ("calls", "call", "calls"),
    ("action_items", "next step", "next steps"),
    ("imports", "import", "imports"),
    ("orders", "order", "orders"),
)


class ServerUnreachableError(RuntimeError):
    """The team database could not be reached or used; the message names it and says why."""


@dataclass(frozen=True)
class ServerReport:
    url: str  # redacted
    server_version: str
    latency_ms: float  # one round trip (SELECT 1), the best of a few
    revision: str | None  # the database's schema (None: no schema yet)
    head: str | None  # this version's schema
    counts: dict[str, int]  # rows per table of ours that exists
    size_bytes: int  # pg_database_size
    one_open_call_index: bool
    trigram_installed: bool  # the pg_trgm extension
    trigram_index: bool
    problems: list[str] = field(default_factory=list)  # what the user must act on

    @property
    def schema_state(self) -> str:
        """'current', 'behind', 'ahead' (a newer app's schema) or 'none' (no schema yet)."""
        if self.revision is None:
            return "none"
        if self.revision == self.head:
            return "current"
        return "behind" if self.revision in shipped_revisions() else "ahead"


def unreachable(url: str, exc: BaseException) -> ServerUnreachableError:
    """The error for a server this desk cannot use: named (no password), the driver's first line."""
    if isinstance(exc, ModuleNotFoundError):
        return ServerUnreachableError(DRIVER_MISSING)
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    why = lines[0] if lines else type(orig).__name__
    return ServerUnreachableError(f"cannot reach the team database {urls.redact(url)}: {why}")


def open_server(url: str) -> Engine:
    """An engine on the team database, its first connection made (so a server that cannot be
    reached says so here); raises :class:`ServerUnreachableError`."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import text

    from winback_desktop.store.connection import make_engine

    try:
        engine = make_engine(url)
    except (ModuleNotFoundError, urls.ServerUrlError) as exc:
        if isinstance(exc, urls.ServerUrlError):
            raise ServerUnreachableError(str(exc)) from None
        raise unreachable(url, exc) from None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except sa_exc.DBAPIError as exc:
        engine.dispose()
        raise unreachable(url, exc) from None
    return engine


def _latency_ms(conn: Connection, tries: int = 5) -> float:
    from sqlalchemy import text

    best = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        conn.execute(text("SELECT 1"))
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows in each table of ours that the database has, in dependency order."""
    from sqlalchemy import func, inspect, select

    present = set(inspect(conn).get_table_names())
    return {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
        for t in Base.metadata.sorted_tables
        if t.name in present
    }


def _has_index(conn: Connection, name: str) -> bool:
    from sqlalchemy import text

    found = conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :n"), {"n": name}).first()
    return found is not None


def examine_server(url: str) -> ServerReport:
    """Everything ``doctor`` checks on a server; raises :class:`ServerUnreachableError`."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import text

    engine = open_server(url)
    try:
        revision = current_revision(engine)
        with engine.connect() as conn:
            latency = _latency_ms(conn)
            version = str(conn.execute(text("SHOW server_version")).scalar_one())
            size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
            trgm = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
            report = ServerReport(
                url=urls.redact(url),
                server_version=version,
                latency_ms=latency,
                revision=revision,
                head=shipped_head(),
                counts=table_counts(conn),
                size_bytes=size,
                one_open_call_index=_has_index(conn, ONE_OPEN_CALL_INDEX),
                trigram_installed=trgm is not None,
                trigram_index=_has_index(conn, TRIGRAM_INDEX),
            )
    except sa_exc.DBAPIError as exc:
        raise unreachable(url, exc) from None
    finally:
        engine.dispose()
    report.problems.extend(_problems(report))
    return report


def _problems(report: ServerReport) -> list[str]:
    state = report.schema_state
    if state == "none":
        return ["the database has no Win-Back Desk schema yet: run `winback db upgrade` (as its owner)"]
    if state == "ahead":
        return [
            f"the database's schema {report.revision} was written by a newer Win-Back Desk "
            f"(this version knows up to {report.head}): update the app on this desk"
        ]
    if state == "behind":
        return [
            f"the database's schema {report.revision} is behind this version's {report.head}: "
            "run `winback db upgrade` (as the database's owner)"
        ]
    found = []
    if not report.one_open_call_index:
        found.append(
            f"the index {ONE_OPEN_CALL_INDEX} is missing: two desks could open two calls with one customer"
        )
    if not report.trigram_installed or not report.trigram_index:
        found.append(
            "the pg_trgm extension or its search index is missing: the roster's search reads every "
            "customer (the database's owner can run: CREATE EXTENSION pg_trgm)"
        )
    return found
