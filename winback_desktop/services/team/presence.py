"""Who has a call open, and at which desk: a lease renewed by a heartbeat; no Qt here.

A call window that opens a call takes a lease for this desk (a row of ``call_presence``: the
call, this desk's id, who is at it, since when), renews it every :data:`HEARTBEAT_S` seconds
and gives it back when it closes. A lease whose heartbeat is older than :data:`LEASE_S` says
nothing: that desk stopped (a crash, a lost network) and its row no longer counts. Opening a
call someone else has open is allowed (two people can be on one call); the window says who.

The time of a lease is the database's own on PostgreSQL (desks' clocks differ), this machine's
on SQLite (every desk of one file is on it). The :class:`Keeper` does the database work of a
context's windows on its own thread: taking, renewing and giving back leases, and reading who
else is in each call; the windows hear on that thread (they pass it to their own).

This desk's id is a random one kept in the desk's own config (``desk.json``, key
:data:`DESK_KEY`): it stays the same across starts, so a desk that crashed and came back takes
its own lease again rather than seeing itself as someone else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from winback_desktop import desk
from winback_desktop.paths import Paths
from winback_desktop.services import clock
from winback_desktop.services.context import AppContext
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import CallPresence, utcnow

log = logging.getLogger(__name__)

LEASE_S = 30.0  # a heartbeat older than this: that desk is gone
HEARTBEAT_S = 10.0  # how often a desk renews its leases (and reads who else is in its calls)
FORGET_S = 3600.0  # leases this stale are removed when a desk takes one (the table stays small)
DESK_KEY = "desk_id"

_desk_ids: dict[str, str] = {}
_desk_lock = threading.Lock()


def desk_id(paths: Paths) -> str:
    """This desk's own id: made once and kept in its config (an id that cannot be saved, on a
    read-only config dir, lasts as long as this process)."""
    key = str(paths.desk_config)
    with _desk_lock:
        if key in _desk_ids:
            return _desk_ids[key]
        config = desk.load(paths)
        found = config.extra.get(DESK_KEY)
        if isinstance(found, str) and 8 <= len(found) <= 64:
            _desk_ids[key] = found
            return found
        made = secrets.token_hex(8)
        try:
            desk.save(paths, dataclasses.replace(config, extra={**config.extra, DESK_KEY: made}))
        except OSError as exc:
            log.warning("this desk's id could not be kept in %s (%s)", paths.desk_config, exc)
        _desk_ids[key] = made
        return made


@dataclass(frozen=True)
class Presence:
    """Someone with a call open at another desk."""

    call_id: int
    desk: str
    person_id: int | None
    holder: str  # their name as shown ("" when the desk had nobody chosen)
    opened_at: dt.datetime  # aware, local time


def _now(s: Session) -> Any:
    """Now as leases are kept: the server's clock on PostgreSQL, naive UTC."""
    if s.get_bind().dialect.name == "postgresql":
        return func.timezone("UTC", func.now())
    return utcnow()


def _since(s: Session, seconds: float) -> Any:
    return _now(s) - dt.timedelta(seconds=seconds)


def take(ctx: AppContext, call_id: int, desk_id: str, person_id: int | None, holder: str) -> None:
    """This desk has ``call_id`` open (again: its lease is renewed, its opening time kept while
    the lease lived)."""
    here = (CallPresence.call_id == call_id, CallPresence.desk == desk_id)
    with transaction(ctx.sessions) as s:
        s.execute(delete(CallPresence).where(CallPresence.heartbeat_at < _since(s, FORGET_S)))
        now, who = _now(s), {"person_id": person_id, "holder": holder[:200]}
        if s.scalar(select(func.count()).select_from(CallPresence).where(*here)):
            s.execute(
                update(CallPresence)
                .where(*here, CallPresence.heartbeat_at < _since(s, LEASE_S))
                .values(opened_at=now)
            )
            s.execute(update(CallPresence).where(*here).values(heartbeat_at=now, **who))
        else:
            s.execute(
                insert(CallPresence).values(
                    call_id=call_id, desk=desk_id, opened_at=now, heartbeat_at=now, **who
                )
            )


