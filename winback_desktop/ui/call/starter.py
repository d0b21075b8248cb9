"""Starting a call off the GUI thread: the call row is made (or taken up) by the database on a
worker thread, so another program holding the write lock (an import: seconds) never freezes the
window; the call window opens once the database has the call, never before. A lock held past the
busy timeout, or a full disk, is said in words, naming who holds the lock when it can be told;
nothing is half-made (the service's one transaction)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMessageBox

from winback_desktop.services import catalogue, settings
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.writer import why_not_saved
from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import CallDetail, ReasonInfo
from winback_desktop.services.people import team
from winback_desktop.ui.kit.jobs import ThreadJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallInputs:
    """What a call window is built from, read from the database (``load_call``): on a worker
    thread when the call is started, since on a team server each read is a network round trip
    (a dozen of them took 0.8 s at 30 ms from the server, a freeze on the GUI thread)."""

    detail: CallDetail  # as the database has it (the window adds what is on its way to it)
    people: list[tuple[int, str]]
    reasons: list[ReasonInfo]
    options: list[tuple[int, str, str]]
    company: str  # our company's name, said on the call


def load_call(ctx: AppContext, call_id: int) -> CallInputs:
    """Everything the call window reads from the database to open (no Qt: any thread)."""
    return CallInputs(
        calls.detail(ctx, call_id),
        [(p.id, p.name) for p in team.list_people(ctx)],
        catalogue.reasons(ctx),
        catalogue.help_options(ctx),
        settings.company_name(ctx),
    )


class CallStarter(QObject):
    """One call being started for ``window``; :attr:`started` (the call id) when it is."""

    started = Signal(int)

    def __init__(self, window: QMainWindow, ctx: AppContext):
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self.job: ThreadJob | None = None
        self.loaded: dict[int, CallInputs] = {}  # what a started call's window opens with

    @property
    def busy(self) -> bool:
        return self.job is not None

    def start(
        self,
        customer_id: int,
        caller_id: int | None = None,
        partner_id: int | None = None,
        *,
        booked: calls.Booked | None = None,
    ) -> bool:
        """Start the call on a worker thread; False (and nothing done) while one is starting.
        ``booked``: what to do with a call booked for other people (the caller was asked)."""
        if self.job is not None:
            self.window.statusBar().showMessage("A call is being started: one moment…", 5000)
            return False
        ctx = self.ctx

        def work(_stop: object) -> CallInputs:
            return load_call(ctx, calls.start_call(ctx, customer_id, caller_id, partner_id, booked=booked))

        self.job = ThreadJob(self, work, "winback-start-call")
        self.job.done.connect(self._done)
        self.job.failed.connect(self._failed)
        self.window.statusBar().showMessage("Starting the call…")
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)  # busy, yet every key works
        return True

    def _finish(self) -> None:
        self.job = None
        QGuiApplication.restoreOverrideCursor()
        self.window.statusBar().clearMessage()

    def _done(self, inputs: object) -> None:
        self._finish()
        assert isinstance(inputs, CallInputs)
        self.loaded = {inputs.detail.id: inputs}
        self.started.emit(inputs.detail.id)

    def _failed(self, exc: object) -> None:
        self._finish()
        assert isinstance(exc, BaseException)
        if isinstance(exc, calls.BookedByOthers):  # booked by someone else a moment ago
            QMessageBox.information(
                self.window,
                "Call not started",
                f"The call was not started: {exc}.\n\nStart it again to choose.",
            )
            return
        why, known = why_not_saved(exc, self.ctx)
        if not known:
            raise exc
        log.warning("call not started: %s", why)
        self.window.statusBar().showMessage(f"The call was not started: {why}.", 15000)
        QMessageBox.warning(
            self.window,
            "Call not started",
            f"The call was not started: {why}.\n\nNothing was changed. Try again in a moment.",
        )
