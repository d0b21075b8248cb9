"""Call notes reach the database off the GUI thread, by way of the recovery journal.

The call window hands each autosave to :meth:`NotesWriter.submit`: it is appended to the journal
(``services/calls/journal.py``) at once, and a thread of the writer's own writes it to the
database with the ordinary services (``calls.lifecycle``). When another program holds the write
lock (an import: 4-5 s for 160,000 rows), that thread waits out the busy timeout and tries again
every ``RETRY_S``, while typing goes on and every save is already on disk in the journal. Saves
with the same key replace each other in the queue, so the database gets the latest text.

A note or a next step is saved over the version its window knew (``services/calls/saves.py``);
once this writer has saved a key it knows the newer version itself. A save that meets someone
else's change is not retried: it is *parked* (still in the journal, still on screen) as a
:class:`~winback_desktop.services.conflicts.Conflict` until the caller chooses
(:meth:`NotesWriter.resolve`); more typing in that field while it waits updates what is parked.

One writer per open database (:func:`notes_writer`), stopped when its context closes. What it
has written is reported to the context's listeners on the thread that reads them (the GUI's
bridge calls :meth:`NotesWriter.take_changes`), never from the writer's own thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from winback_desktop.services.calls.journal import Entry, Journal, Save
from winback_desktop.services.changes import Change
from winback_desktop.services.conflicts import Choice, Conflict, Stale, both, resolved_text

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext
    from winback_desktop.services.dto import CallDetail

log = logging.getLogger(__name__)

RETRY_S = 0.5  # between attempts while the database refuses: well within the second a crash may lose


@dataclass(frozen=True)
class CallState:
    """Where one call's saves are: how many are owed to the database, why the last attempt
    failed (while failing), and when one last reached it (local time)."""

    pending: int
    problem: str | None
    saved_at: dt.datetime | None
    conflicts: int = 0  # saves parked: someone else changed what they would overwrite


_NO_VERSION: Any = object()


def apply(ctx: AppContext, save: Save, version: int | None = _NO_VERSION) -> int | None:
    """Write ``save`` to the database with the service that owns it, over ``version`` (default:
    the one the save names); returns the new version of a note or a next step, else None."""
    from winback_desktop.services.calls import lifecycle as calls

    a = save.args
    if version is _NO_VERSION:
        version = a.get("version")
    if save.op == "field":
        return calls.save_field(ctx, save.call_id, a["stage"], a["key"], a["value"], version)
    elif save.op == "reasons":
        calls.set_reasons(ctx, save.call_id, a["primary"], list(a["others"]))
    elif save.op == "offers":
        calls.set_offers(ctx, save.call_id, list(a["options"]), list(a["texts"]))
    elif save.op == "action":
        changes = {k: v for k, v in a.items() if k not in ("id", "version")}
        if changes.get("due_date"):
            changes["due_date"] = dt.date.fromisoformat(changes["due_date"])
        return calls.update_action(ctx, a["id"], version, **changes)
    elif save.op == "delete_action":
        calls.delete_action(ctx, a["id"])
    elif save.op == "stage":
        calls.set_stage(ctx, save.call_id, a["stage"])
    else:
        raise ValueError(f"unknown kind of save: {save.op!r}")
    return None


VERSIONED_OPS = ("field", "action")  # the saves that name a version, and may meet a conflict


def resolved_save(save: Save, conflict: Conflict, choice: Choice) -> Save:
    """The save that makes ``choice`` over the stored version (not for THEIRS: nothing to write)."""
    args = {**save.args, "version": conflict.version}
    if save.op == "field":
        args["value"] = resolved_text(conflict, choice)
    elif choice is Choice.BOTH:  # a next step: both texts; owner and due date as typed here
        args["what"] = both(str(conflict.stored.get("what", "")), str(save.args.get("what", "")))
    return dataclasses.replace(save, args=args, at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def is_full_disk(exc: BaseException, ctx: AppContext | None = None) -> bool:
    """Did the write fail because the disk holding the database is full (or over its quota)?"""
    from winback_desktop.store.errors import Problem, known_problem

    known = known_problem(exc, ctx.paths.database if ctx is not None else None)
    return known is not None and known.problem is Problem.DISK_FULL


def why_not_saved(exc: BaseException, ctx: AppContext | None = None) -> tuple[str, bool]:
    """Why a write failed, in plain words, and whether it is a known problem (a busy database, a
    full or read-only disk...) rather than a bug."""
    from winback_desktop.store.errors import Problem, known_problem

    known = known_problem(exc, ctx.paths.database if ctx is not None else None)  # the disk named
    if known is None:
        text = str(getattr(exc, "orig", None) or exc)
        return (text.splitlines()[0][:120] if text else type(exc).__name__), False
    if ctx is not None and ctx.paths.on_server:  # the server's problems name their host
        return known.short, True
    where = f" ({ctx.paths.database})" if ctx is not None else ""
    words = {
        Problem.LOCKED: f"the database is busy: {lock_holder(ctx)} is writing to it",
        Problem.DISK_FULL: f"the disk holding the database{where} is full",
        Problem.READ_ONLY: f"the database{where} cannot be written: it is read-only",
        Problem.DISK_ERROR: f"the disk holding the database{where} reported an error",
        Problem.DAMAGED: f"the database file{where} is damaged",
        Problem.NOT_A_DATABASE: f"the database file{where} is damaged",
        Problem.CANNOT_OPEN: f"the database file{where} cannot be opened",
        Problem.OUT_OF_MEMORY: "the computer is out of memory",
    }
    return words.get(known.problem, known.detail.splitlines()[0][:120] if known.detail else "unknown"), True


def lock_holder(ctx: AppContext | None) -> str:
    """Who holds the database's write lock, in words: the program when it can be told."""
    from winback_desktop.store.integrity import write_lock_holder

    holder = write_lock_holder(ctx.paths.database) if ctx is not None else None
    return f"another program ({holder})" if holder else "another program"