def renew(s: Session, desk_id: str, call_ids: Sequence[int]) -> int:
    """The heartbeat of this desk's leases on ``call_ids``: how many it still had."""
    if not call_ids:
        return 0
    result = s.execute(
        update(CallPresence)
        .where(CallPresence.desk == desk_id, CallPresence.call_id.in_(call_ids))
        .values(heartbeat_at=_now(s))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def give_back(ctx: AppContext, desk_id: str, call_ids: Iterable[int]) -> None:
    """This desk no longer has ``call_ids`` open."""
    ids = list(call_ids)
    if not ids:
        return
    with transaction(ctx.sessions) as s:
        s.execute(delete(CallPresence).where(CallPresence.desk == desk_id, CallPresence.call_id.in_(ids)))


def others_in(
    ctx: AppContext, call_ids: Sequence[int], desk_id: str, *, lease_s: float = LEASE_S
) -> list[Presence]:
    """Who else (another desk, a live lease) has one of ``call_ids`` open, first opened first."""
    if not call_ids:
        return []
    with ctx.sessions() as s:
        rows = s.scalars(
            select(CallPresence)
            .where(
                CallPresence.call_id.in_(call_ids),
                CallPresence.desk != desk_id,
                CallPresence.heartbeat_at >= _since(s, lease_s),
            )
            .order_by(CallPresence.opened_at, CallPresence.desk)
        ).all()
        return [Presence(r.call_id, r.desk, r.person_id, r.holder, clock.to_local(r.opened_at)) for r in rows]


def describe(others: Sequence[Presence]) -> str:
    """What the call window says: "Priya is in this call (at another desk since 10:42)"."""
    if not others:
        return ""
    names: list[str] = []
    for p in others:
        name = p.holder.strip() or "Someone"
        if name not in names:
            names.append(name)
    since = min(p.opened_at for p in others).strftime("%H:%M")
    where = "another desk" if len({p.desk for p in others}) == 1 else "other desks"
    if len(names) == 1:
        who = f"{names[0]} is"
    else:
        who = f"{', '.join(names[:-1])} and {names[-1]} are"
    return f"{who} in this call (at {where} since {since})"


Seen = Callable[[list[Presence]], object]


class Keeper:
    """The leases of one context's open call windows, kept on one thread.

    ``enter`` and ``leave`` return at once; the thread takes and gives back the leases, renews
    them every :data:`HEARTBEAT_S` seconds and tells each window (``seen``, on the keeper's
    thread) who else is in its call: at once, at every heartbeat, and after ``refresh``. A
    database that does not answer is tried again at the next beat (the window is not told)."""

    def __init__(self, ctx: AppContext, *, heartbeat_s: float = HEARTBEAT_S, lease_s: float = LEASE_S):
        self.ctx, self.desk = ctx, desk_id(ctx.paths)
        self.heartbeat_s, self.lease_s = heartbeat_s, lease_s
        self.problem: str | None = None  # why the last round failed
        self._cond = threading.Condition()
        self._held: dict[int, tuple[int | None, str, Seen]] = {}  # call -> who, as shown; told
        self._to_take: set[int] = set()
        self._to_give: set[int] = set()
        self._to_read: set[int] = set()
        self._closed = False
        self.rounds = 0  # rounds done (tests wait on it)
        self._thread = threading.Thread(target=self._run, name="presence", daemon=True)
        self._thread.start()

    @property
    def writes(self) -> bool:
        return self.ctx.read_only is None

    def enter(self, call_id: int, person_id: int | None, holder: str, seen: Seen) -> None:
        with self._cond:
            self._held[call_id] = (person_id, holder, seen)
            self._to_give.discard(call_id)
            self._to_take.add(call_id)
            self._to_read.add(call_id)
            self._cond.notify_all()

    def leave(self, call_id: int) -> None:
        with self._cond:
            if self._held.pop(call_id, None) is not None:
                self._to_take.discard(call_id)
                self._to_give.add(call_id)
                self._cond.notify_all()

    def refresh(self, call_id: int | None = None) -> None:
        """Read again now who else is in ``call_id`` (None: in every call held)."""
        with self._cond:
            self._to_read |= {call_id} if call_id is not None else set(self._held)
            self._cond.notify_all()

    def wait_round(self, timeout: float) -> bool:
        """For tests: wait until the thread has done one more round of work."""
        with self._cond:
            target = self.rounds + 1
            return self._cond.wait_for(lambda: self.rounds >= target, timeout)

    def close(self, wait_s: float = 2.0) -> None:
        """Give back every lease (this desk leaves its calls) and stop."""
        with self._cond:
            self._closed = True
            self._to_give |= set(self._held)
            self._held.clear()
            self._cond.notify_all()
        self._thread.join(wait_s)

    @property
    def closed(self) -> bool:
        return self._closed

    def _run(self) -> None:
        beat_at = 0.0
        while True:
            with self._cond:
                now = time.monotonic()
                if not (self._to_take or self._to_give or self._to_read or self._closed or now >= beat_at):
                    self._cond.wait(max(0.0, beat_at - now))
                    continue
                beat = time.monotonic() >= beat_at
                take_ids, self._to_take = set(self._to_take), set()
                give_ids, self._to_give = set(self._to_give), set()
                read_ids, self._to_read = set(self._to_read), set()
                held = dict(self._held)
                closing = self._closed
            if beat:
                beat_at = time.monotonic() + self.heartbeat_s
                read_ids |= set(held)
            self._round(held, take_ids, give_ids, read_ids, beat)
            with self._cond:
                self.rounds += 1
                self._cond.notify_all()
            if closing:
                return

    def _round(
        self,
        held: dict[int, tuple[int | None, str, Seen]],
        take_ids: set[int],
        give_ids: set[int],
        read_ids: set[int],
        beat: bool,
    ) -> None:
        try:
            if self.writes:
                self._write(held, take_ids, give_ids, beat)
            self._tell(held, read_ids)
            self.problem = None
        except Exception as exc:  # noqa: BLE001 - a busy or lost database: tried at the next beat
            if self.problem is None:
                log.warning("presence: the database did not answer (%s); trying at the next beat", exc)
            self.problem = str(exc)
            with self._cond:  # taken again at the next round
                self._to_take |= {c for c in take_ids if c in self._held}
                self._to_give |= give_ids - set(self._held)

    def _write(
        self,
        held: dict[int, tuple[int | None, str, Seen]],
        take_ids: set[int],
        give_ids: set[int],
        beat: bool,
    ) -> None:
        give_back(self.ctx, self.desk, give_ids)
        for call_id in take_ids & set(held):
            person_id, holder, _seen = held[call_id]
            take(self.ctx, call_id, self.desk, person_id, holder)
        renewing = [c for c in held if c not in take_ids]
        if beat and renewing:
            with transaction(self.ctx.sessions) as s:
                kept = renew(s, self.desk, renewing)
            if kept < len(renewing):  # a row went (removed as stale after a long pause): again
                with self._cond:
                    self._to_take |= {c for c in renewing if c in self._held}
                    self._cond.notify_all()

    def _tell(self, held: dict[int, tuple[int | None, str, Seen]], read_ids: set[int]) -> None:
        wanted = [c for c in read_ids if c in held]
        if not wanted:
            return
        others = others_in(self.ctx, wanted, self.desk, lease_s=self.lease_s)
        for call_id in wanted:
            with self._cond:
                still = self._held.get(call_id)
            if still is None:
                continue
            try:
                still[2]([p for p in others if p.call_id == call_id])
            except Exception:  # noqa: BLE001 - a window gone meanwhile: the others are still told
                log.debug("presence: telling the window of call %s failed", call_id, exc_info=True)


_keepers: dict[int, tuple[weakref.ref[AppContext], Keeper]] = {}


def keeper(ctx: AppContext) -> Keeper:
    """``ctx``'s keeper, started on first use and stopped (its leases given back) by ``ctx.close()``."""
    found = _keepers.get(id(ctx))
    if found is not None and found[0]() is ctx and not found[1].closed:
        return found[1]
    kept = Keeper(ctx)
    key = id(ctx)
    _keepers[key] = (weakref.ref(ctx), kept)

    def stop() -> None:
        kept.close()
        if _keepers.get(key, (None, None))[1] is kept:
            del _keepers[key]

    ctx.on_close(stop)
    return kept
