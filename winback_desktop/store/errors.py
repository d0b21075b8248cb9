"""The user's problem or a bug? Decided once, here, at the storage boundary.

A database error is either a *known problem* the user can act on (another program holds the
lock, the disk is full, the file is read-only, not a database, or damaged) or a *bug* (a broken
constraint, bad SQL): the first becomes a message, the second keeps its traceback. After
qutebrowser's ``misc/sql.py`` (``KnownError`` / ``BugError``), sorted by SQLite's result code,
which Python 3.11+ puts on every ``sqlite3.Error`` it raises. Errors without one (another
driver, an error built by hand) are sorted by their DB-API class: operational and interface
errors are known problems, the rest are bugs.

The disk is asked too: SQLite says "disk I/O error" or "unable to open database file" when the
disk is full or read-only, so those codes (and ``OSError``'s ENOSPC, EROFS, EACCES...) are
named by what the folder really is (``store/disk.py``), in words that name the folder or file.
"""

from __future__ import annotations

import errno
import re
import sqlite3
from enum import StrEnum
from pathlib import Path

from sqlalchemy import exc as sa_exc

from winback_desktop.store import disk


class Problem(StrEnum):
    LOCKED = "locked"
    READ_ONLY = "read_only"
    DISK_FULL = "disk_full"
    NOT_A_DATABASE = "not_a_database"
    NOT_OURS = "not_ours"  # a SQLite database of another program
    LINKED = "linked"  # the database file is a symbolic link: refused (store/disk.py)
    DAMAGED = "damaged"
    CANNOT_OPEN = "cannot_open"
    DISK_ERROR = "disk_error"
    OUT_OF_MEMORY = "out_of_memory"
    UNAVAILABLE = "unavailable"  # a server down or gone, or an operational error with no code


class KnownError(Exception):
    """A problem the user can act on. ``detail`` is the driver's (or the system's) own words;
    ``message`` says what is wrong and where, naming the file, the folder or the disk."""

    def __init__(self, problem: Problem, detail: str, message: str | None = None, short: str | None = None):
        self.problem, self.detail = problem, detail
        self.message = message or detail
        self.short = short or self.message  # for a status line: what and where, no advice
        super().__init__(self.message)

    @property
    def sentence(self) -> str:
        """The message as a sentence, for a dialog."""
        text = self.message
        return (text[:1].upper() + text[1:]).rstrip(".") + "."


# What an except clause catches to ask known_problem(): SQLAlchemy's wrapped driver errors, the
# standard driver's own (the read-only checks and backups use it directly), and ours.
DATABASE_ERRORS: tuple[type[Exception], ...] = (sa_exc.DBAPIError, sqlite3.Error, KnownError)


# SQLite's primary result codes (https://sqlite.org/rescode.html) that are the user's to solve.
_SQLITE_PROBLEMS = {
    3: Problem.READ_ONLY,  # SQLITE_PERM: no permission for the file
    5: Problem.LOCKED,  # SQLITE_BUSY: another connection holds the lock
    6: Problem.LOCKED,  # SQLITE_LOCKED
    7: Problem.OUT_OF_MEMORY,  # SQLITE_NOMEM
    8: Problem.READ_ONLY,  # SQLITE_READONLY
    10: Problem.DISK_ERROR,  # SQLITE_IOERR: the disk failed or went away
    11: Problem.DAMAGED,  # SQLITE_CORRUPT
    13: Problem.DISK_FULL,  # SQLITE_FULL
    14: Problem.CANNOT_OPEN,  # SQLITE_CANTOPEN
    15: Problem.LOCKED,  # SQLITE_PROTOCOL: a locking race with another program
    22: Problem.DISK_ERROR,  # SQLITE_NOLFS: the file system cannot hold a file that large
    26: Problem.NOT_A_DATABASE,  # SQLITE_NOTADB
}


