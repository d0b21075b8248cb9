"""The recovery journal: what was typed in a call, on disk before the database has it.

Every autosave of a call (a :class:`Save`: the whole text of one field, the reasons, one next
step...) is appended here first, then written to the database by a thread of its own
(``services/calls/writer.py``). The append is one ``pwrite`` into the page cache, which a killed
process cannot lose (~0.05 ms, so it stays on the GUI thread); a second thread ``fdatasync``s it
at once, against a power cut. A database locked by another program (an import holds the write
lock for seconds) or a full disk therefore never freezes typing nor widens what a crash loses:
what could not reach the database is kept here and offered back at the next start.

The file (``recovery.journal`` in the data folder, mode 0600) is one record a line::

    <crc32 of the JSON, 8 hex digits> <JSON>\\n

The first record is a header naming the journal's *generation*; every record carries it. A
reader takes records in order and stops at the first one that is torn (a crash mid-write), fails
its checksum, is all NULs, or belongs to another generation. Entries carry a sequence number;
a later entry with the same key (call and field) replaces an earlier one, and a ``done`` record
says that entry reached the database. So what is still owed to the database is, per key, the
latest entry unless it is done: a retyped field is never put back over newer text, and an entry
is never put back twice.

Space is reserved when the file is made (``RESERVE``, with ``posix_fallocate``) and reused: once
everything in it has reached the database, a new header (a new generation) is written at the
start, and what follows it is dead. Appends within the reservation need no new disk blocks, so
the journal keeps the words when the disk fills up and the database cannot take them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import secrets
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RESERVE = 1 << 20  # bytes kept for the journal: about 200 saves of a 5,000-character note
FORMAT = 1


@dataclass(frozen=True)
class Save:
    """One autosave: ``op`` with JSON ``args``, for ``call_id``. A later save with the same
    ``(call_id, key)`` replaces it; ``at`` is when it was typed (UTC, ISO)."""

    call_id: int
    key: str
    op: str
    args: Mapping[str, Any]
    at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @property
    def slot(self) -> str:
        """What this save replaces, across calls: ``"7/field:probe.their_story"``."""
        return f"{self.call_id}/{self.key}"


def field_save(call_id: int, stage: str, key: str, value: str, version: int | None = None) -> Save:
    """``version``: the note's version the window knew (0: none yet; None: save whatever is stored)."""
    args: dict[str, Any] = {"stage": stage, "key": key, "value": value}
    if version is not None:
        args["version"] = version
    return Save(call_id, f"field:{stage}.{key}", "field", args)


def reasons_save(call_id: int, primary_id: int | None, other_ids: Sequence[int]) -> Save:
    return Save(call_id, "reasons", "reasons", {"primary": primary_id, "others": list(other_ids)})


def offers_save(call_id: int, option_ids: Sequence[int], free_text: Sequence[str]) -> Save:
    return Save(call_id, "offers", "offers", {"options": list(option_ids), "texts": list(free_text)})


def action_save(call_id: int, action_id: int, changes: Mapping[str, Any], version: int | None = None) -> Save:
    args = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in changes.items()}
    if version is not None:
        args["version"] = version
    return Save(call_id, f"action:{action_id}", "action", {"id": action_id, **args})


def delete_action_save(call_id: int, action_id: int) -> Save:
    return Save(call_id, f"action:{action_id}", "delete_action", {"id": action_id})


def stage_save(call_id: int, stage: str) -> Save:
    return Save(call_id, "stage", "stage", {"stage": stage})


@dataclass(frozen=True)
class Entry:
    """A save as kept in the journal, with its sequence number."""

    seq: int
    save: Save


def _record(payload: Mapping[str, Any]) -> bytes:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"%08x %s\n" % (zlib.crc32(body), body)


def _parse(line: bytes) -> dict[str, Any] | None:
    if len(line) < 10 or line[8:9] != b" ":
        return None
    body = line[9:]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        payload = json.loads(body.decode("utf-8"))
    except ValueError:  # not hex, not UTF-8, not JSON: torn or damaged
        return None
    return payload if isinstance(payload, dict) else None


@dataclass
class Contents:
    """What a journal file holds: where its valid records end, its generation, the entries
    still owed to the database (the latest per key, not done), and the highest sequence."""

    end: int = 0
    gen: str = ""
    owed: dict[str, Entry] = field(default_factory=dict)
    last_seq: int = 0


