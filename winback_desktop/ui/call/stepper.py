"""The four stages as a stepper: something done in it, current, nothing yet. Click or Ctrl+1..4
to jump."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from winback_desktop.script import Stage
from winback_desktop.ui.kit.widgets import with_name


class Stepper(QWidget):
    stage_clicked = Signal(str)

    def __init__(self, stages: tuple[Stage, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.stages = stages
        self.buttons: list[QPushButton] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for i, stage in enumerate(stages):
            button = with_name(QPushButton(), "step")
            button.setToolTip(f"{stage.title} (Ctrl+{i + 1})")
            button.clicked.connect(lambda _c=False, k=stage.key: self.stage_clicked.emit(k))
            layout.addWidget(button, 1)
            self.buttons.append(button)
        self.set_current(stages[0].key, set())

    def set_current(self, key: str, done: set[str]) -> None:
        """``key`` is the stage shown; ``done`` the stages something was done in (a note, a
        pick, a tick): only those are ticked — a stage passed through empty is not."""
        current = [s.key for s in self.stages].index(key)
        for i, (stage, button) in enumerate(zip(self.stages, self.buttons, strict=True)):
            if i == current:
                state, mark = "current", "▶"
            elif stage.key in done:
                state, mark = "done", "✓"
            else:
                state, mark = "todo", f"{i + 1}"
            what = {"current": "current stage", "done": "something noted", "todo": "nothing noted yet"}
            button.setToolTip(f"{stage.title}: {what[state]} (Ctrl+{i + 1})")
            if button.property("state") == state and button.text().startswith(mark):
                continue  # unchanged: no re-polish (this runs as the caller types)
            button.setText(f"{mark}  {stage.title}")
            button.setProperty("state", state)
            button.style().unpolish(button)
            button.style().polish(button)

    def state_of(self, key: str) -> str:
        index = [s.key for s in self.stages].index(key)
        return str(self.buttons[index].property("state"))
