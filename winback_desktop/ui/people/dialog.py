"""The team: executives, recovery callers and partners (add, edit, retire) and who is using the app.

``PeopleDialog`` manages the team; ``ChooseUserDialog.ask_current_user`` asks "who are you?" at the
first start. Both call ``services.people`` only; a service's ValueError is a message for the user,
shown beside the form, never a crash.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from winback_desktop import APP_NAME
from winback_desktop.services.context import AppContext
from winback_desktop.services.people import team as people
from winback_desktop.services.people.team import PersonRecord
from winback_desktop.services.vocab import Role
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.actions import Action, Keys, Menu, build
from winback_desktop.ui.kit.confirm import confirm
from winback_desktop.ui.kit.table_model import ID_ROLE, Column, TableModel
from winback_desktop.ui.kit.widgets import with_name, with_tip


def error_style() -> str:
    """A form's error box, in the current scheme's colours (kit/palette.py)."""
    c = palette.colour
    return (
        f"QLabel {{ background: {c('ERROR_FACE')}; border: 1px solid {c('ERROR_LINE')}; border-radius: 4px;"
        f" padding: 6px 8px; color: {c('ERROR_TEXT')}; }}"
    )


def bad_field_style() -> str:
    return f"border: 1px solid {palette.colour('BAD_FIELD')}; border-radius: 3px; padding: 2px;"


# The team dialog's shortcuts (its buttons name them in their tooltips).
PEOPLE_ACTIONS = Menu(
    "",
    (
        Action("add", "Add…", lambda d: d.add_person(), ("Ctrl+N",), help="Add a person"),
        Action("edit", "Edit…", lambda d: d.edit_selected(), ("F2",), help="Edit the selected person"),
        Action(
            "retire",
            "Retire…",
            lambda d: d.retire_selected(),
            (QKeySequence.StandardKey.Delete,),
            help="Retire the selected person",
        ),
        Action(
            "me",
            "This is me",
            lambda d: d.make_selected_current(),
            ("Ctrl+M",),
            help="You are the selected person",
        ),
    ),
)
PEOPLE_KEYS = (Keys("Enter", "Edit the selected person"),)


def user_message(exc: Exception) -> str:
    """A service's terse error ("a person needs a name") as a sentence for the user."""
    text = str(exc).strip() or "That did not work."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def retire_warning(name: str, result: people.RetireResult) -> str:
    """ "Dana still has 2 booked calls and 3 open follow-ups" (empty when nothing is left)."""
    parts = []
    if result.scheduled_calls:
        parts.append(plural(result.scheduled_calls, "booked call"))
    if result.open_actions:
        parts.append(plural(result.open_actions, "open follow-up"))
    return f"{name} still has {' and '.join(parts)}" if parts else ""


# --- the model -------------------------------------------------------------------------------------


def _retired(p: PersonRecord) -> QColor | None:
    return QColor(palette.colour("MUTED")) if not p.active else None


COLUMNS: tuple[Column[PersonRecord], ...] = (
    Column("Name", lambda p: p.name, color=_retired),
    Column("Role", lambda p: p.role_label, color=_retired),
    Column("Title", lambda p: p.title, color=_retired),
    Column("Email", lambda p: p.email, color=_retired),
)
NAME, ROLE, TITLE, EMAIL = range(len(COLUMNS))


