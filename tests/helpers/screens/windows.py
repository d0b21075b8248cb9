"""Every window and dialog of the app, opened one after another on the sample data, for the
checks that hold for all of them (geometry on a small screen, the focus chain, accessible names)
and for screenshots.

``every_window(ctx)`` yields ``(name, window)`` with the window shown (a dialog with ``show()``,
never ``exec()``: nothing waits for an answer) and closes it when the consumer asks for the next.
Add a window here when you add one to the app: the checks then cover it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from winback_desktop.services import roster
from winback_desktop.services.context import AppContext
from winback_desktop.services.cycles import rescue as cycles
from winback_desktop.services.people import team as people

SAMPLE_CSV = (
    "Account ID;Account Name;First Name;Last Name;Mobile;Last order date;Annual revenue\r\n"
    "00586;Müller & Söhne GmbH;Jürgen;Müller;+49 30 1234567;31.01.2024;1.234,50\r\n"
    "00587;Société Générale Traiteur;Zoé;Lefèvre;+33 1 23 45 67 89;15.03.2024;980,00\r\n"
)


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _shown(window: QWidget) -> QWidget:
    window.show()
    settle()
    return window


def main_windows(window: QWidget) -> Iterator[tuple[str, QWidget]]:
    """The main window on each of its tabs, then its F1 list."""
    from winback_desktop.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    _shown(window)
    for i in range(window.tabs.count()):
        window.show_tab(i)
        settle()
        yield f"main-{window.tabs.tabText(i).replace('&', '').lower()}", window
    window.show_tab(0)
    yield "main-shortcuts", _shown(window.shortcuts_dialog())


def call_windows(window: QWidget) -> Iterator[tuple[str, QWidget]]:
    """A call on each stage, the close stage with a next step, its F1 list and its sheet."""
    from winback_desktop.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_tab(0)
    window.search.setText("Harbourline")  # a customer with an earlier call and open promises
    window.refresh()
    assert window.start_call() is not None  # started on a worker thread; its window follows
    deadline = time.monotonic() + 30
    while not window.call_windows and time.monotonic() < deadline:
        settle()
        time.sleep(0.01)
    assert window.call_windows, "the call window never opened"
    call = next(iter(window.call_windows.values()))
    _shown(call)
    for key in call.stage_keys():
        call.go_to(key)
        settle()
        yield f"call-{key}", call
    steps = call.editor("next_steps")
    step = steps.add_step()  # type: ignore[union-attr]
    assert step is not None
    step.what.setText("Send the new delivery schedule")
    deadline = time.monotonic() + 30  # the database makes the step on a worker thread
    while getattr(steps, "adding", False) and time.monotonic() < deadline:
        settle()
        time.sleep(0.01)
    assert not getattr(steps, "adding", False), "the next step was never made in the database"
    settle()
    yield "call-with-step", call
    yield "call-shortcuts", _shown(call.shortcuts_dialog())
    preview = call.preview_sheet()
    assert preview is not None
    settle()
    yield "sheet-preview", preview
    preview.close()
    call.close()


def dialogs(ctx: AppContext, parent: QWidget, tmp: Path) -> Iterator[tuple[str, Callable[[], QWidget]]]:
    """(name, maker) for each dialog, made over ``parent``."""
    from winback_desktop.services.conflicts import Conflict
    from winback_desktop.ui.conflicts.dialog import ConflictDialog
    from winback_desktop.ui.cycles.dialogs import FillDialog, NewCycleDialog
    from winback_desktop.ui.followups.details import DueDateDialog
    from winback_desktop.ui.kit.confirm import NoteDialog
    from winback_desktop.ui.people.dialog import ChooseUserDialog, PeopleDialog, PersonForm
    from winback_desktop.ui.roster.import_dialog import ImportDialog
    from winback_desktop.ui.roster.imports_view import ImportsDialog
    from winback_desktop.ui.roster.volume_view import VolumeDialog
    from winback_desktop.ui.team.connect import ConnectDialog
    from winback_desktop.ui.today.attempt_dialog import AttemptDialog
    from winback_desktop.ui.today.schedule_dialog import ScheduleDialog

    customer = roster.roster_page(ctx, limit=1)[0]

    def import_dialog() -> QWidget:
        sample = tmp / "crm-export.csv"
        sample.write_bytes(SAMPLE_CSV.encode("cp1252"))
        dialog = ImportDialog(ctx, "customers", parent)
        dialog.load(sample)
        return dialog

    def fill_dialog() -> QWidget:
        today = dt.date.today()
        cycle_id = cycles.create_cycle(ctx, "Window check", today, today + dt.timedelta(days=30), 5)
        return FillDialog(ctx, cycle_id, parent)

    me = people.list_people(ctx)[0]
    yield "import", import_dialog
    yield "imports", lambda: ImportsDialog(ctx, parent)
    yield "volume", lambda: VolumeDialog(lambda period: roster.volume_departed(ctx, period), parent)
    yield "new-cycle", lambda: NewCycleDialog(ctx, parent)
    yield "fill-cycle", fill_dialog
    yield "schedule", lambda: ScheduleDialog(ctx, customer.id, customer.company, parent=parent)
    yield "attempt", lambda: AttemptDialog(ctx, customer.id, customer.company, parent=parent)
    yield "due-date", lambda: DueDateDialog(dt.date.today(), "Send the price list", parent)
    yield "note", lambda: NoteDialog(parent, "Mark done", "What was done?", "")
    yield "people", lambda: PeopleDialog(ctx, parent)
    yield "person-form", lambda: PersonForm(ctx, me, parent)
    yield "choose-user", lambda: ChooseUserDialog(ctx, parent)
    yield "connect", lambda: ConnectDialog(ctx.paths, parent)
    theirs = "Invoices were late three months running; the rep never called back."
    mine = "Late invoices. Wants one contact person and a monthly statement."
    conflict = Conflict("field", "their_story", "Their story", theirs, mine, 3, dt.datetime.now(dt.UTC))
    yield "conflict", lambda: ConflictDialog(parent, conflict.typed(mine))


def every_window(ctx: AppContext, tmp: Path) -> Iterator[tuple[str, QWidget]]:
    """Every window of the app, shown, one at a time (the main window first)."""
    from winback_desktop.ui.main_window import MainWindow

    main = MainWindow(ctx)
    try:
        yield from main_windows(main)
        yield from call_windows(main)
        for name, make in dialogs(ctx, main, tmp):
            dialog = make()
            _shown(dialog)
            yield name, dialog
            if isinstance(dialog, QDialog):
                dialog.reject()
            dialog.close()
            dialog.deleteLater()
    finally:
        for widget in QApplication.topLevelWidgets():
            if widget is not main and widget.isVisible():
                widget.close()
        main.close()
        settle()
