"""First-run setup (and File ▸ Company and desk…): our company's name, said on every call, and
who is at this desk. The rules are ``services/first_run.py``'s."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.services import first_run, settings
from winback_desktop.services.context import AppContext
from winback_desktop.services.people import team
from winback_desktop.services.vocab import Role
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.widgets import buddy_label

SOMEONE_NEW = None  # the "someone new" entry of the people box


class SetupDialog(QDialog):
    """``result_value`` is what was stored, once accepted."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, first: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.result_value: first_run.SetUp | None = None
        self.setWindowTitle("Welcome to Win-Back Desk" if first else "Company and desk")
        intro = QLabel(
            "Two things before the first call. Both can be changed later (File ▸ Company and desk…)."
            if first
            else "Our company's name, said on every call, and who is at this desk."
        )
        intro.setWordWrap(True)
        self.company = QLineEdit(
            settings.configured_company_name(ctx), placeholderText="e.g. Brightwater Provisions"
        )
        self.company.setMaxLength(settings.COMPANY_NAME_MAX)
        self.company_hint = QLabel()
        self.company_hint.setObjectName("hint")
        self.company.textChanged.connect(self._say_company)
        self.person = QComboBox()
        me = team.current_user(ctx)
        for p in team.list_people(ctx):
            self.person.addItem(f"{p.name} ({p.role_label})", p.id)
        self.person.addItem("Someone new (type the name below)", SOMEONE_NEW)
        self.person.setCurrentIndex(max(self.person.findData(me.id), 0) if me else self.person.count() - 1)
        self.name = QLineEdit(placeholderText="Your name, e.g. Dana Whitfield")
        self.role = QComboBox()
        for value, label in Role.choices():
            self.role.addItem(label, value)
        self.role.setCurrentIndex(self.role.findData(Role.CALLER.value))
        self.title = QLineEdit(placeholderText="optional, e.g. Customer Care Manager (said on calls)")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {palette.colour('LATE')}")
        self.error.hide()
        form = QFormLayout()
        form.addRow(buddy_label("Our &company's name:", self.company), self.company)
        form.addRow("", self.company_hint)
        form.addRow(buddy_label("&Who is at this desk:", self.person), self.person)
        form.addRow(buddy_label("&Name:", self.name), self.name)
        form.addRow(buddy_label("&Role:", self.role), self.role)
        form.addRow(buddy_label("&Title:", self.title), self.title)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok, later = (
            buttons.button(b)
            for b in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel)
        )
        assert ok is not None and later is not None
        ok.setText("&Save" if not first else "&Start")
        later.setText("&Later" if first else "Cancel")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.person.currentIndexChanged.connect(lambda _i: self._new_person_fields())
        self._new_person_fields()
        self._say_company(self.company.text())
        self.resize(560, self.sizeHint().height())

    def _say_company(self, text: str) -> None:
        name = " ".join(text.split()) or settings.COMPANY_NAME.default
        self.company_hint.setText(f"Calls open with: “…, this is (you) at {name}.”")

    def _new_person_fields(self) -> None:
        new = self.person.currentData() is SOMEONE_NEW
        for w in (self.name, self.role, self.title):
            w.setEnabled(new)

    def save(self) -> None:
        """Store it, or say what is wrong (and where) and keep the dialog open."""
        person_id = self.person.currentData()
        try:
            self.result_value = first_run.set_up(
                self.ctx,
                self.company.text(),
                person_id,
                self.name.text() if person_id is SOMEONE_NEW else "",
                str(self.role.currentData()),
                self.title.text(),
            )
        except ValueError as exc:
            self.error.setText(f"Not saved: {exc}.")
            self.error.show()
            return
        self.accept()
