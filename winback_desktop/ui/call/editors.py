"""Composite editors for reasons, offers and next steps; each saves through a CallSession."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.writer import why_not_saved
from winback_desktop.services.dto import ActionInfo, CallDetail, ReasonInfo
from winback_desktop.ui.call.fields import ActionRow, CheckList
from winback_desktop.ui.call.session import CallSession
from winback_desktop.ui.kit.access.focus import order_tabs
from winback_desktop.ui.kit.jobs import ThreadJob


class ReasonsEditor(QWidget):
    def __init__(self, session: CallSession, reasons: list[ReasonInfo], detail: CallDetail):
        super().__init__()
        self.session = session
        self.primary = QComboBox()
        self.primary.addItem("— choose the main reason —", None)
        for r in reasons:
            self.primary.addItem(f"{r.label}  ({r.category})", r.id)
        self.others = CheckList([(r.id, r.label) for r in reasons])
        self.others.setToolTip("Space ticks a reason")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Main reason", self.primary)
        form.addRow("Also played a part", self.others)
        if detail.primary_reason:
            self.primary.setCurrentIndex(self.primary.findData(detail.primary_reason.id))
        self.others.set_checked(r.id for r in detail.other_reasons)
        self.primary.currentIndexChanged.connect(self._changed)
        self.others.changed.connect(self._changed)

    def value(self) -> tuple[int | None, list[int]]:
        return self.primary.currentData(), [int(x) for x in self.others.checked()]

    def _changed(self, *_args: object) -> None:
        self.session.reasons(self.value)


class OffersEditor(QWidget):
    def __init__(self, session: CallSession, options: list[tuple[int, str, str]], detail: CallDetail):
        super().__init__()
        self.session = session
        self.catalogue = CheckList([(oid, label) for oid, label, _d in options])
        for i, (_oid, _label, description) in enumerate(options):
            self.catalogue.item(i).setToolTip(description)
        self.other = QLineEdit(placeholderText="Something else, in your words (personal to them)")
        self.catalogue.setAccessibleName("What we can offer: our list")
        self.other.setAccessibleName("What we can offer: something else, in your words")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.catalogue)
        layout.addWidget(self.other)
        self.catalogue.set_checked(o.option_id for o in detail.offers if o.option_id is not None)
        self.other.setText("; ".join(o.label for o in detail.offers if o.option_id is None))
        self.catalogue.changed.connect(self._changed)
        self.other.textEdited.connect(self._changed)

    def value(self) -> tuple[list[int], list[str]]:
        return [int(x) for x in self.catalogue.checked()], [self.other.text()]

    def _changed(self, *_args: object) -> None:
        self.session.offers(self.value)


class ActionsEditor(QWidget):
    """Next steps: rows of what / owner / due; the owner defaults to the partner.
    ``steps_changed``: a step was added, removed or edited (the Close stage reads them back)."""

    steps_changed = Signal()

    def __init__(self, session: CallSession, people: list[tuple[int, str]], detail: CallDetail):
        super().__init__()
        self.session, self.people = session, people
        self.default_owner = detail.partner.id if detail.partner else None
        self.rows: list[ActionRow] = []
        self.rows_box = QVBoxLayout()
        self.rows_box.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel("No next steps yet. Anything promised goes here: what, who, by when.")
        self.empty.setObjectName("hint")
        self.add_button = QPushButton("Add next step")
        self.add_button.setToolTip("Add a next step (Ctrl+Shift+N)")
        self.add_button.clicked.connect(self.add_step)
        self.waiting = QLabel()  # a step not in the database yet: why, while it is not
        self.waiting.setObjectName("hint")
        self.waiting.setWordWrap(True)
        self.waiting.hide()
        self.retry_button = QPushButton("Try again")
        self.retry_button.setToolTip("Add the waiting next step to the database again")
        self.retry_button.clicked.connect(self._retry)
        self.retry_button.hide()
        self._job: ThreadJob | None = None
        self.unsaved_row: ActionRow | None = None  # on screen, waiting for its id
        self.problem: str | None = None  # why the last try to add it failed
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addLayout(self.rows_box)
        waiting = QHBoxLayout()
        waiting.addWidget(self.waiting, 1)
        waiting.addWidget(self.retry_button)
        layout.addLayout(waiting)
        layout.addWidget(self.add_button)
        for a in detail.actions:
            self._add_row(a)
        self._update_empty()

    def _add_row(self, a: ActionInfo) -> ActionRow:
        row = ActionRow(a.id, self.people)
        row.set_values(a.what, a.owner_id, a.due_date)
        row.changed.connect(lambda r=row: self._row_changed(r))
        row.remove_requested.connect(lambda r=row: self.remove_step(r))
        row.changed.connect(self.steps_changed)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        row.set_number(len(self.rows))
        return row

    @staticmethod
    def _row_value(row: ActionRow) -> dict[str, Any]:
        return {
            "what": row.what.text(),
            "owner_id": row.owner.currentData(),
            "due_date": row.due.date_value(),
        }

    def _row_changed(self, row: ActionRow) -> None:
        if row.action_id:  # else it is saved whole once the database gives it an id
            self.session.action(row.action_id, lambda: self._row_value(row))

    def add_step(self) -> ActionRow | None:
        """A new next step, on screen at once to type into; the database makes it (it needs its
        id) on a worker thread, so a busy database never freezes the window. While that waits,
        or when the database refuses (busy past its timeout, a full disk), what is typed into
        it stays on screen and is saved whole once the step is in the database. None when a
        step is already waiting (that one gets the focus)."""
        if self.unsaved_row is not None:
            self.unsaved_row.what.setFocus()
            return None
        # A due date one week out is a sensible default the caller can change.
        due = dt.date.today() + dt.timedelta(days=7)
        row = self._add_row(ActionInfo(0, self.session.call_id, "", self.default_owner, "", due, "open"))
        self.unsaved_row = row
        self._update_empty()
        order_tabs(self.window())  # the new row's fields right after the ones above it
        self.steps_changed.emit()
        row.what.setFocus()
        self._make_in_database()
        return row

    def _make_in_database(self) -> None:
        ctx, call_id = self.session.ctx, self.session.call_id
        self._job = ThreadJob(self, lambda _stop: calls.add_action(ctx, call_id), "winback-add-step")
        self._job.done.connect(self._made)
        self._job.failed.connect(self._not_made)
        self.add_button.setEnabled(False)
        self.retry_button.hide()
        self.waiting.setText("Adding the next step to the database…")
        self.waiting.show()

    @property
    def adding(self) -> bool:
        """A next step is on screen that the database does not have yet."""
        return self.unsaved_row is not None

    def _made(self, action_id: object) -> None:
        row, self.unsaved_row, self._job, self.problem = self.unsaved_row, None, None, None
        self.add_button.setEnabled(True)
        self.waiting.hide()
        self.retry_button.hide()
        if row is None or row not in self.rows:  # removed while it waited
            self.session.delete_action(int(str(action_id)))
            return
        row.action_id = int(str(action_id))
        self.session.action(row.action_id, lambda: self._row_value(row))  # what was typed meanwhile

    def _not_made(self, exc: object) -> None:
        self._job = None
        assert isinstance(exc, BaseException)
        why, known = why_not_saved(exc, self.session.ctx)
        if not known:
            raise exc
        self.problem = why
        self.add_button.setEnabled(True)
        self.waiting.setText(f"This next step is not in the database yet: {why}. What you type stays here.")
        self.retry_button.show()
        QMessageBox.warning(
            self,
            "Next step not added",
            f"The next step was not added to the database: {why}.\n\n"
            "What you typed into it stays on screen. Try again in a moment (the Try again button "
            "under the next steps).",
        )

    def _retry(self) -> None:
        if self.unsaved_row is not None and self._job is None:
            self._make_in_database()

    def remove_step(self, row: ActionRow) -> None:
        if row is self.unsaved_row and self._job is None:  # never made: nothing to delete
            self.unsaved_row = None
            self.waiting.hide()
            self.retry_button.hide()
        elif row.action_id:
            self.session.delete_action(row.action_id)
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        for n, left in enumerate(self.rows, start=1):
            left.set_number(n)
        self._update_empty()
        self.steps_changed.emit()

    def steps(self) -> list[tuple[str, str, dt.date | None]]:
        """Each step as shown: what, who (the owner's name, "" for none), by when."""
        return [
            (
                r.what.text(),
                r.owner.currentText() if r.owner.currentData() is not None else "",
                r.due.date_value(),
            )
            for r in self.rows
        ]

    def _update_empty(self) -> None:
        self.empty.setVisible(not self.rows)
