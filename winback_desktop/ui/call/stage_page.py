"""One stage of the call: its goal, the lines to say, its checklist and its fields."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.script import Field, Stage, fill
from winback_desktop.services.dto import CallDetail
from winback_desktop.ui.call.editors import ActionsEditor, OffersEditor, ReasonsEditor
from winback_desktop.ui.call.fields import CheckList, ChoiceField, DateField, LineField, NoteEdit
from winback_desktop.ui.call.session import CallSession
from winback_desktop.ui.kit.access.names import mnemonic_texts, name_fields
from winback_desktop.ui.kit.widgets import with_name

# A field's editor: one that holds text (a note, a line, a choice, a date) or a composite one.
TextEditor = NoteEdit | LineField | ChoiceField | DateField
Editor = TextEditor | ReasonsEditor | OffersEditor | ActionsEditor
TEXT_EDITORS = (NoteEdit, LineField, ChoiceField, DateField)
SIMPLE_EDITORS: dict[str, type[TextEditor]] = {
    "text": NoteEdit,
    "line": LineField,
    "choice": ChoiceField,
    "date": DateField,
}


CALL_WINDOW_LETTERS = ("c",)  # the window's own Alt+letters: its "&Call" menu


def checklist_key(stage: str) -> str:
    return f"checklist:{stage}"


# Calls started with script 1.0 said "to confirm the next steps: …"; they read the steps back too.
LEGACY_STEPS_LINE = ("to confirm the next steps: …", "to confirm the next steps: {next_steps}")


class StagePage(QScrollArea):
    """Built from the script; the CallWindow wires saving through ``session``."""

    go_to_stage = Signal(str)

    def __init__(
        self,
        stage: Stage,
        listen: Stage,
        detail: CallDetail,
        session: CallSession,
        placeholders: dict[str, str],
        catalogue: dict[str, Any],
    ):
        super().__init__()
        self.stage, self.session = stage, session
        self.editors: dict[str, Editor] = {}
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop of its own: Tab goes to the fields
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 8, 12, 12)

        # Shown by the window on the stage that offers help while ``listen`` has no notes.
        self.guard = with_name(QFrame(), "guard")
        guard_row = QHBoxLayout(self.guard)
        nothing = f"Nothing is noted in {listen.title} yet."
        guard_row.addWidget(QLabel(f"{nothing} Listen first: hear their story before offering help."), 1)
        back = QPushButton(f"Back to {listen.title}")
        back.clicked.connect(lambda: self.go_to_stage.emit(listen.key))
        guard_row.addWidget(back)
        self.guard.hide()
        layout.addWidget(self.guard)

        goal = with_name(
            QLabel(f"<b>Goal.</b> {html.escape(stage.goal, quote=False)}", wordWrap=True), "goal"
        )
        goal.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(goal)

        say = QGroupBox("Say")
        say_layout = QVBoxLayout(say)
        self.line_labels: list[QLabel] = []
        self.lines = tuple(line.replace(*LEGACY_STEPS_LINE) for line in stage.lines)
        self.placeholders = dict(placeholders)
        for line in self.lines:
            label = with_name(QLabel(fill(line, placeholders), wordWrap=True), "line")
            label.setTextFormat(Qt.TextFormat.PlainText)  # customer names are data, not markup
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            say_layout.addWidget(label)
            self.line_labels.append(label)
        layout.addWidget(say)

        layout.addWidget(self._build_fields(detail, catalogue), 1)

        checks = QGroupBox("Checklist")
        checks_layout = QVBoxLayout(checks)
        self.checklist = CheckList(list(enumerate(stage.checklist)))
        self.checklist.setToolTip("Space ticks the selected item")
        self.checklist.setAccessibleName(f"{stage.title} checklist")
        done = detail.answers.get(checklist_key(stage.key), "")
        self.checklist.set_checked(int(x) for x in done.split(",") if x.strip().isdigit())
        self.checklist.changed.connect(
            lambda: session.note(
                stage.key,
                checklist_key(stage.key),
                lambda: ",".join(str(i) for i in self.checklist.checked()),
            )
        )
        checks_layout.addWidget(self.checklist)
        layout.addWidget(checks)
        self.setWidget(body)
        name_fields(self)

    def _build_fields(self, detail: CallDetail, catalogue: dict[str, Any]) -> QGroupBox:
        """The stage's fields, each under a label whose Alt+letter no other one in the window
        uses, and named by that label for a screen reader."""
        fields_box = QGroupBox("Notes")
        form = QFormLayout(fields_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        simple = [f.label for f in self.stage.fields if f.kind in SIMPLE_EDITORS]
        alt_keys = dict(zip(simple, mnemonic_texts(simple, CALL_WINDOW_LETTERS), strict=True))
        for f in self.stage.fields:
            editor = self._make_editor(f, detail, catalogue)
            self.editors[f.key] = editor
            label = QLabel(alt_keys.get(f.label, f.label))
            label.setBuddy(editor)
            editor.setAccessibleName(f.label)
            if f.help and f.kind not in ("choice",):
                editor.setToolTip(f.help)
            form.addRow(label, editor)
        return fields_box

    def _make_editor(self, f: Field, detail: CallDetail, catalogue: dict[str, Any]) -> Editor:
        if f.kind == "reasons":
            return ReasonsEditor(self.session, catalogue["reasons"], detail)
        if f.kind == "offers":
            return OffersEditor(self.session, catalogue["options"], detail)
        if f.kind == "actions":
            return ActionsEditor(self.session, catalogue["people"], detail)
        editor = SIMPLE_EDITORS[f.kind](f)
        editor.set_value(detail.saved_text(f.key))
        stage_key = self.stage.key
        editor.changed.connect(lambda: self.session.note(stage_key, f.key, editor.value))
        return editor

    def text_editor(self, key: str) -> TextEditor:
        """The editor of a field that holds text (a note, a line, a choice or a date)."""
        editor = self.editors[key]
        assert isinstance(editor, TEXT_EDITORS), f"{key} is not a text field"
        return editor

    def first_editor(self) -> QWidget | None:
        """The first widget that takes keyboard focus (inside a composite editor if need be)."""
        editor = next(iter(self.editors.values()), None)
        if editor is None or editor.focusPolicy() & Qt.FocusPolicy.TabFocus:
            return editor
        return next(
            (w for w in editor.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus), editor
        )

    def fill_lines(self, **values: str) -> None:
        """Say the lines again with these placeholder values (the next steps, as they change)."""
        self.placeholders.update(values)
        for line, label in zip(self.lines, self.line_labels, strict=True):
            label.setText(fill(line, self.placeholders))

    def has_notes(self, prefilled: Mapping[str, str] | None = None) -> bool:
        """Anything the caller noted on this page (text typed, a reason or offer picked, a next
        step)? A field still exactly as pre-filled (``prefilled``: key -> that text) is not."""
        from winback_desktop.ui.call.progress import own_note

        prefilled = prefilled or {}
        for key, editor in self.editors.items():
            if isinstance(editor, ReasonsEditor):
                primary, others = editor.value()
                if primary is not None or others:
                    return True
            elif isinstance(editor, OffersEditor):
                picked, typed = editor.value()
                if picked or any(t.strip() for t in typed):
                    return True
            elif isinstance(editor, ActionsEditor):
                if editor.rows:
                    return True
            elif own_note(str(editor.value()), prefilled.get(key)):
                return True
        return False

    def done(self, prefilled: Mapping[str, str] | None = None) -> bool:
        """Was something done in this stage: a note of the caller's own, or a tick?"""
        return bool(self.checklist.checked()) or self.has_notes(prefilled)
