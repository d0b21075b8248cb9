"""Desktop start-up: paths, logging, one instance per data folder, the database, the main window."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from winback_desktop import APP_NAME, __version__
from winback_desktop.paths import Paths, resolve

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from winback_desktop.instance import InstanceLock, RaiseListener
    from winback_desktop.services.context import AppContext
    from winback_desktop.store.integrity import DatabaseDamagedError
    from winback_desktop.ui.main_window import MainWindow

log = logging.getLogger("winback_desktop")


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _LogFile(logging.handlers.RotatingFileHandler):
    """The log file; when the disk fills up, one line on stderr instead of a traceback per record."""

    _said = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        if not self._said:
            self._said = True
            print(
                f"winback: the log {self.baseFilename} cannot be written: {sys.exc_info()[1]}",
                file=sys.stderr,
            )


def setup_logging(paths: Paths, *, writable: bool = True) -> Path | None:
    """Log to the log file, or (``writable`` False: a read-only or full disk) to stderr only:
    then None."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    if writable:
        log_file = paths.logs / "winback.log"
        try:
            paths.logs.mkdir(parents=True, exist_ok=True)
            log_file.touch(mode=0o600, exist_ok=True)
            os.chmod(log_file, 0o600)
        except OSError as exc:
            print(f"winback: cannot write the log {log_file}: {exc.strerror or exc}", file=sys.stderr)
        else:
            if not any(getattr(h, "baseFilename", None) == str(log_file) for h in root.handlers):
                handler = _LogFile(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
                handler.setFormatter(logging.Formatter(LOG_FORMAT))
                root.addHandler(handler)
            return log_file
    if not any(getattr(h, "winback_stderr", False) for h in root.handlers):
        to_stderr = logging.StreamHandler(sys.stderr)
        to_stderr.winback_stderr = True  # type: ignore[attr-defined]
        to_stderr.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(to_stderr)
    return None


def log_hint(log_file: Path | None) -> str:
    """Where the details are, for a message."""
    if log_file is None:
        return "No log could be written (the data folder cannot be written to)."
    return f"The details are in the log:\n{log_file}"


def create_app(argv: list[str] | None = None) -> QApplication:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from winback_desktop.resources import resource_root

    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    assert isinstance(app, QApplication)  # the app's own, or a test's: widgets need one
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("winback-desk")
    icon = resource_root() / "icons" / "winback-desk.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    # No app-wide style sheet: with one, every widget added while a window is built restyles
    # its whole subtree (bench: a call window took 180-330 ms instead of ~90). Windows set it
    # once, when built (ui/style.py: apply_style).
    return app


QUICK_CHECK_ALWAYS_BELOW = 64 * 1024 * 1024  # bytes: below this the start-up check is ~0.1 s


def startup_check_needed(paths: Paths) -> bool:
    """Small databases are quick-checked at every start (0.1 s at 64 MiB; 0.3-2 s at 312 MiB,
    with a warm or a cold cache); large ones when the file is not exactly as the app left it at
    its last clean close (a crash, a copy, a disk tool, another program wrote it since). The
    full check, which also compares every index with its table, runs in the background once the
    window shows (ui/kit/damage.py)."""
    from winback_desktop.store import integrity

    if paths.on_server:  # the server keeps its own data safe: no file here to check
        return False
    db = paths.database
    small = not db.exists() or db.stat().st_size < QUICK_CHECK_ALWAYS_BELOW
    return small or paths.session_marker.exists() or not integrity.left_as_closed(db)


def open_or_recover(
    paths: Paths,
    ask: Callable[[DatabaseDamagedError, str | None], bool] | None = None,
    *,
    check: bool = True,
    read_only: str | None = None,
) -> AppContext | None:
    """Open the database; when it is damaged, or empty or missing while backups exist, offer the
    newest good backup (never write to it, never start a new one in its place). ``ask(problem,
    label)`` answers whether to restore; ``label`` is None when there is no good backup (then
    ``ask`` only tells the user so)."""
    from winback_desktop.bootstrap import DatabaseDamagedError, open_app
    from winback_desktop.formats import short_date_time
    from winback_desktop.services.maintenance import backups as maintenance

    if ask is None:
        from winback_desktop.ui.kit.damage import ask_restore

        def ask(problem: DatabaseDamagedError, label: str | None) -> bool:
            return ask_restore(None, paths, problem, label)

    try:
        return open_app(paths, check=check, read_only=read_only)
    except DatabaseDamagedError as exc:
        log.error("cannot open the database: %s", exc)
        good = maintenance.newest_good_backup(paths)
        label = short_date_time(good.taken_at) if good else None
        if not ask(exc, label) or good is None:
            return None
        aside = maintenance.restore_backup(paths, good.path, aside_label=str(exc.kind))
        log.warning("restored %s; the file it replaced is kept as %s", good.path, aside)
        ctx = open_app(paths)
        ctx.notices[:0] = exc.notices
        return ctx


def install_excepthook(
    log_file: Path | None, save_everything: Callable[[], bool], where: Path | None = None
) -> None:
    """A bug: save what was typed, tell the user what happened and where the log is, keep going.
    A known fault (a full or read-only disk, a lock; ``where`` is the database) is named instead:
    it is no bug, and "unexpected error" would tell the user nothing they can act on."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from winback_desktop.services.errors import known_fault

    busy = False

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal busy
        from winback_desktop.store.integrity import DatabaseDamagedError

        damaged = isinstance(exc, DatabaseDamagedError)  # a write refused: the file is damaged
        known = None if damaged else known_fault(exc, where)  # a full or read-only disk, a lock...
        if damaged:
            log.error("a write refused: the database is damaged", exc_info=(exc_type, exc, tb))
        elif known is None:
            log.critical("unexpected error", exc_info=(exc_type, exc, tb))
        else:
            log.warning("not done: %s", known, exc_info=(exc_type, exc, tb))
        app = QApplication.instance()
        if busy or app is None or app.closingDown():  # reporting, or quitting: the log has it
            return
        if damaged:
            QMessageBox.warning(
                None,
                APP_NAME,
                f"{exc}\n\nNothing was changed. Restore a backup (File › Restore from backup…).",
            )
            return
        busy = True
        try:
            try:
                saved = save_everything()
            except Exception:  # noqa: BLE001 - already reporting; the log has it
                log.exception("saving after the error failed")
                saved = False
            kept = "Everything you typed has been saved." if saved else "Some typing may not be saved yet."
            if known is not None:
                QMessageBox.warning(None, APP_NAME, f"That could not be done.\n\n{known}\n\n{kept}")
                return
            QMessageBox.critical(
                None,
                f"{APP_NAME}: something went wrong",
                f"An unexpected error happened: {exc_type.__name__}: {exc}\n\n{kept}\n"
                f"{log_hint(log_file)}\n\nYou can carry on working.",
            )
        finally:
            busy = False

    sys.excepthook = hook


def show_first_paint(app: QApplication, paths: Paths) -> MainWindow | None:
    """The main window with the roster's first page, read before SQLAlchemy is loaded, or None
    when it must be read the ordinary way (see services/first_paint.py)."""
    from winback_desktop.services.first_paint import read_first_paint
    from winback_desktop.ui.main_window import MainWindow
    from winback_desktop.ui.roster.model import PAGE

    first = read_first_paint(paths, PAGE)
    if first is None:
        return None
    window = MainWindow(None, first=first)
    window.show()
    paint_before_blocking(app, window)
    return window


def paint_before_blocking(app: QApplication, window: QWidget, timeout: float = 0.5) -> None:
    """Wait (at most ``timeout``) for the window system to show the window, and paint it: the
    start-up work after this blocks the event loop. User input is left queued, not dropped: Qt
    delivers it once the event loop runs, with everything loaded."""
    import time

    from PySide6.QtCore import QEventLoop

    no_input = QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents
    deadline = time.monotonic() + timeout
    handle = window.windowHandle()
    while handle is not None and not handle.isExposed() and time.monotonic() < deadline:
        app.processEvents(no_input, 10)
        time.sleep(0.005)
    window.repaint()
    app.processEvents(no_input)


def _cannot_open(window: QWidget | None, paths: Paths, log_file: Path | None, detail: object) -> None:
    """A known problem opening the database: say what, where, and that nothing was changed."""
    from PySide6.QtWidgets import QMessageBox

    from winback_desktop.store.errors import known_problem

    where = None if paths.on_server else paths.database
    if isinstance(detail, OSError) and (known := known_problem(detail, where)) is not None:
        detail = known.sentence  # a full or read-only disk, a linked file: named as such

    log.exception("cannot open the database")  # called while handling it: the traceback is logged
    if window is not None:
        window.hide()
    QMessageBox.critical(
        None,
        APP_NAME,
        f"Cannot open the database\n{paths.shown}\n\n{detail}\n\nNothing was changed. {log_hint(log_file)}",
    )


@dataclass
class _Held:
    """What the running GUI keeps for its whole life (one per process): the lock on its data
    folder, released by run_gui, and the listener that brings its window forward when the app
    is started again."""

    lock: InstanceLock | None = None
    listener: RaiseListener | None = None


_HELD = _Held()


def start_gui(paths: Paths) -> tuple[QApplication, MainWindow | None, AppContext | None, int | None]:
    """Everything up to the main window on screen. Returns (app, window, ctx, code).

    The roster is painted first from a plain read (SQLAlchemy and the models cost about 0.3 s
    to import); the database is then opened, checked and migrated the ordinary way, and the
    window attached to it before any user input is handled.
    """
    from PySide6.QtCore import QTimer

    from winback_desktop.instance import RaiseListener

    log_file, app, read_only = _prepare(paths)
    go_on, read_only = _take_instance_lock(paths, read_only)
    if not go_on:
        return app, None, None, 0
    timing = bool(os.environ.get("WINBACK_EXIT_WHEN_SHOWN"))  # bench/run.py: time a cold start
    check, early = _check_or_paint_first(app, paths)
    shown_early = early is not None
    if early is not None and timing:
        _report("shown", early)
    ctx = _open_database(paths, early, log_file, check, read_only)
    if ctx is None:
        return app, None, None, 1
    if ctx.read_only is None and not paths.on_server:  # read-only: nothing needs checking
        paths.session_marker.touch(mode=0o600)  # removed again on a clean exit
    window = _attach_window(early, ctx)
    _HELD.listener = RaiseListener(paths, window.bring_forward)
    install_excepthook(log_file, window.save_everything, None if paths.on_server else paths.database)
    if timing:
        QTimer.singleShot(0, lambda: _report_ready_and_quit(app, window, shown_early))
    elif ctx.read_only is None:  # read-only: no calls to resume, no re-ranking, no backup
        _after_start(window, ctx, paths)
    return app, window, ctx, None


def _prepare(paths: Paths) -> tuple[Path | None, QApplication, str | None]:
    """Private files, the data folders, logging and the QApplication: (log file, app, why the
    app must open read-only). On a read-only or full disk nothing is made: no folder, no log."""
    from winback_desktop.store import disk

    os.umask(0o077)  # logs, backups, exports: readable by the user only
    read_only = disk.probe(paths.data_dir, None if paths.on_server else paths.database).why_read_only()
    if read_only is None:
        paths.ensure()
    log_file = setup_logging(paths, writable=read_only is None)
    log.info("starting %s %s: data dir %s, database %s", APP_NAME, __version__, paths.data_dir, paths.shown)
    paths.name_to_children()  # the child jobs (jobs/*) open this same database
    if read_only is not None:
        log.warning("opening read-only: %s", read_only)
    return log_file, create_app(), read_only


def _take_instance_lock(paths: Paths, read_only: str | None) -> tuple[bool, str | None]:
    """Lock the data folder for this app: (go on?, why the app must open read-only, if it must).

    When another app holds the lock, ask that one to come forward (or say it is open): False. A
    lock file that cannot be written (a full disk) is no sign of another app: the app opens
    read-only and says why. On a read-only folder no lock is tried (nothing can be written
    there, by this app or another through this folder; and QLockFile would warn that it cannot
    clear a stale one)."""
    from PySide6.QtWidgets import QMessageBox

    from winback_desktop.instance import InstanceLock, ask_running_instance_to_raise
    from winback_desktop.store import disk

    state = disk.probe(paths.data_dir)
    if state.read_only:
        return True, read_only or state.read_only
    lock = InstanceLock(paths)
    if lock.acquire():
        _HELD.lock = lock  # held for the life of the app
        return True, read_only
    if lock.held_elsewhere:
        if ask_running_instance_to_raise(paths):
            print(f"{APP_NAME} is already open on {paths.data_dir}: brought its window forward.")
        else:
            print(f"{APP_NAME} is already open on {paths.data_dir}.", file=sys.stderr)
            QMessageBox.information(None, APP_NAME, f"{APP_NAME} is already open on\n{paths.data_dir}.")
        return False, read_only
    why = (
        read_only
        or disk.probe(paths.data_dir).why_read_only()
        or f"the lock file {lock.path} cannot be written"
    )
    log.warning("no instance lock (%s): opening read-only", why)
    return True, why


def _check_or_paint_first(app: QApplication, paths: Paths) -> tuple[bool, MainWindow | None]:
    """(whether opening the database must still check it, the window painted early or None).

    A file that needs the start-up check is quick-checked here, read-only, before anything reads
    it; one that passes (or needs no check) gets the first paint."""
    if paths.on_server:  # no SQLite file to peek: the window shows once the server answered
        return False, None
    check = startup_check_needed(paths)
    if check and paths.database.exists() and _checked_now(paths):
        check = False  # checked now (read-only), before anything reads it
    return check, None if check else show_first_paint(app, paths)


def _checked_now(paths: Paths) -> bool:
    """The quick check at start-up, before the first paint reads the file; False when it
    could not be run (a full disk, a linked file...): open_app then says what is wrong."""
    import sqlite3

    from winback_desktop.store.connection import check_file

    try:
        return check_file(paths.database, full=False) == "ok"
    except (sqlite3.Error, OSError):
        return False


def _open_database(
    paths: Paths, window: MainWindow | None, log_file: Path | None, check: bool, read_only: str | None
) -> AppContext | None:
    """The opened database; None when it cannot be opened (the user has been told why) or a
    restore was declined. ``window`` (the early paint, if any) is hidden then."""
    from winback_desktop.bootstrap import DatabaseDamagedError
    from winback_desktop.store.errors import DATABASE_ERRORS, known_problem
    from winback_desktop.store.migrate import SchemaTooNewError

    try:
        ctx = open_or_recover(paths, check=check, read_only=read_only)
    except (DatabaseDamagedError, SchemaTooNewError, OSError) as exc:  # a newer or damaged file...
        _cannot_open(window, paths, log_file, exc)
        return None
    except DATABASE_ERRORS as exc:
        known = known_problem(exc, None if paths.on_server else paths.database)  # else a bug
        if known is None:
            raise
        _cannot_open(window, paths, log_file, known.sentence)
        return None
    if ctx is None and window is not None:
        window.hide()
    return ctx


def _attach_window(window: MainWindow | None, ctx: AppContext) -> MainWindow:
    """The early window attached to the database, or (no first paint) a new one shown."""
    from winback_desktop.ui.main_window import MainWindow

    if window is None:
        window = MainWindow(ctx)
        window.show()
    else:
        window.attach(ctx)
    return window


def _after_start(window: MainWindow, ctx: AppContext, paths: Paths) -> None:
    """What follows once the window is up: who is here, a call to resume, the day's ranking, the
    checks and the daily backup."""
    from PySide6.QtCore import QTimer

    from winback_desktop.services.calls.lifecycle import unfinished_calls

    # Notes an earlier session could not write are put back before any call is resumed.
    QTimer.singleShot(0, window.offer_recovered)
    QTimer.singleShot(0, window.offer_first_run)  # a fresh database: our name, who is here
    QTimer.singleShot(0, window.ask_who_is_here)  # once, when nobody has said who they are
    if unfinished_calls(ctx):
        QTimer.singleShot(0, window.offer_resume)
    # A new day can lapse customers and shift priorities: re-rank off the GUI process (the
    # screens read the roster again when it is done, as after F5); on a team database once a
    # day, by whichever desk starts first.
    window.ranking.start(quiet=True, daily=True)
    _start_checks(window, ctx, paths)


def _start_checks(window: MainWindow, ctx: AppContext, paths: Paths) -> None:
    """Say what opening found (a damaged write-ahead log kept aside); clear what an interrupted
    backup left; then the full check in a child process, and the daily backup after it when due:
    damage found stops writes at once and is shown (ui/kit/damage.py)."""
    from PySide6.QtCore import QTimer

    from winback_desktop.services.maintenance import backups as maintenance
    from winback_desktop.ui.kit import damage

    if ctx.notices:
        QTimer.singleShot(0, lambda: damage.show_notices(window, ctx.notices))
    if not paths.on_server:  # a team database: the file's backups do not apply
        maintenance.remove_partial_backups(paths)  # what an interrupted backup left behind
    damage.watch(window, paths)  # on a team database: the status line says the server's backups apply


def _report(word: str, window: MainWindow) -> None:
    """For bench/run.py: ``shown`` (the roster painted) or ``ready`` (input handled), when."""
    import time

    window.repaint()  # painted, not just scheduled
    print(f"{word} {time.time():.6f} rows={window.model.rowCount()}", flush=True)


def _report_ready_and_quit(app: QApplication, window: MainWindow, shown_early: bool) -> None:
    if not shown_early:  # no first paint (a new or migrated database): shown when ready
        _report("shown", window)
    _report("ready", window)
    app.quit()


def run_gui(data_dir: str | None = None, database_url: str | None = None) -> int:
    app, window, _ctx, code = start_gui(resolve(data_dir, database_url))
    if code is not None:
        return code
    assert window is not None  # started: the window is up (the lock held, unless read-only)
    # Closed while starting (the window system's close is not held back with the input): Qt's
    # quit-on-last-window came before the event loop ran, so exec() would never return.
    code = app.exec() if window.isVisible() else 0
    ctx = window.ctx  # the window's: a restore may have reopened it
    assert ctx is not None  # attached by start_gui
    ctx.close()
    from winback_desktop.store.integrity import record_clean_close

    if ctx.read_only is None and not ctx.paths.on_server:  # read-only: nothing was written
        record_clean_close(ctx.paths.database)  # as left: a large file is not checked next time
        ctx.paths.session_marker.unlink(missing_ok=True)  # a clean exit: no check needed next time
    if _HELD.lock is not None:
        _HELD.lock.release()
    return code
