"""Is SQLite's write-ahead log (the ``-wal`` file beside the database) whole? Read here without
SQLite, before SQLite opens the database: from a damaged frame on, SQLite silently ignores the
log and later overwrites it, and the changes in it are gone without a word.

The format (https://www.sqlite.org/fileformat2.html#walformat): a 32-byte header, then frames
of a 24-byte header and one page each. Header and frame headers are big-endian. Every frame
carries the header's two salts and a checksum that runs on from the previous frame's (the first
from the header's); a frame whose commit field is not zero ends a transaction. SQLite uses the
frames up to the last commit whose whole chain checks, and ignores the rest.

What is *not* damage: whole frames after the last commit that no commit follows (a transaction
still being written when the app stopped: it never committed, nothing saved is lost), and frames
with other salts after the current ones (left from an earlier round through the file, which
SQLite reuses from the start after a checkpoint). What is: a frame of the current round that
fails its checksum, or whose salts are wrong while current frames follow (the saved changes from
there on are dropped); a header that fails its own checksum while frames follow (the whole log
is dropped); a file cut short inside a frame of the current round.

A kill between SQLite's two writes of a frame (its header, then its page) leaves the header
alone at the end: that is an interrupted write, not damage. A log cut exactly at a frame
boundary cannot be told from a shorter whole one.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC = 0x377F0682  # the low bit set (0x377F0683): the checksums read words big-endian
VERSION = 3007000
HEADER = 32
FRAME_HEADER = 24
_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class WalReport:
    """What the log holds and, when it is damaged, what SQLite will drop."""

    path: Path
    size: int
    page_size: int = 0  # 0: no readable header
    frames: int = 0  # whole frames in the file (of any round)
    commits: int = 0  # transactions SQLite will apply
    lost_commits: int = 0  # saved transactions after the damage, which SQLite will drop
    problem: str | None = None  # None: whole

    @property
    def damaged(self) -> bool:
        return self.problem is not None


def checksum(data: bytes, big_endian: bool, s0: int = 0, s1: int = 0) -> tuple[int, int]:
    """SQLite's WAL checksum of ``data`` (a multiple of 8 bytes), running on from (s0, s1)."""
    for a, b in struct.iter_unpack(">II" if big_endian else "<II", data):
        s0 = (s0 + a + s1) & _MASK
        s1 = (s1 + b + s0) & _MASK
    return s0, s1


@dataclass(frozen=True)
class _Header:
    big_endian: bool
    page_size: int
    salts: bytes
    checksum: tuple[int, int]


def _read_header(head: bytes) -> _Header | str:
    magic, version, page_size, _seq = struct.unpack(">IIII", head[:16])
    if magic & ~1 != MAGIC:
        return "its header is not a write-ahead log header"
    big_endian = bool(magic & 1)
    stored = struct.unpack(">II", head[24:32])
    if checksum(head[:24], big_endian) != stored:
        return "its header fails its checksum"
    if version != VERSION or page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        return f"its header names an unknown format ({version}, pages of {page_size} bytes)"
    return _Header(big_endian, page_size, head[16:24], stored)


def _frame_headers(data: bytes, page_size: int) -> list[tuple[int, int, bytes]]:
    """(page number, commit field, salts) of each whole frame."""
    size = FRAME_HEADER + page_size
    out = []
    for offset in range(HEADER, len(data) - size + 1, size):
        page, commit = struct.unpack_from(">II", data, offset)
        out.append((page, commit, data[offset + 8 : offset + 16]))
    return out


def _count_commits(frames: list[tuple[int, int, bytes]], salts: bytes, start: int, end: int) -> int:
    return sum(1 for _p, commit, s in frames[start:end] if commit and s == salts)


