"""What every service is handed: the paths, the engine, a session factory and the call script.
Made by :func:`winback_desktop.bootstrap.open_app`."""

from __future__ import annotations

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

    def changed(self, *kinds: Change) -> None:
        """Tell the listeners that ``kinds`` changed (a write made elsewhere, e.g. a child job)."""
        self.changes.report(*kinds)

    def close(self) -> None:
        self.engine.dispose()
