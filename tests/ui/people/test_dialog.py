"""The People dialog and "who is using Win-Back Desk?": driven through the widgets, checked in the DB."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from winback_desktop.services.people import team as people
from winback_desktop.ui.people.dialog import (
    NAME,
    ChooseUserDialog,
    PeopleDialog,
    PersonForm,
    ask_current_user,
    retire_warning,
)

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def dialog(qtbot, demo_ctx):
    d = PeopleDialog(demo_ctx)
    qtbot.addWidget(d)
    return d


def by_name(ctx, name: str, include_retired: bool = True) -> people.PersonRecord:
    return next(p for p in people.list_people(ctx, include_retired=include_retired) if p.name == name)


def drive_form(monkeypatch, owner, fill):
    """Make ``owner.person_form()`` return a form whose exec() fills it in and presses Save."""
    made: list[PersonForm] = []
    real = owner.person_form

    def make(*args):
        form = real(*args)

        def run():
            fill(form)
            return QDialog.DialogCode.Accepted if form.save() else QDialog.DialogCode.Rejected

        form.exec = run
        made.append(form)
        return form

    monkeypatch.setattr(owner, "person_form", make)
    return made


def no_question(*args, **kwargs):
    raise AssertionError(f"no question expected: {args[1:3]}")


def shown_names(d: PeopleDialog) -> list[str]:
    proxy = d.table.model()
    return [proxy.index(r, NAME).data() for r in range(proxy.rowCount())]


def test_people_model(qtmodeltester, dialog):
    dialog.show_retired.setChecked(True)
    qtmodeltester.check(dialog.model)


def test_lists_the_team_with_roles(dialog, demo_ctx):
    assert len(shown_names(dialog)) == 7
    proxy = dialog.table.model()
    roles = {proxy.index(r, NAME).data(): proxy.index(r, 1).data() for r in range(proxy.rowCount())}
    assert roles["Eleanor Hartley"] == "Executive"
    assert roles["Aoife Brennan"] == "Recovery caller"
    assert roles["Daniel Okonkwo"] == "Partner"


def test_add_a_person_through_the_form(dialog, demo_ctx, monkeypatch):
    def fill(form):
        form.name.setText("Dana Whitfield")
        form.role.setCurrentIndex(form.role.findData("caller"))
        form.title.setText("Recovery caller")
        form.email.setText("dana@brightwater.example")

    drive_form(monkeypatch, dialog, fill)
    with_signal = []
    dialog.changed.connect(lambda: with_signal.append(True))
    dialog.add_button.click()
    dana = by_name(demo_ctx, "Dana Whitfield")
    assert (dana.role, dana.title, dana.email, dana.active) == (
        "caller",
        "Recovery caller",
        "dana@brightwater.example",
        True,
    )
    assert dialog.selected_id() == dana.id and with_signal
    assert "Dana Whitfield" in shown_names(dialog)


def test_edit_a_person_through_the_form(dialog, demo_ctx, monkeypatch):
    priya = by_name(demo_ctx, "Priya Raman")
    assert dialog.select_person(priya.id)

    def fill(form):
        assert form.name.text() == "Priya Raman" and form.role.currentData() == "caller"
        form.role.setCurrentIndex(form.role.findData("partner"))
        form.title.setText("Partner to the CCO")

    drive_form(monkeypatch, dialog, fill)
    assert dialog.edit_selected()
    changed = people.get_person(demo_ctx, priya.id)
    assert (changed.role, changed.title, changed.name) == ("partner", "Partner to the CCO", "Priya Raman")


def test_an_empty_name_is_shown_beside_the_form_not_saved(qtbot, demo_ctx):
    before = len(people.list_people(demo_ctx, include_retired=True))
    form = PersonForm(demo_ctx)
    qtbot.addWidget(form)
    form.show()
    form.name.setText("   ")
    form.buttons.button(form.buttons.StandardButton.Save).click()
    assert form.error.isVisible()
    assert form.error.text() == "A person needs a name."
    assert form.result() != QDialog.DialogCode.Accepted and form.isVisible()
    assert form.name.hasFocus() or QApplication.focusWidget() in (form.name, None)
    assert len(people.list_people(demo_ctx, include_retired=True)) == before

    form.name.setText("Ana Ortiz")
    form.email.setText("not an address")
    assert not form.save()
    assert "does not look like an email address" in form.error.text()

    form.email.setText("ana@example.com")
    assert form.save()
    assert form.result() == QDialog.DialogCode.Accepted
    assert by_name(demo_ctx, "Ana Ortiz").email == "ana@example.com"


def test_a_bad_name_through_the_dialog_keeps_it_open_until_fixed(dialog, demo_ctx, monkeypatch):
    errors = []

    def fill(form):
        form.name.setText("")
        assert not form.save()
        errors.append(form.error.text())
        form.name.setText("Lee Park")

    drive_form(monkeypatch, dialog, fill)
    assert dialog.add_person() is not None
    assert errors == ["A person needs a name."]
    assert by_name(demo_ctx, "Lee Park").role == "executive"


def test_retire_someone_with_work_left_asks_first(dialog, demo_ctx, monkeypatch):
    daniel = by_name(demo_ctx, "Daniel Okonkwo")
    expected = people.open_work(demo_ctx, daniel.id)
    assert expected.scheduled_calls + expected.open_actions > 0, "the demo data gives Daniel some work"
    asked: list[str] = []

    def answer(reply):
        def question(parent, title, text, *args, **kwargs):
            asked.append(text)
            return reply

        return question

    dialog.select_person(daniel.id)

    def still_active_when_asked(reply):
        ask = answer(reply)

        def question(*args, **kwargs):
            assert people.get_person(demo_ctx, daniel.id).active  # asked before anything changes
            return ask(*args, **kwargs)

        return question

    monkeypatch.setattr(QMessageBox, "question", still_active_when_asked(QMessageBox.StandardButton.No))
    assert not dialog.retire_selected()
    assert people.get_person(demo_ctx, daniel.id).active  # No: nothing changed
    assert asked[0].startswith(retire_warning("Daniel Okonkwo", expected))
    assert asked[0].startswith("Daniel Okonkwo still has ")
    assert ("booked call" in asked[0]) == bool(expected.scheduled_calls)
    assert ("open follow-up" in asked[0]) == bool(expected.open_actions)

    dialog.select_person(daniel.id)
    monkeypatch.setattr(QMessageBox, "question", still_active_when_asked(QMessageBox.StandardButton.Yes))
    assert dialog.retire_selected()
    assert not people.get_person(demo_ctx, daniel.id).active
    assert "Daniel Okonkwo" not in shown_names(dialog)


def test_retire_warning_wording():
    result = people.RetireResult(1, scheduled_calls=2, open_actions=3)
    assert retire_warning("Dana", result) == "Dana still has 2 booked calls and 3 open follow-ups"
    assert retire_warning("Dana", people.RetireResult(1, 1, 0)) == "Dana still has 1 booked call"
    assert retire_warning("Dana", people.RetireResult(1, 0, 0)) == ""


def test_retire_and_bring_back(dialog, demo_ctx, monkeypatch):
    idle = people.add_person(demo_ctx, "Idle Ida", "caller")
    dialog.refresh(select_id=idle)
    monkeypatch.setattr(QMessageBox, "question", no_question)  # nothing left: no question
    retire = dialog.retire_button
    assert retire.isEnabled()
    retire.click()
    assert not people.get_person(demo_ctx, idle).active
    assert "Idle Ida" not in shown_names(dialog)

    dialog.show_retired.setChecked(True)
    assert "Idle Ida  (retired)" in shown_names(dialog)
    row = dialog.model.row_of(idle)
    index = dialog.model.index(row, NAME)
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert dialog.select_person(idle)
    assert dialog.back_button.isEnabled() and not dialog.retire_button.isEnabled()
    assert not dialog.me_button.isEnabled()  # a retired person cannot be "me"
    dialog.back_button.click()
    assert people.get_person(demo_ctx, idle).active
    assert "Idle Ida" in shown_names(dialog)


def test_this_is_me(dialog, demo_ctx):
    assert people.current_user(demo_ctx) is None
    assert "Nobody" in dialog.you.text()
    aoife = by_name(demo_ctx, "Aoife Brennan")
    dialog.select_person(aoife.id)
    dialog.me_button.click()
    assert people.current_user(demo_ctx).id == aoife.id
    index = dialog.model.index(dialog.model.row_of(aoife.id), NAME)
    assert index.data() == "Aoife Brennan  (you)"
    assert index.data(Qt.ItemDataRole.FontRole).bold()
    assert "Aoife Brennan" in dialog.you.text()
    assert not dialog.me_button.isEnabled()  # already me


def test_shortcuts(qtbot, dialog, demo_ctx, monkeypatch):
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    rafael = by_name(demo_ctx, "Rafael Mendonça")
    dialog.select_person(rafael.id)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_M, CTRL)
    assert people.current_user(demo_ctx).id == rafael.id

    made = drive_form(monkeypatch, dialog, lambda form: form.name.setText("Keyboard Kim"))
    qtbot.keyClick(dialog.table, Qt.Key.Key_N, CTRL)
    assert made and by_name(demo_ctx, "Keyboard Kim").active

    # Enter on a row edits it, and the People dialog stays open afterwards.
    edited = drive_form(monkeypatch, dialog, lambda form: form.title.setText("Edited by Enter"))
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert len(edited) == 1 and dialog.isVisible()
    assert by_name(demo_ctx, "Keyboard Kim").title == "Edited by Enter"

    # Delete retires (Idle: nothing to hand over, so no question).
    monkeypatch.setattr(QMessageBox, "question", no_question)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert not by_name(demo_ctx, "Keyboard Kim").active
    assert dialog.isVisible()


def test_choose_user_dialog_sets_the_current_user(qtbot, demo_ctx):
    chooser = ChooseUserDialog(demo_ctx)
    qtbot.addWidget(chooser)
    assert chooser.list.count() == 7
    sofie = by_name(demo_ctx, "Sofie Lindqvist")
    assert chooser.select_person(sofie.id)
    chooser.buttons.button(chooser.buttons.StandardButton.Ok).click()
    assert chooser.result() == QDialog.DialogCode.Accepted
    assert chooser.chosen.id == sofie.id
    assert people.current_user(demo_ctx).id == sofie.id


def test_choose_user_by_keyboard(qtbot, demo_ctx):
    chooser = ChooseUserDialog(demo_ctx)
    qtbot.addWidget(chooser)
    chooser.show()
    qtbot.waitExposed(chooser)
    chooser.activateWindow()
    qtbot.waitUntil(chooser.isActiveWindow)
    assert chooser.list.hasFocus()
    qtbot.keyClick(chooser.list, Qt.Key.Key_Down)
    second = chooser.selected_id()
    qtbot.keyClick(chooser.list, Qt.Key.Key_Return)
    assert chooser.result() == QDialog.DialogCode.Accepted and not chooser.isVisible()
    assert people.current_user(demo_ctx).id == second


def test_choose_user_leaves_out_retired_people(qtbot, demo_ctx):
    tomas = by_name(demo_ctx, "Tomás Quintero")
    people.retire_person(demo_ctx, tomas.id)
    chooser = ChooseUserDialog(demo_ctx)
    qtbot.addWidget(chooser)
    assert not chooser.select_person(tomas.id)
    assert chooser.list.count() == 6


def test_ask_current_user(demo_ctx, monkeypatch):
    priya = by_name(demo_ctx, "Priya Raman")

    def run(self):
        assert self.select_person(priya.id)
        return QDialog.DialogCode.Accepted if self.choose() else QDialog.DialogCode.Rejected

    monkeypatch.setattr(ChooseUserDialog, "exec", run)
    chosen = ChooseUserDialog.ask_current_user(demo_ctx)
    assert chosen is not None and chosen.id == priya.id
    assert people.current_user(demo_ctx).id == priya.id

    monkeypatch.setattr(ChooseUserDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert ask_current_user(demo_ctx) is None
    assert people.current_user(demo_ctx).id == priya.id  # cancelled: unchanged


def test_first_start_on_an_empty_team_adds_yourself(qtbot, ctx, monkeypatch):
    chooser = ChooseUserDialog(ctx)
    qtbot.addWidget(chooser)
    assert chooser.selected_id() is None
    assert not chooser.buttons.button(chooser.buttons.StandardButton.Ok).isEnabled()

    def fill(form):
        form.name.setText("Solo Sam")
        form.role.setCurrentIndex(form.role.findData("caller"))

    drive_form(monkeypatch, chooser, fill)
    chooser.add_button.click()
    assert chooser.selected_id() is not None
    assert chooser.choose()
    assert people.current_user(ctx).name == "Solo Sam"
