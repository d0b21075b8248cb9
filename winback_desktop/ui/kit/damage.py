"""The database is damaged, empty or missing: what the user is told, and the watch kept while
the app runs.

At start-up (app.py's ``open_or_recover``) :func:`ask_restore` offers the newest good backup, or
says there is none, naming the files and folders. Once the window shows, :func:`watch` runs the
full check in a child job (jobs/check.py), then the daily backup when it is due. Damage found
there has already stopped every write when the window hears of it (services/maintenance/
health.py notes it beside the file): the window shows a banner that stays, and a dialog that
offers the newest good backup. Typing in open calls stays on screen; its saves fail and say why.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QWidget

from winback_desktop import APP_NAME
from winback_desktop.formats import short_date_time
from winback_desktop.paths import Paths
from winback_desktop.services.maintenance import backups as maintenance
from winback_desktop.services.maintenance.health import DatabaseDamagedError, Kind
from winback_desktop.ui.kit.confirm import confirm
from winback_desktop.ui.kit.jobs import BACKUP_JOB, CHECK_JOB, run_in_background
from winback_desktop.ui.kit.style import banner_style

log = logging.getLogger(__name__)
DETAIL_SHOWN = 400  # characters of SQLite's findings in a dialog; the log has them all


def _short(detail: str) -> str:
    return detail if len(detail) <= DETAIL_SHOWN else detail[:DETAIL_SHOWN] + "… (the rest is in the log)"


def _log_file(paths: Paths) -> Path:
    return paths.logs / "winback.log"


def _what_is_wrong(problem: DatabaseDamagedError) -> str:
    if problem.kind is Kind.EMPTY:
        return (
            f"The database file is empty (0 bytes):\n{problem.path}\n\n"
            "It was not taken for a new database, because there are backups of it."
        )
    if problem.kind is Kind.MISSING:
        return (
            f"The database file is missing:\n{problem.path}\n\n"
            "No new, empty database was made in its place, because there are backups of it."
        )
    return (
        f"The database file is damaged:\n{problem.path}\n\n{_short(problem.detail)}\n\n"
        "Nothing was written to it."
    )


def ask_restore(
    parent: QWidget | None, paths: Paths, problem: DatabaseDamagedError, label: str | None
) -> bool:
    """At start-up: restore the newest good backup (taken ``label``)? With none, say so, with
    the paths, and answer False."""
    if label is None:
        no_backup(parent, paths, _what_is_wrong(problem))
        return False
    kept = "The empty file" if problem.kind is Kind.EMPTY else "The damaged file"
    text = f"{_what_is_wrong(problem)}\n\nRestore the newest good backup ({label})?"
    if problem.kind is Kind.MISSING:
        text += f"\n\nTo start afresh instead, move the backups folder away:\n{paths.backups}"
    else:
        text += f"\n{kept} is kept in the backups folder."
    return confirm(parent, APP_NAME, text, default_yes=True)


def no_backup(parent: QWidget | None, paths: Paths, what: str) -> None:
    QMessageBox.critical(
        parent,
        f"{APP_NAME}: no good backup",
        f"{what}\n\nThere is no good backup to restore in\n{paths.backups}\n\n"
        f"Keep the file safe and ask for help. The log is at\n{_log_file(paths)}",
    )


def show_notices(parent: QWidget | None, notices: list[str]) -> None:
    """What opening the database found (a damaged write-ahead log kept aside)."""
    QMessageBox.warning(parent, f"{APP_NAME}: recent changes may be missing", "\n\n".join(notices))


class DamageWatch(QObject):
    """The full check, then the daily backup; damage shown as a banner and a dialog."""

    def __init__(self, window: QMainWindow, paths: Paths):
        super().__init__(window)
        self.window, self.paths = window, paths
        self.damage: str | None = None
        self.banner: QLabel | None = None

    def start(self) -> None:
        self._run(CHECK_JOB, self._checked, self._read_check)

    def _run(self, job: str, done: Callable[[bool], None], read: Callable[[str], None] | None = None) -> None:
        process = run_in_background(self.window, job, [str(self.paths.data_dir)], done, read)
        getattr(self.window, "background_jobs", []).append(process)  # ended when the window closes

    def _read_check(self, out: str) -> None:
        try:
            found = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            log.error("the check printed no result: %r", out[-400:])
            return
        if found.get("damage"):
            self.found(found["damage"], Path(found["backup"]) if found.get("backup") else None)

    def _checked(self, ok: bool) -> None:
        if self.damage is None and maintenance.backup_due(self.paths):
            self._run(BACKUP_JOB, self._backed_up)  # a check that could not run: the backup checks its copy

    def _backed_up(self, ok: bool) -> None:
        from winback_desktop.services.maintenance import health

        recorded = health.recorded_damage(self.paths.database)
        if not ok and recorded is not None:  # the copy failed its check, and so did the file
            good = maintenance.newest_good_backup(self.paths)
            self.found(recorded, good.path if good else None)
        elif self.window.isVisible():
            text = "Daily backup written and checked." if ok else "The daily backup failed: see the log."
            self.window.statusBar().showMessage(text, 8000)

    def found(self, detail: str, backup: Path | None) -> None:
        """Writes are already refused (the note is beside the file): say so, now."""
        self.damage = detail
        self._show_banner()
        what = (
            f"A check of the database found damage:\n{self.paths.database}\n\n{_short(detail)}\n\n"
            f"{APP_NAME} has stopped writing to it: nothing more is saved into the damaged file. "
            "What is on screen stays there."
        )
        if backup is None:
            no_backup(self.window, self.paths, what)
            return
        label = next(
            (short_date_time(b.taken_at) for b in maintenance.list_backups(self.paths) if b.path == backup),
            backup.name,
        )
        question = (
            f"{what}\n\nRestore the newest good backup ({label})? It holds what was saved until then; "
            "open calls are closed first, and the damaged file is kept in the backups folder."
        )
        if confirm(self.window, f"{APP_NAME}: the database is damaged", question):
            restore = getattr(self.window, "restore_backup", None)
            if restore is not None and restore(backup, ask=False):
                self.damage = None
                if self.banner is not None:
                    self.banner.hide()

    def _show_banner(self) -> None:
        if self.banner is None:
            self.banner = QLabel(wordWrap=True)
            self.banner.setObjectName("damageBanner")
            self.banner.setStyleSheet(
                banner_style("damageBanner", "ERROR_FACE", "ERROR_LINE", "ERROR_TEXT", "font-weight: bold; ")
            )
            central = self.window.centralWidget()
            layout = central.layout() if central is not None else None
            if layout is not None and hasattr(layout, "insertWidget"):
                layout.insertWidget(0, self.banner)
        self.banner.setText(
            "The database is damaged: nothing more is saved to it. Restore a backup "
            f"(File › Restore from backup…), or close {APP_NAME} and ask for help. "
            f"The file: {self.paths.database}"
        )
        self.banner.show()


def found_while_open(window: QMainWindow, paths: Paths, detail: str) -> None:
    """Damage found by something else than the watch (a backup made now): the same banner and
    offer."""
    damage_watch = getattr(window, "damage_watch", None) or DamageWatch(window, paths)
    window.damage_watch = damage_watch  # type: ignore[attr-defined]
    good = maintenance.newest_good_backup(paths)
    damage_watch.found(detail, good.path if good else None)


def watch(window: QMainWindow, paths: Paths) -> DamageWatch:
    """Start the full check (then the daily backup) for the window; returns the watch. On a
    team database neither applies (the server keeps its pages and its backups): the status
    line says so once the window shows, rather than a daily backup silently never running."""
    damage_watch = DamageWatch(window, paths)
    window.damage_watch = damage_watch  # type: ignore[attr-defined]  # kept with the window
    if paths.on_server:
        log.info("no daily backup on this desk: %s", maintenance.SERVER_BACKUPS)
        QTimer.singleShot(0, lambda: window.statusBar().showMessage(maintenance.SERVER_BACKUPS, 15000))
        return damage_watch
    damage_watch.start()
    return damage_watch
