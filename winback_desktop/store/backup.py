"""Backups through SQLite's online backup API: consistent even while the app writes."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from winback_desktop.store.connection import connect_read_only, is_damage


class BackupCheckError(RuntimeError):
    """The copy failed its integrity check: the source is damaged, or the disk that took it."""


class EmptyDatabaseError(RuntimeError):
    """The source holds no tables (an empty file): no backup of it is kept."""


def backup_database(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` (mode 0600) and check the copy; returns ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    try:
        src = connect_read_only(source)
        dst = sqlite3.connect(tmp)
        try:
            with dst:
                src.backup(dst)
            # A backup is a single self-contained file: no WAL beside it when it is opened later.
            dst.execute("PRAGMA journal_mode=DELETE")
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            tables = dst.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            src.close()
            dst.close()
        if ok != "ok":
            raise BackupCheckError(f"backup {target} failed its integrity check: {ok}")
        if not tables:  # an empty backup must never become the newest one
            raise EmptyDatabaseError(f"the database {source} holds no tables: there is nothing to back up")
        os.replace(tmp, target)
    except sqlite3.OperationalError as exc:
        if "full" not in str(exc):
            raise
        # SQLite says "database or disk is full" of the copy: the disk is what is full.
        raise OSError(
            errno.ENOSPC, f"The disk is full: no room for the backup {target}", str(target)
        ) from exc
    except sqlite3.DatabaseError as exc:  # malformed pages, read from the source or its copy
        if not is_damage(exc):
            raise
        raise BackupCheckError(f"backup {target} failed its integrity check: {exc}") from exc
    finally:
        # A failed copy (a full disk, a damaged source) leaves no partial copy of customer data.
        tmp.unlink(missing_ok=True)
    return target