def read_wal(path: Path) -> WalReport:
    """Check the log at ``path`` (a missing or empty file is whole: there is nothing in it)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return WalReport(path, 0)
    if not data:
        return WalReport(path, 0)
    if len(data) < HEADER:
        return WalReport(
            path, len(data), problem=f"it is cut short ({len(data)} bytes, shorter than its header)"
        )
    header = _read_header(data[:HEADER])
    if isinstance(header, str):
        return _unreadable(path, data, header)
    frames = _frame_headers(data, header.page_size)
    return _check_frames(path, data, header, frames)


def _unreadable(path: Path, data: bytes, problem: str) -> WalReport:
    """A bad header: SQLite drops the whole log. The frames are counted as well as the header's
    page size still allows (when that field is what was damaged, they cannot be)."""
    page_size = struct.unpack(">I", data[8:12])[0]
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        return WalReport(path, len(data), problem=problem, lost_commits=-1)
    frames = _frame_headers(data, page_size)
    if not frames:
        return WalReport(path, len(data))  # a header alone: nothing was in the log
    salts = frames[0][2]  # the first frame's: the header's own may be what was damaged
    lost = _count_commits(frames, salts, 0, len(frames))
    return WalReport(path, len(data), page_size, len(frames), 0, lost or -1, problem)


def _check_frames(
    path: Path, data: bytes, header: _Header, frames: list[tuple[int, int, bytes]]
) -> WalReport:
    """Follow the checksum chain up to the last frame of the current round. A whole frame that
    fails there is damage even after the last commit: a kill leaves no such frame (at most a
    frame header alone, see :func:`_check_tail`), while a flipped commit field would otherwise
    pass for an unfinished transaction.

    The frame after the last one with the header's salts is current too when its checksum runs
    on from the chain: its salts (which the checksum does not cover) are what was damaged, and
    SQLite drops it and all after it. A frame of an earlier round cannot chain so: its checksum
    ran on from another header's."""
    size = FRAME_HEADER + header.page_size
    last = max((i for i, (_p, _c, s) in enumerate(frames) if s == header.salts), default=-1)
    s0, s1 = header.checksum
    commits = 0
    for i in range(min(last + 2, len(frames))):
        offset = HEADER + i * size
        page, commit, salts = frames[i]
        s0, s1 = checksum(data[offset : offset + 8], header.big_endian, s0, s1)
        s0, s1 = checksum(data[offset + FRAME_HEADER : offset + size], header.big_endian, s0, s1)
        stored = struct.unpack_from(">II", data, offset + 16)
        if i > last and (s0, s1) != stored:
            break  # the frame after the current ones is from an earlier round (or none at all)
        if salts != header.salts or page == 0 or (s0, s1) != stored:
            lost = _count_commits(frames, header.salts, i + 1, last + 1) + (1 if commit else 0)
            lost = max(1, lost)  # at least the change this frame belonged to
            what = "fails its checksum" if salts == header.salts else "carries the wrong salts"
            return WalReport(
                path, len(data), header.page_size, len(frames), commits, lost, f"frame {i + 1} {what}"
            )
        commits += 1 if commit else 0
    report = WalReport(path, len(data), header.page_size, len(frames), commits)
    return _check_tail(report, data, header, size)


def _check_tail(report: WalReport, data: bytes, header: _Header, size: int) -> WalReport:
    """A partial frame at the end: damage when it is of the current round, unless it is a frame
    header alone (SQLite writes the header and the page separately; a kill between the two)."""
    rest = (len(data) - HEADER) % size
    if rest == 0 or rest == FRAME_HEADER:
        return report
    offset = len(data) - rest
    salts = data[offset + 8 : offset + 16] if rest >= 16 else None
    if salts is not None and salts != header.salts:
        return report  # a cut inside a frame left from an earlier round: nothing current lost
    if salts is None and report.frames and _last_salts(data, report.frames, size) != header.salts:
        return report
    return WalReport(
        report.path,
        report.size,
        report.page_size,
        report.frames,
        report.commits,
        -1,
        f"it is cut short inside frame {report.frames + 1}",
    )


def _last_salts(data: bytes, frames: int, size: int) -> bytes:
    offset = HEADER + (frames - 1) * size
    return data[offset + 8 : offset + 16]