def _driver_error(exc: BaseException) -> BaseException:
    if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None:
        return exc.orig
    return exc


def known_problem(exc: BaseException, where: Path | None = None) -> KnownError | None:
    """The known problem behind ``exc``, or None when it is a bug: then re-raise it, e.g.

    ``except DATABASE_ERRORS as exc: known = known_problem(exc); if known is None: raise``

    ``where`` is the database file (or folder) in use: a full or read-only disk is then named
    as such, whatever SQLite called it.
    """
    if isinstance(exc, KnownError):
        return exc
    if isinstance(exc, OSError):
        return os_problem(exc, where)
    orig = _driver_error(exc)
    if type(orig).__module__.startswith("psycopg"):
        return server_problem(orig)
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        problem = _SQLITE_PROBLEMS.get(code & 0xFF)  # extended codes keep the primary one low
        if problem is None:
            return None
        known = _disk_problem(problem, str(orig), where) if problem in _ABOUT_THE_DISK else None
        if known is None and where is not None and problem in _NAMED:
            known = KnownError(problem, str(orig), _NAMED[problem].format(where=where, detail=orig))
        return known or KnownError(problem, str(orig))
    if isinstance(exc, sa_exc.DBAPIError):
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            return KnownError(Problem.UNAVAILABLE, str(orig))
        return None
    if isinstance(orig, sqlite3.OperationalError | sqlite3.InterfaceError):
        return KnownError(Problem.UNAVAILABLE, str(orig))
    return None


# The words for a problem with the file in use, naming it.
_NAMED = {
    Problem.DAMAGED: "the database {where} is damaged ({detail})",
    Problem.LOCKED: "another program is using the database {where} ({detail})",
    Problem.NOT_A_DATABASE: "{where} is not a database file ({detail})",
    Problem.CANNOT_OPEN: "the database {where} cannot be opened ({detail})",
    Problem.DISK_ERROR: "the disk failed reading or writing {where} ({detail})",
    Problem.READ_ONLY: "the database {where} cannot be written ({detail})",
}

# What SQLite says when the disk (not the file) is at fault: full, read-only, gone.
_ABOUT_THE_DISK = {Problem.READ_ONLY, Problem.DISK_FULL, Problem.DISK_ERROR, Problem.CANNOT_OPEN}


def _folder_of(where: Path) -> Path:
    return where if where.is_dir() else where.parent


def _disk_problem(problem: Problem, detail: str, where: Path | None) -> KnownError | None:
    """A disk error named by what the folder is: read-only, or full."""
    if where is None:
        return None
    folder = _folder_of(where)
    state = disk.probe(folder, None if where.is_dir() else where)
    if state.read_only:
        return KnownError(Problem.READ_ONLY, detail, state.read_only)
    if state.full or problem is Problem.DISK_FULL:
        return KnownError(Problem.DISK_FULL, detail, disk.full_disk(folder, state.free))
    return None


def os_problem(exc: OSError, where: Path | None = None) -> KnownError | None:
    """A full, read-only or failing disk behind an ``OSError``, named; None for other errors
    (a missing file, a folder given for a file...), whose own message already says it."""
    if isinstance(exc, disk.UnsafeDatabasePath):
        return KnownError(Problem.LINKED, exc.strerror or str(exc), exc.message)
    path = Path(exc.filename) if exc.filename else where
    detail = exc.strerror or str(exc)
    folder = _folder_of(path) if path is not None else None
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        if folder is not None and not exc.filename and not disk.probe(folder).full:
            folder = None  # a write with no file named (to another disk?): do not guess which
        if folder is None:
            return KnownError(Problem.DISK_FULL, detail, f"the disk is full ({detail})")
        if exc.errno == errno.EDQUOT:
            return KnownError(Problem.DISK_FULL, detail, f"the disk quota for {folder} is used up")
        return KnownError(Problem.DISK_FULL, detail, disk.full_disk(folder, disk.free_bytes(folder)))
    if exc.errno == errno.EROFS:
        where_text = f"the folder {folder}" if folder is not None else "the folder"
        return KnownError(Problem.READ_ONLY, detail, f"{where_text} is on a read-only disk")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return KnownError(Problem.READ_ONLY, detail, f"no permission to use {path}" if path else detail)
    if exc.errno == errno.EIO:
        return KnownError(Problem.DISK_ERROR, detail, f"the disk failed reading or writing {path}")
    return None