class PeopleModel(TableModel[PersonRecord]):
    """People as rows: retired ones greyed, the current user in bold with "(you)"."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(COLUMNS, parent)
        self.current_id: int | None = None

    def set_people(self, rows: list[PersonRecord], current_id: int | None) -> None:
        self.current_id = current_id
        self.set_rows(rows)

    def cell(self, p: PersonRecord, column: int, role: int) -> Any:
        me = p.id == self.current_id
        if role == Qt.ItemDataRole.DisplayRole and column == NAME:
            return p.name + ("  (you)" if me else "") + ("  (retired)" if not p.active else "")
        if role == Qt.ItemDataRole.FontRole and (me or not p.active):
            font = QFont()
            font.setBold(me)
            font.setItalic(not p.active)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if not p.active:
                return f"{p.name} is retired: kept in the history, no longer offered in the pickers."
            return f"{p.name} is using {APP_NAME} on this computer." if me else None
        return super().cell(p, column, role)


# --- the form --------------------------------------------------------------------------------------


class PersonForm(QDialog):
    """Name, role, title and email of a new or existing person; saves through the service.

    A validation error stays in the dialog, in a red box under the fields, with the field it is
    about outlined and focused; the dialog closes only when the service accepted the values.
    """

    def __init__(self, ctx: AppContext, person: PersonRecord | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.person = ctx, person
        self.person_id: int | None = person.id if person else None
        self.setWindowTitle(f"Edit {person.name}" if person else "Add a person")
        self.name = QLineEdit(placeholderText="e.g. Dana Whitfield")
        self.role = QComboBox()
        for key, label in Role.choices():
            self.role.addItem(label, key)
        self.title = QLineEdit(placeholderText="optional, e.g. Chief Operating Officer")
        self.email = QLineEdit(placeholderText="optional, e.g. dana@example.com (for invitations)")
        self.role.setToolTip(
            "Executive: calls a handful of customers each cycle, with a partner.\n"
            "Recovery caller: works through the larger call list.\n"
            "Partner: books the executive's calls and owns the follow-up."
        )
        if person:
            self.name.setText(person.name)
            self.role.setCurrentIndex(max(self.role.findData(person.role), 0))
            self.title.setText(person.title)
            self.email.setText(person.email)
        self.error = with_name(QLabel(wordWrap=True), "formError")
        self.error.setStyleSheet(error_style())
        self.error.hide()
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Role:", self.role)
        form.addRow("&Title:", self.title)
        form.addRow("E&mail:", self.email)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        for w in (self.name, self.title, self.email):
            w.textEdited.connect(lambda _t: self._clear_error())
        self.setMinimumWidth(460)
        ready(self, "person")

    def values(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "role": self.role.currentData(),
            "title": self.title.text(),
            "email": self.email.text(),
        }

    def save(self) -> bool:
        """Add or change the person; True when saved (and the dialog accepted)."""
        v = self.values()
        try:
            if self.person_id is None:
                self.person_id = people.add_person(self.ctx, v["name"], v["role"], v["title"], v["email"])
            else:
                people.edit_person(self.ctx, self.person_id, **v)
        except (ValueError, LookupError) as exc:
            self.show_error(exc)
            return False
        self.accept()
        return True

    def show_error(self, exc: Exception) -> None:
        self._clear_error()
        message = user_message(exc)
        self.error.setText(message)
        self.error.show()
        lower = message.lower()
        field = (
            self.email
            if "email" in lower or "@" in lower
            else self.title
            if "title" in lower
            else self.role
            if "role" in lower
            else self.name
        )
        field.setStyleSheet(bad_field_style())
        field.setFocus()
        if isinstance(field, QLineEdit):
            field.selectAll()

    def _clear_error(self) -> None:
        self.error.hide()
        for w in (self.name, self.role, self.title, self.email):
            w.setStyleSheet("")


# --- the team --------------------------------------------------------------------------------------


class PeopleDialog(QDialog):
    """Add, edit, retire and bring back people; "This is me" picks the current user.

    Emits ``changed`` after anything was saved, so pickers elsewhere can reload.
    """

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("People")
        intro = with_name(
            QLabel(
                "Executives call a handful of departed customers each cycle with a tag-team partner; "
                "recovery callers work through the rest of the list. Retired people stay in the "
                "history of their calls but leave the pickers.",
                wordWrap=True,
            ),
            "hint",
        )
        self.you = QLabel(textFormat=Qt.TextFormat.RichText)
        self._build_table()
        self.show_retired = with_tip(QCheckBox("Show &retired"), "Also list retired people (greyed)")

        self.add_button = with_tip(QPushButton("&Add…"), "Add a person (Ctrl+N)")
        self.edit_button = with_tip(QPushButton("&Edit…"), "Change name, role, title or email (Enter or F2)")
        self.retire_button = with_tip(
            QPushButton("Re&tire…"), "Retire: history stays, the pickers stop offering them (Delete)"
        )
        self.back_button = with_tip(QPushButton("&Bring back"), "Offer a retired person in the pickers again")
        self.me_button = with_tip(QPushButton("This is &me"), "You are using Win-Back Desk (Ctrl+M)")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        # No default button: Enter on a row edits it (and must not also close the dialog); Esc closes.
        close.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        for b in (self.add_button, self.edit_button, self.retire_button, self.back_button, self.me_button):
            b.setAutoDefault(False)
        side = QVBoxLayout()
        for b in (self.add_button, self.edit_button, self.retire_button, self.back_button):
            side.addWidget(b)
        side.addSpacing(16)
        side.addWidget(self.me_button)
        side.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addLayout(side)
        bottom = QHBoxLayout()
        bottom.addWidget(self.show_retired)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addWidget(self.you)
        layout.addSpacing(2)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)

        self.add_button.clicked.connect(self.add_person)
        self.edit_button.clicked.connect(self.edit_selected)
        self.retire_button.clicked.connect(self.retire_selected)
        self.back_button.clicked.connect(self.bring_back_selected)
        self.me_button.clicked.connect(self.make_selected_current)
        self.show_retired.toggled.connect(lambda _on: self.refresh())
        self.table.activated.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.commands = build(self, (PEOPLE_ACTIONS,))
        ready(self, "people", QSize(980, 480))
        self.refresh()
        self.table.setFocus()

    def _build_table(self) -> None:
        """The people, in the service's order (by name) until a header is clicked."""
        self.model = PeopleModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setAccessibleName("People")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's order: by name
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in ((NAME, 210), (ROLE, 120), (TITLE, 220)):
            header.resizeSection(col, width)

    # -- state -----------------------------------------------------------------------------------
    def refresh(self, select_id: int | None = None) -> None:
        if select_id is None:
            select_id = self.selected_id()
        current = people.current_user(self.ctx)
        rows = people.list_people(self.ctx, include_retired=self.show_retired.isChecked())
        self.model.set_people(rows, current.id if current else None)
        if current:
            self.you.setText(f"You are <b>{current.name}</b> ({current.role_label.lower()}).")
        else:
            self.you.setText(
                "<i>Nobody is chosen as the current user yet: select yourself and press “This is me”.</i>"
            )
        if (select_id is None or not self.select_person(select_id)) and self.model.rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    def select_person(self, person_id: int) -> bool:
        row = self.model.row_of(person_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def selected(self) -> PersonRecord | None:
        sm = self.table.selectionModel()
        rows = sm.selectedRows() if sm else []
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def selected_id(self) -> int | None:
        p = self.selected()
        return p.id if p else None

    def _update_buttons(self) -> None:
        p = self.selected()
        self.edit_button.setEnabled(p is not None)
        self.retire_button.setEnabled(p is not None and p.active)
        self.back_button.setEnabled(p is not None and not p.active)
        self.back_button.setVisible(self.show_retired.isChecked())
        self.me_button.setEnabled(p is not None and p.active and p.id != self.model.current_id)

    # -- commands ------------------------------------------------------------------------------
    def person_form(self, person: PersonRecord | None = None) -> PersonForm:
        """The add/edit form (its own method so tests can drive it without a modal loop)."""
        return PersonForm(self.ctx, person, self)

    def add_person(self) -> int | None:
        form = self.person_form()
        if form.exec() != QDialog.DialogCode.Accepted or form.person_id is None:
            return None
        self.refresh(select_id=form.person_id)
        self.changed.emit()
        return form.person_id

    def edit_selected(self) -> bool:
        p = self.selected()
        if p is None:
            return False
        form = self.person_form(p)
        if form.exec() != QDialog.DialogCode.Accepted:
            return False
        self.refresh(select_id=p.id)
        self.changed.emit()
        return True

    def retire_selected(self) -> bool:
        """Retire the selected person; if they still have booked calls or open follow-ups, say so
        and ask first (No changes nothing)."""
        p = self.selected()
        if p is None or not p.active:
            return False
        warning = retire_warning(p.name, people.open_work(self.ctx, p.id))
        if warning:
            you = (
                "\n\nYou are the current user: Win-Back Desk will ask who is using it."
                if (p.id == self.model.current_id)
                else ""
            )
            if not confirm(
                self,
                f"Retire {p.name}?",
                f"{warning}.\n\nRetire {p.name} anyway? These stay in their name until you hand "
                f"them over (the follow-up board can reassign them); their history is kept.{you}",
            ):
                return False
        people.retire_person(self.ctx, p.id)
        self.refresh(select_id=p.id)
        self.changed.emit()
        return True

    def bring_back_selected(self) -> bool:
        p = self.selected()
        if p is None or p.active:
            return False
        people.unretire_person(self.ctx, p.id)
        self.refresh(select_id=p.id)
        self.changed.emit()
        return True

    def make_selected_current(self) -> bool:
        p = self.selected()
        if p is None:
            return False
        try:
            people.set_current_user(self.ctx, p.id)
        except (ValueError, LookupError) as exc:
            QMessageBox.information(self, "This is me", user_message(exc))
            return False
        self.refresh(select_id=p.id)
        self.changed.emit()
        return True


# --- first start -----------------------------------------------------------------------------------


class ChooseUserDialog(QDialog):
    """ "Who is using Win-Back Desk?": the active people; OK remembers the choice."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.chosen: PersonRecord | None = None
        self.setWindowTitle(f"Who is using {APP_NAME}?")
        question = QLabel(f"<b>Who is using {APP_NAME}?</b>", textFormat=Qt.TextFormat.RichText)
        hint = with_name(
            QLabel(
                "Your calls, call-backs and follow-ups are shown for you. You can change this later "
                "under People.",
                wordWrap=True,
            ),
            "hint",
        )
        self.list = QListWidget()
        self.list.setAccessibleName("People")
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        self.add_button = with_tip(QPushButton("&Add someone…"), "Not in the list? Add yourself")
        self.add_button.setAutoDefault(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&That's me")
        ok.setDefault(True)
        self.buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.choose)
        self.buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(self.add_someone)
        self.list.itemDoubleClicked.connect(lambda _item: self.choose())  # Enter: the OK default
        self.list.currentItemChanged.connect(lambda *_: self._update_ok())
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        ready(self, "choose_user", QSize(480, 460))
        self.reload()
        self.list.setFocus()

    def reload(self, select_id: int | None = None) -> None:
        current = people.current_user(self.ctx)
        if select_id is None and current:
            select_id = current.id
        self.list.clear()
        for p in people.list_people(self.ctx):
            details = p.role_label + (
                f" · {p.title}" if p.title and p.title.lower() != p.role_label.lower() else ""
            )
            item = QListWidgetItem(f"{p.name}\n{details}")
            item.setToolTip(p.email or "")
            item.setData(ID_ROLE, p.id)
            self.list.addItem(item)
            if p.id == select_id:
                self.list.setCurrentItem(item)
        if self.list.count() == 0:
            item = QListWidgetItem("Nobody yet: press “Add someone…” to add yourself.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        elif self.list.currentItem() is None:
            self.list.setCurrentRow(0)
        self._update_ok()

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def select_person(self, person_id: int) -> bool:
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == person_id:
                self.list.setCurrentRow(i)
                return True
        return False

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.selected_id() is not None)

    def person_form(self) -> PersonForm:
        return PersonForm(self.ctx, None, self)

    def add_someone(self) -> int | None:
        form = self.person_form()
        if form.exec() != QDialog.DialogCode.Accepted or form.person_id is None:
            return None
        self.reload(select_id=form.person_id)
        return form.person_id

    def choose(self) -> bool:
        person_id = self.selected_id()
        if person_id is None:
            return False
        try:
            people.set_current_user(self.ctx, person_id)
        except (ValueError, LookupError) as exc:
            QMessageBox.information(self, self.windowTitle(), user_message(exc))
            self.reload()
            return False
        self.chosen = people.current_user(self.ctx)
        self.accept()
        return True

    @staticmethod
    def ask_current_user(ctx: AppContext, parent: QWidget | None = None) -> PersonRecord | None:
        """Ask who is using the app; the chosen person (remembered), or None when cancelled."""
        dialog = ChooseUserDialog(ctx, parent)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.chosen
            return None
        finally:
            dialog.deleteLater()


ask_current_user = ChooseUserDialog.ask_current_user
