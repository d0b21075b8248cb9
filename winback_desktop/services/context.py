"""What every service is handed: the paths, the engine, a session factory and the call script.
Made by :func:`winback_desktop.bootstrap.open_app`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from winback_desktop.paths import Paths
from winback_desktop.script import CallScript, default_script
from winback_desktop.services.changes import Change, Changes


@dataclass
class AppContext:
    paths: Paths
    engine: Engine
    sessions: sessionmaker[Session]
    script: CallScript = field(default_factory=default_script)
    changes: Changes = field(default_factory=Changes, repr=False, compare=False)  # who hears of writes
    notices: list[str] = field(default_factory=list)  # what opening found to tell the user
    # Run by close(), last first: what works on this database stops before it is let go (the
    # notes writer: services/calls/writer.py).
    closers: list[Callable[[], None]] = field(default_factory=list, repr=False, compare=False)
    # Why the database was opened read-only (a read-only or full disk), or None: it may be written.
    read_only: str | None = None

    def changed(self, *kinds: Change) -> None:
        """Tell the listeners that ``kinds`` changed (a write made elsewhere, e.g. a child job)."""
        self.changes.report(*kinds)

    def on_close(self, closer: Callable[[], None]) -> None:
        self.closers.append(closer)

    def close(self) -> None:
        while self.closers:
            self.closers.pop()()
        self.engine.dispose()