class NotesWriter:
    """The journal and the thread that empties it into the database, for one context."""

    def __init__(self, ctx: AppContext, *, retry_s: float = RETRY_S):
        from winback_desktop.services.context import AppContext

        self.retry_s = retry_s
        self.hub = ctx.changes  # told of what was written, on the reader's thread
        # The thread's own context: same database, its own listeners (they only collect).
        self._ctx = AppContext(paths=ctx.paths, engine=ctx.engine, sessions=ctx.sessions, script=ctx.script)
        self._ctx.changes.subscribe(self._heard)
        self.paths = ctx.paths
        self.journal = Journal(ctx.paths.journal)
        self.journal_problem: str | None = self.journal.error  # the last append that failed
        self._cond = threading.Condition()
        self._pending: dict[str, Entry] = {}  # slot -> the latest entry owed to the database
        self._unjournaled: set[str] = set()  # slots whose latest entry is only in memory
        self._problems: dict[int, str] = {}  # call id -> why its last attempt failed
        self._full: str | None = None  # why the last attempt failed when it was a full disk
        self._saved_at: dict[int, dt.datetime] = {}
        self._versions: dict[str, int] = {}  # slot -> the version this writer last saved it at
        self._conflicts: dict[str, tuple[Entry, Conflict]] = {}  # slot -> its parked save
        self._changes: set[Change] = set()
        self._listeners: list[Callable[[], None]] = []
        self._last_logged: str | None = None
        self._closed = False
        self._poked = False  # retry_now() was asked: no pause before the next attempt
        self._thread = threading.Thread(target=self._run, name="notes-writer", daemon=True)
        self._thread.start()

    # -- the GUI thread's side ---------------------------------------------------------------
    def submit(self, saves: Sequence[Save]) -> str | None:
        """Queue ``saves`` for the database and append them to the journal; returns why the
        journal could not keep them (they are then only in memory until written), or None."""
        if not saves:
            return None
        with self._cond:
            slots = {s.slot for s in saves}
            retry = [
                self._pending[s].save for s in self._unjournaled if s not in slots and s in self._pending
            ]
            batch = [*retry, *saves]
            seqs, problem = self.journal.append(batch)
            for seq, save in zip(seqs, batch, strict=True):
                parked = self._conflicts.get(save.slot)
                if parked is not None and save.op in VERSIONED_OPS:  # waits for the caller's choice
                    mine = save.args.get("value", parked[1].mine) if save.op == "field" else parked[1].mine
                    self._conflicts[save.slot] = (Entry(seq, save), parked[1].typed(str(mine)))
                    continue
                self._conflicts.pop(save.slot, None)  # a delete of a next step ends its conflict
                self._pending[save.slot] = Entry(seq, save)
            if problem is None:
                self._unjournaled.clear()
            else:
                self._unjournaled.update(s.slot for s in batch)
            self.journal_problem = problem
            self._cond.notify_all()
        return problem

    def put_back(self, entries: Iterable[Entry]) -> None:
        """Entries an earlier session left in the journal: write them now (they are already in
        the journal, under their own numbers; a newer save of the same key wins)."""
        with self._cond:
            for entry in entries:
                current = self._pending.get(entry.save.slot)
                if current is None or current.seq < entry.seq:
                    self._pending[entry.save.slot] = entry
            self._cond.notify_all()

    def discard(self, entries: Sequence[Entry]) -> None:
        """The user kept these elsewhere: the database is no longer owed them."""
        self.journal.discard(entries)

    def recovered(self) -> list[Entry]:
        """What an earlier session left owed in the journal, not yet put back or discarded."""
        owed = self.journal.owed_slots()
        with self._cond:
            queued = {slot: e.seq for slot, e in self._pending.items()}
            queued.update((slot, e.seq) for slot, (e, _c) in self._conflicts.items())
        return [
            e
            for e in self.journal.recovered
            if owed.get(e.save.slot) == e.seq and queued.get(e.save.slot) != e.seq
        ]

    def state(self, call_id: int) -> CallState:
        with self._cond:
            pending = sum(1 for e in self._pending.values() if e.save.call_id == call_id)
            parked = sum(1 for e, _c in self._conflicts.values() if e.save.call_id == call_id)
            return CallState(pending, self._problems.get(call_id), self._saved_at.get(call_id), parked)

    def conflicts(self, call_id: int | None = None) -> dict[str, Conflict]:
        """The parked saves (of ``call_id``) by slot, oldest first: each waits for a choice."""
        with self._cond:
            parked = sorted(self._conflicts.items(), key=lambda kv: kv[1][0].seq)
        return {slot: c for slot, (e, c) in parked if call_id is None or e.save.call_id == call_id}

    def resolve(self, slot: str, choice: Choice) -> Conflict | None:
        """The caller chose for the save parked under ``slot``: MINE or BOTH is saved over the
        version stored now (journal first, as any save); THEIRS drops what was typed here.
        Returns the conflict resolved (None when nothing was parked there)."""
        with self._cond:
            parked = self._conflicts.pop(slot, None)
            if parked is None:
                return None
            entry, conflict = parked
            self._versions[slot] = max(conflict.version, self._versions.get(slot, 0))
        if choice is Choice.THEIRS:
            self.journal.done(entry.save, entry.seq)
            self._notify()
        else:
            self.submit([resolved_save(entry.save, conflict, choice)])
        return conflict

    def pending(self, call_id: int | None = None) -> list[Save]:
        with self._cond:
            entries = sorted(self._pending.values(), key=lambda e: e.seq)
        return [e.save for e in entries if call_id is None or e.save.call_id == call_id]

    def problem(self) -> str | None:
        """Why the database refuses saves now (the latest failure of any call), or None."""
        with self._cond:
            owed = {e.save.call_id for e in self._pending.values()}
            return next((p for c, p in self._problems.items() if c in owed), None)

    @property
    def disk_full(self) -> str | None:
        """Why the database refuses saves when the reason is a full disk (in words naming it),
        until a save reaches it again; None otherwise."""
        with self._cond:
            return self._full

    def retry_now(self) -> None:
        """Try the database again at once rather than after the pause (space was freed): the
        last full disk is forgotten until the next attempt meets it again."""
        with self._cond:
            self._full = None
            self._poked = True
            self._cond.notify_all()

    def wait(self, call_id: int | None = None, timeout: float = 2.0) -> bool:
        """Until everything (of ``call_id``) reached the database; False when ``timeout`` ran out."""

        def done() -> bool:
            return not any(call_id is None or e.save.call_id == call_id for e in self._pending.values())

        with self._cond:
            return self._cond.wait_for(done, timeout)

    def overlay(self, detail: CallDetail) -> CallDetail:
        """``detail`` as read from the database, with the saves still on their way to it: a call
        opened again while the database refuses them shows what was typed, not older text."""
        from winback_desktop.services.calls.lifecycle import CALL_COLUMNS, column_value

        answers, actions = dict(detail.answers), {a.id: a for a in detail.actions}
        columns: dict[str, Any] = {}
        stage = detail.current_stage
        with self._cond:
            parked = [e for e, _c in self._conflicts.values() if e.save.call_id == detail.id]
        for save in [*self.pending(detail.id), *(e.save for e in sorted(parked, key=lambda e: e.seq))]:
            a = save.args
            if save.op in ("reasons", "offers"):
                columns.update(self._chosen(save))
            elif save.op == "field" and a["key"] in CALL_COLUMNS:
                columns[a["key"]] = column_value(a["key"], a["value"])
            elif save.op == "field":
                answers[a["key"]] = a["value"]
            elif save.op == "stage":
                stage = a["stage"]
            elif save.op == "delete_action":
                actions.pop(a["id"], None)
            elif save.op == "action" and a["id"] in actions:
                due = dt.date.fromisoformat(a["due_date"]) if a.get("due_date") else None
                changes = {"what": a.get("what", ""), "owner_id": a.get("owner_id"), "due_date": due}
                actions[a["id"]] = dataclasses.replace(actions[a["id"]], **changes)
        return dataclasses.replace(
            detail, answers=answers, current_stage=stage, actions=list(actions.values()), **columns
        )

    def _chosen(self, save: Save) -> dict[str, Any]:
        """The reasons or the offers a pending save chose, as the call's detail holds them (the
        catalogue read only when such a save waits: rarely)."""
        from winback_desktop.services import catalogue
        from winback_desktop.services.dto import OfferInfo

        a = save.args
        if save.op == "reasons":
            by_id = {r.id: r for r in catalogue.reasons(self._ctx)}
            others = [by_id[i] for i in a["others"] if i in by_id and i != a["primary"]]
            return {"primary_reason": by_id.get(a["primary"]), "other_reasons": others}
        labels = {oid: label for oid, label, _d in catalogue.help_options(self._ctx)}
        offers = [OfferInfo(i, labels[i]) for i in a["options"] if i in labels]
        offers += [OfferInfo(None, t.strip()) for t in a["texts"] if t.strip()]
        return {"offers": offers}

    def listen(self, listener: Callable[[], None]) -> None:
        """``listener()`` is called (on the writer's thread) whenever a state may have changed."""
        with self._cond:
            self._listeners.append(listener)

    def unlisten(self, listener: Callable[[], None]) -> None:
        with self._cond:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def take_changes(self) -> frozenset[Change]:
        """What was written since last asked; the reader reports it to the screens."""
        with self._cond:
            kinds, self._changes = frozenset(self._changes), set()
        return kinds

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, timeout: float = 2.0) -> None:
        """Stop: what is still owed stays in the journal, for the next start."""
        with self._cond:
            self._closed = True
            self._listeners.clear()
            self._cond.notify_all()
        self._thread.join(timeout)
        if self._thread.is_alive():  # inside a busy wait: it ends with the process
            log.warning("the notes writer is still waiting for the database; the journal keeps its saves")
        self.journal.close()

    # -- the writer's thread -------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or bool(self._pending))
                if self._closed:
                    return
                batch = sorted(self._pending.values(), key=lambda e: e.seq)
            if not self._write(batch):
                with self._cond:
                    self._cond.wait_for(lambda: self._closed or self._poked, self.retry_s)
                    self._poked = False

    def _write(self, batch: Sequence[Entry]) -> bool:
        """Write ``batch`` in order; False after the first known problem (the database refuses
        everything then: a busy wait per save would only add up)."""
        all_written = True
        for entry in batch:
            slot, call_id = entry.save.slot, entry.save.call_id
            with self._cond:
                if self._closed:
                    return False
                if self._pending.get(slot) is not entry:
                    continue  # replaced by a newer save: that one is written next round
            try:
                version = apply(self._ctx, entry.save, self._expected(entry.save))
            except Stale as stale:  # someone else changed it: parked for the caller, not retried
                self._park(entry, stale.conflict)
                continue
            except Exception as exc:  # noqa: BLE001 - kept owed (journal and memory), retried
                why, known = why_not_saved(exc, self._ctx)
                full = known and is_full_disk(exc, self._ctx)
                with self._cond:
                    self._full = why if full else None
                self._failed(call_id, why, exc, known)
                if known:
                    return False
                all_written = False
                continue
            with self._cond:
                if self._pending.get(slot) is entry:
                    del self._pending[slot]
                    self._unjournaled.discard(slot)
                if version is not None:
                    self._versions[slot] = version
                self._problems.pop(call_id, None)
                self._full = None
                self._saved_at[call_id] = dt.datetime.now()
                self._cond.notify_all()
            self.journal.done(entry.save, entry.seq)
            if self._last_logged is not None and not self._problems:
                log.info("notes reach the database again")
                self._last_logged = None
            self._notify()
        return all_written

    def _expected(self, save: Save) -> int | None:
        """The version to save ``save`` over: the one its window knew, or the newer one this
        writer saved it at since (versions only grow), or None when the save names none."""
        known = save.args.get("version")
        if known is None or save.op not in VERSIONED_OPS:
            return None
        with self._cond:
            return max(int(known), self._versions.get(save.slot, 0))

    def _park(self, entry: Entry, conflict: Conflict) -> None:
        """Keep ``entry`` (and any newer save of its key) for the caller's choice."""
        slot = entry.save.slot
        with self._cond:
            newest = self._pending.get(slot, entry)
            if newest.save.op not in VERSIONED_OPS:  # a next step deleted meanwhile: that goes on
                return
            self._pending.pop(slot, None)
            self._unjournaled.discard(slot)
            if newest is not entry and newest.save.op == "field":
                conflict = conflict.typed(str(newest.save.args.get("value", conflict.mine)))
            self._conflicts[slot] = (newest, conflict)
            self._problems.pop(entry.save.call_id, None)
            self._cond.notify_all()
        log.info("call %s: %s", entry.save.call_id, Stale(conflict))
        self._notify()

    def _failed(self, call_id: int, why: str, exc: Exception, known: bool) -> None:
        with self._cond:
            self._problems[call_id] = why
        if why != self._last_logged:  # once per problem, not every half second
            self._last_logged = why
            if known:
                log.warning("notes not saved yet (kept in %s): %s", self.journal.path, why)
            else:
                log.error("notes not saved yet (kept in %s)", self.journal.path, exc_info=exc)
        self._notify()

    def _heard(self, kinds: frozenset[Change]) -> None:
        with self._cond:
            self._changes.update(kinds)

    def _notify(self) -> None:
        with self._cond:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener()
            except Exception:  # noqa: BLE001 - a listener gone (its window closed) stops nothing
                log.debug("a notes-writer listener failed", exc_info=True)


_writers: dict[int, tuple[weakref.ref[AppContext], NotesWriter]] = {}


def notes_writer(ctx: AppContext) -> NotesWriter:
    """The writer of ``ctx``'s database, started on first use and stopped by ``ctx.close()``."""
    found = _writers.get(id(ctx))
    if found is not None and found[0]() is ctx and not found[1].closed:
        return found[1]
    writer = NotesWriter(ctx)
    key = id(ctx)
    _writers[key] = (weakref.ref(ctx), writer)

    def stop() -> None:
        writer.close()
        if _writers.get(key, (None, None))[1] is writer:
            del _writers[key]

    ctx.on_close(stop)
    return writer