def read(data: bytes) -> Contents:
    """Parse journal bytes; stops at the first record that is torn, damaged or stale."""
    out = Contents()
    latest: dict[str, Entry] = {}
    done: set[int] = set()
    pos = 0
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        rec = _parse(data[pos:nl])
        if rec is None:
            break
        if not out.gen:
            if rec.get("header") != FORMAT or not isinstance(rec.get("gen"), str):
                break
            out.gen = rec["gen"]
        elif rec.get("gen") != out.gen:
            break  # a record of an earlier generation, after the live ones
        elif "done" in rec:
            done.add(int(rec["done"]))
        elif "seq" in rec:
            try:
                save = Save(
                    int(rec["call"]), str(rec["key"]), str(rec["op"]), dict(rec["args"]), str(rec["at"])
                )
                entry = Entry(int(rec["seq"]), save)
            except (KeyError, TypeError, ValueError):  # whole and checksummed, but not ours
                break
            out.last_seq = max(out.last_seq, entry.seq)
            if entry.save.slot not in latest or latest[entry.save.slot].seq < entry.seq:
                latest[entry.save.slot] = entry
        pos = nl + 1
    out.end = pos if out.gen else 0
    out.owed = {slot: e for slot, e in latest.items() if e.seq not in done}
    return out


class Journal:
    """The journal file, shared by the GUI thread (appends) and the writer thread (done marks,
    resets); one lock orders them. Opening never raises: an unusable file (a read-only folder)
    leaves :attr:`error` set and :meth:`append` reporting it."""

    def __init__(self, path: Path, reserve: int | None = None):
        self.path, self.reserve = path, RESERVE if reserve is None else reserve
        self.error: str | None = None
        self.recovered: list[Entry] = []  # owed by an earlier session: see take_recovered()
        self._lock = threading.RLock()
        self._synced = threading.Condition(self._lock)
        self._fd: int | None = None
        self._gen, self._end, self._seq = "", 0, 0
        self._header_end = 0  # where the first entry of this generation goes
        self._owed: dict[str, int] = {}  # slot -> the sequence number of its latest entry
        self._written = self._flushed = 0  # appends made / appends known to be on the platter
        self._closing = False
        try:
            self._open()
        except OSError as exc:
            self.error = f"the recovery journal {path} cannot be written: {exc.strerror or exc}"
            log.warning("%s", self.error)
            self._close_fd()
            return
        self._syncer = threading.Thread(target=self._sync_loop, name="journal-sync", daemon=True)
        self._syncer.start()

    # -- opening -------------------------------------------------------------------------------
    def _open(self) -> None:
        existed = self.path.exists()
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.fchmod(self._fd, 0o600)
        size = os.fstat(self._fd).st_size
        contents = read(os.pread(self._fd, size, 0)) if size else Contents()
        self._seq = contents.last_seq
        self.recovered = sorted(contents.owed.values(), key=lambda e: e.seq)
        self._owed = {slot: e.seq for slot, e in contents.owed.items()}
        if contents.gen:
            self._gen, self._end = contents.gen, contents.end
            self._header_end = len(_record({"header": FORMAT, "gen": self._gen}))
        else:
            self._new_generation()
        if size < self.reserve:
            try:
                os.posix_fallocate(self._fd, 0, self.reserve)
            except OSError as exc:  # a full disk, or a file system without it: grow as written
                log.warning("no space reserved for the recovery journal %s: %s", self.path, exc)
        if not existed:
            _fsync_dir(self.path.parent)

    def _new_generation(self) -> None:
        assert self._fd is not None
        self._gen = secrets.token_hex(6)
        header = _record({"header": FORMAT, "gen": self._gen})
        os.pwrite(self._fd, header, 0)
        os.fdatasync(self._fd)
        self._end = self._header_end = len(header)

    # -- writing -------------------------------------------------------------------------------
    def append(self, saves: Sequence[Save]) -> tuple[list[int], str | None]:
        """Give each save its sequence number and write it; returns the numbers and, when the
        file could not take them, why not (they are then only in memory)."""
        with self._lock:
            seqs = list(range(self._seq + 1, self._seq + 1 + len(saves)))
            self._seq += len(saves)
            for seq, save in zip(seqs, saves, strict=True):
                self._owed[save.slot] = seq
            if self._fd is None:
                return seqs, self.error or "the recovery journal is closed"
            data = b"".join(
                _record(
                    {"gen": self._gen, "seq": seq, "call": s.call_id, "key": s.key, "op": s.op}
                    | {"args": dict(s.args), "at": s.at}
                )
                for seq, s in zip(seqs, saves, strict=True)
            )
            try:
                _pwrite_all(self._fd, data, self._end)
            except OSError as exc:
                # What reached the file is whole records with these numbers, or torn bytes a
                # reader stops at; the next append writes over them from the same place.
                why = _append_problem(self.path, self.reserve, exc)
                log.warning("%s", why)
                return seqs, why
            self._end += len(data)
            self._written += 1
            self._synced.notify_all()
            return seqs, None

    def done(self, save: Save, seq: int) -> None:
        """``save`` (numbered ``seq``) is in the database: mark it, or start a new generation
        when nothing else is owed. Called off the GUI thread: it waits for the disk, but never
        while holding the lock an append needs."""
        with self._lock:
            if self._owed.get(save.slot) != seq:
                return  # a newer entry with this key is owed: that one counts, this one is dead
            del self._owed[save.slot]
            fd = self._mark_or_reset(seq)
        self._sync(fd)

    def discard(self, entries: Sequence[Entry]) -> None:
        """The user kept these elsewhere (a file): the database is no longer owed them."""
        fd = None
        with self._lock:
            for entry in entries:
                if self._owed.get(entry.save.slot) == entry.seq:
                    del self._owed[entry.save.slot]
                    fd = self._mark_or_reset(entry.seq) or fd
        self._sync(fd)

    def _mark_or_reset(self, seq: int) -> int | None:
        """Under the lock: write the done record, or a new header when nothing is owed; the
        file to sync afterwards, if anything was written."""
        if self._fd is None:
            return None
        try:
            if self._owed:
                record = _record({"gen": self._gen, "done": seq})
                _pwrite_all(self._fd, record, self._end)
                self._end += len(record)
            elif self._end > self._header_end:
                self._gen = secrets.token_hex(6)
                header = _record({"header": FORMAT, "gen": self._gen})
                os.pwrite(self._fd, header, 0)  # what follows it is of the old generation: dead
                self._end = self._header_end = len(header)
                if os.fstat(self._fd).st_size > 4 * self.reserve:  # an outage made it grow
                    os.ftruncate(self._fd, self.reserve)
            else:
                return None
        except OSError as exc:
            # Not marked: the entry may be put back once more, with the text it already has
            # in the database.
            log.warning("recovery journal %s not updated: %s", self.path, exc)
            return None
        return self._fd

    def _sync(self, fd: int | None) -> None:
        if fd is not None:
            try:
                os.fdatasync(fd)
            except OSError as exc:
                log.warning("recovery journal %s not synced: %s", self.path, exc)

    def owed_slots(self) -> dict[str, int]:
        with self._lock:
            return dict(self._owed)

    # -- syncing -------------------------------------------------------------------------------
    def _sync_loop(self) -> None:
        while True:
            with self._lock:
                while self._flushed == self._written and not self._closing:
                    self._synced.wait()
                if self._closing and self._flushed == self._written:
                    return
                fd, target = self._fd, self._written
            if fd is None:
                return
            try:
                os.fdatasync(fd)
            except OSError as exc:  # the page cache still has it: a killed app loses nothing
                log.warning("recovery journal %s not synced: %s", self.path, exc)
            with self._lock:
                self._flushed = max(self._flushed, target)
                self._synced.notify_all()

    def wait_synced(self, timeout: float) -> bool:
        """Until every append so far is on the platter (tests; a clean close)."""
        with self._lock:
            return self._synced.wait_for(lambda: self._flushed >= self._written, timeout)

    def close(self) -> None:
        with self._lock:
            self._closing = True
            self._synced.notify_all()
        if self._fd is not None and hasattr(self, "_syncer"):
            self._syncer.join(timeout=5)
        with self._lock:
            self._close_fd()

    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def _append_problem(path: Path, reserve: int, exc: OSError) -> str:
    """Why an append failed, in words: a full disk names the disk and the used-up reserve."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"the disk holding {path.parent} is full and the recovery journal {path} has used up "
            f"the {reserve // 1024} KiB kept for it"
        )
    return f"the recovery journal {path} cannot be written: {exc.strerror or exc}"


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def owed(path: Path) -> list[Entry]:
    """What the journal at ``path`` still owes the database, oldest first (read-only)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    return sorted(read(data).owed.values(), key=lambda e: e.seq)
