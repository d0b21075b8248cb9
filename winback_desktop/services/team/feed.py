"""What the other desks (and child jobs, and the command line) changed, told to this desk's
screens within seconds; no Qt here.

Every committed write leaves a notice naming the tables it wrote (``store/notices.py``). A
:class:`ChangeFeed` hears them on its own thread and reports the kinds of change they mean to
``ctx.changes`` (``Changes.heard``), which the screens already follow:

* on PostgreSQL it LISTENs on its own connection (not one of the pool's) and waits for
  notifications; a lost connection is tried again every few seconds, and once back it reports
  everything (what was missed meanwhile is not known);
* on SQLite it polls ``PRAGMA data_version`` every :data:`POLL_S` seconds on its own read-only
  connection (free: SQLite bumps it when another connection commits) and reads the notice log
  only when it moved.

What this ctx's own engine wrote is skipped: its screens heard of it when it was written.
Started by the main window (:func:`follow`), stopped by ``ctx.close()``.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterable
from typing import Any

from winback_desktop.services.changes import EVERYTHING, Change
from winback_desktop.services.context import AppContext
from winback_desktop.store import notices

log = logging.getLogger(__name__)

POLL_S = 2.0  # SQLite: how often the file is asked whether someone else wrote
WAIT_S = 0.5  # PostgreSQL: how long one wait for notifications lasts (then stop is checked)
GATHER_S = 0.2  # notices arriving this close together are told as one
RETRY_S = 3.0  # PostgreSQL: a lost listening connection is tried again after this long

# Which screens' data each table holds (services/changes.py names the kinds).
TABLE_KINDS: dict[str, frozenset[Change]] = {
    "customers": frozenset({Change.CUSTOMERS}),
    "orders": frozenset({Change.CUSTOMERS}),
    "imports": frozenset({Change.CUSTOMERS}),
    "import_changes": frozenset({Change.CUSTOMERS}),
    "import_replaced_orders": frozenset({Change.CUSTOMERS}),
    "calls": frozenset({Change.CALLS, Change.SCHEDULE}),
    "call_presence": frozenset({Change.CALLS}),
    "stage_answers": frozenset({Change.NOTES}),
    "call_reasons": frozenset({Change.NOTES}),
    "call_offers": frozenset({Change.NOTES}),
    "action_items": frozenset({Change.FOLLOWUPS}),
    "people": frozenset({Change.PEOPLE}),
    "rescue_cycles": frozenset({Change.CYCLES}),
    "cycle_assignments": frozenset({Change.CYCLES}),
    "call_attempts": frozenset({Change.SCHEDULE}),
    "settings": frozenset({Change.SETTINGS}),
    "departure_reasons": frozenset({Change.SETTINGS}),
    "help_options": frozenset({Change.SETTINGS}),
}


def kinds_of(tables: Iterable[str]) -> frozenset[Change]:
    """The kinds of change that writing ``tables`` means ("*": everything; an unknown table,
    one this version does not know of: nothing a screen shows)."""
    kinds: set[Change] = set()
    for table in tables:
        if table == "*":
            return EVERYTHING
        kinds |= TABLE_KINDS.get(table, frozenset())
    return frozenset(kinds)


class ChangeFeed:
    """One thread telling ``ctx.changes`` what other engines committed to its database."""

    def __init__(self, ctx: AppContext, *, poll_s: float = POLL_S):
        self.hub = ctx.changes
        self.engine = ctx.engine
        self.origin = notices.origin(ctx.engine)
        self.poll_s = poll_s
        self.problem: str | None = None  # why the feed is not hearing now (None: it is)
        self._stop = threading.Event()
        self.listening = threading.Event()  # set once the first LISTEN / first read is done
        run = self._listen if ctx.engine.dialect.name == "postgresql" else self._poll
        self._thread = threading.Thread(target=run, name="change-feed", daemon=True)
        self._thread.start()

    def close(self, wait_s: float = 2.0) -> None:
        self._stop.set()
        self._thread.join(wait_s)

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    def _tell(self, tables: Iterable[str]) -> None:
        kinds = kinds_of(tables)
        if kinds and not self._stop.is_set():
            try:
                self.hub.heard(kinds)
            except Exception:  # noqa: BLE001 - a screen that failed to read must not stop the feed
                log.exception("a listener failed on the other desks' changes %s", sorted(kinds))

    # -- SQLite: polling --------------------------------------------------------------------
    def _poll(self) -> None:
        from winback_desktop.store.connection import sqlite_path

        path = sqlite_path(self.engine)
        if path is None:
            return
        conn, version, seq = None, None, None
        while not self._stop.is_set():
            try:
                if conn is None:
                    conn = _open_sqlite(path)
                    version = None
                now = conn.execute("PRAGMA data_version").fetchone()[0]
                if now != version:
                    seq, found = notices.read_log(conn, seq)
                    version = now
                    self._tell(notices.tables_of(found, self.origin))
                self.problem = None
            except Exception as exc:  # noqa: BLE001 - a locked or vanished file: tried again next time
                self.problem = str(exc)
                log.debug("the change feed could not read %s (%s)", path, exc)
                if conn is not None:
                    conn.close()
                conn = None
            self.listening.set()
            self._stop.wait(self.poll_s)
        if conn is not None:
            conn.close()

    # -- PostgreSQL: LISTEN -----------------------------------------------------------------
    def _listen(self) -> None:
        missed = False  # the connection was lost: what happened meanwhile is not known
        while not self._stop.is_set():
            try:
                conn = _open_listener(self.engine)
            except Exception as exc:  # noqa: BLE001 - the server is away: tried again
                self._lost(exc)
                missed = True
                self._stop.wait(RETRY_S)
                continue
            try:
                self.problem = None
                self.listening.set()
                if missed:
                    self._tell(["*"])
                    missed = False
                self._hear(conn)
            except Exception as exc:  # noqa: BLE001 - the connection dropped: open a new one
                self._lost(exc)
                missed = True
                self._stop.wait(RETRY_S)
            finally:
                _close_quietly(conn)

    def _lost(self, exc: Exception) -> None:
        if self.problem is None:
            log.warning("not hearing the other desks' changes (%s); trying again", exc)
        self.problem = str(exc) or type(exc).__name__

    def _hear(self, conn: Any) -> None:
        while not self._stop.is_set():
            gathered = [notices.parse(n.payload) for n in conn.notifies(timeout=WAIT_S, stop_after=1)]
            if gathered:  # more may follow at once (one save touches several tables)
                gathered += [notices.parse(n.payload) for n in conn.notifies(timeout=GATHER_S)]
                self._tell(notices.tables_of(gathered, self.origin))


def _open_sqlite(path: Any) -> Any:
    from winback_desktop.store.disk import connect_read_only

    return connect_read_only(path, timeout=1.0, isolation_level=None, check_same_thread=False)


def _open_listener(engine: Any) -> Any:
    import psycopg

    cargs, cparams = notices.listen_args(engine)
    conn = psycopg.connect(*cargs, **cparams, autocommit=True)
    conn.execute(f"LISTEN {notices.CHANNEL}")
    return conn


def _close_quietly(conn: Any) -> None:
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - already gone
        log.debug("closing the listening connection failed", exc_info=True)


_feeds: dict[int, tuple[weakref.ref[AppContext], ChangeFeed]] = {}


def follow(ctx: AppContext, *, poll_s: float = POLL_S) -> ChangeFeed | None:
    """``ctx``'s feed, started on first use and stopped by ``ctx.close()``. None for a SQLite
    file opened read-only (a read-only or full disk: it is not opened again every few seconds,
    which could leave an index file beside it)."""
    if ctx.read_only is not None and ctx.engine.dialect.name == "sqlite":
        return None
    found = _feeds.get(id(ctx))
    if found is not None and found[0]() is ctx and not found[1].closed:
        return found[1]
    feed = ChangeFeed(ctx, poll_s=poll_s)
    key = id(ctx)
    _feeds[key] = (weakref.ref(ctx), feed)

    def stop() -> None:
        feed.close()
        if _feeds.get(key, (None, None))[1] is feed:
            del _feeds[key]

    ctx.on_close(stop)
    return feed
