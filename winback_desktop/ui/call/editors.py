"""Composite editors for reasons, offers and next steps; each saves through a CallSession."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.services.calls.writer import why_not_saved
from winback_desktop.services.dto import ActionInfo, CallDetail, ReasonInfo
from winback_desktop.ui.call.fields import ActionRow, CheckList
from winback_desktop.ui.call.session import CallSession


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
    """Next steps: rows of what / owner / due; the owner defaults to the partner."""

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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addLayout(self.rows_box)
        layout.addWidget(self.add_button)
        for a in detail.actions:
            self._add_row(a)
        self._update_empty()

    def _add_row(self, a: ActionInfo) -> ActionRow:
        row = ActionRow(a.id, self.people)
        row.set_values(a.what, a.owner_id, a.due_date)
        row.changed.connect(lambda r=row: self.session.action(r.action_id, lambda: self._row_value(r)))
        row.remove_requested.connect(lambda r=row: self.remove_step(r))
        self.rows.append(row)
        self.rows_box.addWidget(row)
        return row

    @staticmethod
    def _row_value(row: ActionRow) -> dict[str, Any]:
        return {
            "what": row.what.text(),
            "owner_id": row.owner.currentData(),
            "due_date": row.due.date_value(),
        }

    def add_step(self) -> ActionRow | None:
        """A new next step, made in the database at once (it needs its id); None, with the
        reason said, when the database refuses it (busy past its timeout, a full disk)."""
        try:
            action_id = self.session.add_action()  # the service makes the partner its owner
        except Exception as exc:
            why, known = why_not_saved(exc, self.session.ctx)
            if not known:
                raise
            QMessageBox.warning(
                self, "Next step not added", f"The next step was not added: {why}.\n\nTry again in a moment."
            )
            return None
        # A due date one week out is a sensible default the caller can change.
        due = dt.date.today() + dt.timedelta(days=7)
        row = self._add_row(
            ActionInfo(action_id, self.session.call_id, "", self.default_owner, "", due, "open")
        )
        self.session.action(row.action_id, lambda: self._row_value(row))
        self._update_empty()
        row.what.setFocus()
        return row

    def remove_step(self, row: ActionRow) -> None:
        self.session.delete_action(row.action_id)
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._update_empty()

    def _update_empty(self) -> None:
        self.empty.setVisible(not self.rows)
