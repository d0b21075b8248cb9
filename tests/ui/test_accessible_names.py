"""Every field is announced by its name: in every window, each input a user can reach has a
non-empty accessible name, and that name holds the words of the label that names it (a choice
field says its label, not "— not yet —"; a next step's fields say which step and what)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from tests.helpers.screens.focus import describe
from tests.helpers.screens.windows import every_window
from winback_desktop.ui.kit.access.names import plain

INPUTS = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit, QAbstractItemView)


def label_of(widget: QWidget, window: QWidget) -> str | None:
    for label in window.findChildren(QLabel):
        if label.buddy() is widget:
            return plain(label.text())
    for form in window.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if field is not None and field.widget() is widget and label is not None:
                if isinstance(label.widget(), QLabel):
                    return plain(label.widget().text())
    return None


def inner(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QAbstractItemView)):
            return True
        parent = parent.parentWidget()
    return False


def unnamed(window: QWidget) -> list[str]:
    problems = []
    for w in window.findChildren(QWidget):
        if not isinstance(w, INPUTS) or w.window() is not window or not w.isVisible() or inner(w):
            continue
        name = w.accessibleName().strip()
        label = label_of(w, window)
        if not name:
            problems.append(f"{describe(w)} has no accessible name (its label: {label!r})")
        elif isinstance(w, QComboBox) and name == w.currentText():
            problems.append(f"{describe(w)} is announced by its current item {name!r}")
        elif label and label.lower() not in name.lower():
            problems.append(f"{describe(w)} is named {name!r}, not by its label {label!r}")
    return problems


def test_every_field_of_every_window_is_named_by_its_label(qtbot, demo_ctx, tmp_path):
    problems = []
    for name, window in every_window(demo_ctx, tmp_path):
        problems += [f"{name}: {p}" for p in unnamed(window)]
    assert problems == [], "\n".join(sorted(set(problems)))


def test_a_next_steps_fields_say_which_step_and_what(qtbot, demo_ctx, tmp_path):
    for name, window in every_window(demo_ctx, tmp_path):
        if name == "call-with-step":
            row = window.editor("next_steps").rows[-1]
            n = len(window.editor("next_steps").rows)
            assert row.what.accessibleName() == f"Next step {n}: what will happen"
            assert row.owner.accessibleName() == f"Next step {n}: who does it"
            assert row.due.accessibleName() == f"Next step {n}: due date"
            assert row.remove.accessibleName() == f"Remove next step {n}"
            keep = window.editor("keep_in_touch")
            assert keep.accessibleName() == "May we keep in touch?" != keep.currentText()
            return
    raise AssertionError("no call with a next step was opened")