# -- a team database on a PostgreSQL server ---------------------------------------------------

KEPT = "what you type is kept on this desk and saved when it is back"
PASSWORD_HINT = (
    "a password is never saved with the URL: put it in ~/.pgpass (one line "
    "host:port:database:user:password, the file readable by you only: chmod 0600 ~/.pgpass), "
    "or name a service in a service file (PGSERVICEFILE)"
)


def server_host(exc: BaseException) -> str:
    """The server the driver was talking to, from its error ("the team database server" when
    it does not say)."""
    pgconn = getattr(exc, "pgconn", None)
    host = getattr(pgconn, "host", None) if pgconn is not None else None
    if isinstance(host, bytes) and host:
        return host.decode("utf-8", "replace")
    match = re.search(r"""(?:server at|host) ["']([^"']+)["']""", str(exc))
    return match.group(1) if match else "the team database server"


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    line = line.removeprefix("connection failed: ")
    line = re.sub(r'^connection to server at "[^"]*"(?:, port \d+)? failed: ', "", line)
    return re.sub(r"^(FATAL|ERROR):\s+", "", line).strip()[:160]


def server_problem(exc: BaseException, *, working: bool = True) -> KnownError | None:
    """A PostgreSQL driver error (psycopg 3) the user can act on, named with the server's host;
    None for a bug (bad SQL, a broken constraint).

    Authentication and a missing database are said as such; any other operational error (the
    server down, refused, unknown host, the network gone mid-way) is "cannot be reached", and
    what is typed meanwhile stays in this desk's journal until the server is back (said when
    ``working``; not for a test of a connection not yet in use)."""
    import psycopg

    exc = _driver_error(exc)
    if not isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return None
    detail = str(exc)
    low = detail.lower()
    host = server_host(exc)
    sqlstate = getattr(exc, "sqlstate", None)
    login = "password" in low or "authentication failed" in low or ("role" in low and "does not exist" in low)
    if sqlstate in ("28P01", "28000") or login:
        message = f"the team database at {host} refused the login ({_first_line(detail)}); {PASSWORD_HINT}"
        return KnownError(
            Problem.CANNOT_OPEN, detail, message, f"the team database at {host} refused the login"
        )
    if sqlstate == "3D000" or ("database" in low and "does not exist" in low):
        message = f"the team database at {host} has no such database ({_first_line(detail)})"
        return KnownError(Problem.CANNOT_OPEN, detail, message)
    if "failed to resolve host" in low or "could not translate host name" in low:
        why = "unknown host"
    elif "connection refused" in low:
        why = "the server refused the connection: is PostgreSQL running there, on that port?"
    elif "timeout" in low or "timed out" in low:
        why = "no answer in time"
    else:
        why = _first_line(detail) or type(exc).__name__
    kept = f"; {KEPT}" if working else ""
    message = f"the team database at {host} cannot be reached ({why}){kept}"
    return KnownError(Problem.UNAVAILABLE, detail, message, f"the team database at {host} cannot be reached")


class WriteConflict(KnownError):
    """A team server refused a write transaction because another desk's changed the same records
    at the same moment (a serialization failure or a deadlock): nothing of it was saved.
    ``store.connection.retrying`` runs such a transaction again before it says so."""

    def __init__(self, detail: str):
        super().__init__(
            Problem.LOCKED,
            detail,
            "another desk changed the same records at the same moment; nothing was saved: try again",
        )
