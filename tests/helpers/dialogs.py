"""Answer the message boxes the app opens (the static QMessageBox calls run their own event
loop), as a user would: read the text, look at it, press a button."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

POLL_MS = 20
GIVE_UP_AFTER = 1500  # polls (30 s): a dialog that never came fails the test, not hangs it


@dataclass
class Answerer:
    """Presses ``buttons`` in turn on the message boxes as they open; keeps their titles and
    texts, and a picture of each when ``shots`` is a folder."""

    buttons: list[QMessageBox.StandardButton]
    shots: Path | None = None
    seen: list[tuple[str, str]] = field(default_factory=list)
    _polls: int = 0

    def start(self) -> Answerer:
        QTimer.singleShot(0, self._poll)
        return self

    def _poll(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            self.seen.append((box.windowTitle(), box.text()))
            if self.shots is not None:
                box.grab().save(str(self.shots / f"dialog-{len(self.seen)}.png"))
            button = box.button(self.buttons.pop(0))
            assert button is not None, f"no such button on {box.text()!r}"
            button.click()
            if not self.buttons:
                return
        self._polls += 1
        if self._polls < GIVE_UP_AFTER:
            QTimer.singleShot(POLL_MS, self._poll)


def answer(button: str, seen: list[str], attempts: int = 400) -> None:
    """Click ``button`` (its text's start) on the next message box shown; what it said goes to
    ``seen``. Polls from the event loop, which the box's own exec() keeps running."""

    def poke(left: int) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            seen.append(f"{box.text()}\n{box.informativeText()}")
            for b in box.buttons():
                if b.text().startswith(button):
                    b.click()
                    return
            raise AssertionError(f"no button {button!r} in {[b.text() for b in box.buttons()]}")
        if left:
            QTimer.singleShot(10, lambda: poke(left - 1))

    QTimer.singleShot(0, lambda: poke(attempts))


def when_shown(kind: type, act: Callable[[Any], None], attempts: int = 400) -> None:
    """Run ``act(dialog)`` on the next modal dialog of class ``kind`` once it shows (a
    QDialog the app exec()s: fill it in, press its buttons, as a user would)."""

    def poke(left: int) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, kind) and box.isVisible():
            act(box)
            return
        if left:
            QTimer.singleShot(10, lambda: poke(left - 1))

    QTimer.singleShot(0, lambda: poke(attempts))


def when_dialog(act: Callable[[Any], None], seen: list[Any], kind: type | None = None) -> None:
    """Once a dialog of ``kind`` (default: the conflict dialog, ui/conflicts/dialog.py) is up
    and active, ``act`` on it as a user would; polls from the event loop its exec() keeps
    running. A dialog ``act`` left open is closed (rejected) after a few seconds, so a key that
    did nothing fails the test rather than hangs it."""
    if kind is None:
        from winback_desktop.ui.conflicts.dialog import ConflictDialog

        kind = ConflictDialog

    mine: list[Any] = []  # the one dialog this poller answers (never a later one)

    def poll(left: int) -> None:
        box = QApplication.activeModalWidget()
        if mine:
            if box is mine[0] and box.isVisible():
                if left % 250 == 0:  # still open seconds after the key: give up on it
                    box.reject()
                    return
            else:
                return  # answered, and it closed
        elif isinstance(box, kind) and box.isVisible():
            if not box.isActiveWindow() and left > GIVE_UP_AFTER - 1000:  # keys need it active
                box.activateWindow()
            else:
                mine.append(box)
                seen.append(box)
                act(box)
        if left:
            QTimer.singleShot(POLL_MS, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(GIVE_UP_AFTER))
