"""The user's problem or a bug? Decided once, here, at the storage boundary.

A database error is either a *known problem* the user can act on (another program holds the
lock, the disk is full, the file is read-only, not a database, or damaged) or a *bug* (a broken
constraint, bad SQL): the first becomes a message, the second keeps its traceback. After
qutebrowser's ``misc/sql.py`` (``KnownError`` / ``BugError``), sorted by SQLite's result code,
which Python 3.11+ puts on every ``sqlite3.Error`` it raises. Errors without one (another
driver, an error built by hand) are sorted by their DB-API class: operational and interface
errors are known problems, the rest are bugs.
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum

from sqlalchemy import exc as sa_exc

# What an except clause catches to ask known_problem(): SQLAlchemy's wrapped driver errors, and
# the standard driver's own (the read-only checks and backups use it directly).
DATABASE_ERRORS: tuple[type[Exception], ...] = (sa_exc.DBAPIError, sqlite3.Error)


class Problem(StrEnum):
    LOCKED = "locked"
    READ_ONLY = "read_only"
    DISK_FULL = "disk_full"
    NOT_A_DATABASE = "not_a_database"
    DAMAGED = "damaged"
    CANNOT_OPEN = "cannot_open"
    DISK_ERROR = "disk_error"
    OUT_OF_MEMORY = "out_of_memory"
    UNAVAILABLE = "unavailable"  # a server down or gone, or an operational error with no code


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


class KnownError(Exception):
    """A database problem the user can act on; ``detail`` is the driver's own words."""

    def __init__(self, problem: Problem, detail: str):
        self.problem, self.detail = problem, detail
        super().__init__(detail)


def _driver_error(exc: BaseException) -> BaseException:
    if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None:
        return exc.orig
    return exc


def known_problem(exc: BaseException) -> KnownError | None:
    """The known problem behind ``exc``, or None when it is a bug: then re-raise it, e.g.

    ``except DATABASE_ERRORS as exc: known = known_problem(exc); if known is None: raise``
    """
    orig = _driver_error(exc)
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        problem = _SQLITE_PROBLEMS.get(code & 0xFF)  # extended codes keep the primary one low
        return KnownError(problem, str(orig)) if problem else None
    if isinstance(exc, sa_exc.DBAPIError):
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            return KnownError(Problem.UNAVAILABLE, str(orig))
        return None
    if isinstance(orig, sqlite3.OperationalError | sqlite3.InterfaceError):
        return KnownError(Problem.UNAVAILABLE, str(orig))
    return None
