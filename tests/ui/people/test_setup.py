"""First run: a fresh database asks our company's name and who is at this desk; the calls then
say that name. The sample data (and every test built on it) is no first run."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from tests.helpers.dialogs import when_shown
from winback_desktop.services import first_run, settings
from winback_desktop.services.people import team
from winback_desktop.ui.main_window import MainWindow
from winback_desktop.ui.people.setup_dialog import SetupDialog


def window_on(qtbot, ctx) -> MainWindow:
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def press(dialog: SetupDialog, which: QDialogButtonBox.StandardButton) -> None:
    box = dialog.findChild(QDialogButtonBox)
    box.button(which).click()


def test_a_fresh_database_asks_and_the_calls_say_our_name(qtbot, ctx, tmp_path):
    assert first_run.is_first_run(ctx)
    window = window_on(qtbot, ctx)
    seen = []

    def fill(d: SetupDialog) -> None:
        seen.append(d.windowTitle())
        d.grab().save(str(tmp_path / "setup.png"))
        d.company.setText("  Brightwater   Provisions ")
        d.person.setCurrentIndex(d.person.findData(None))
        d.name.setText("Dana Whitfield")
        d.role.setCurrentIndex(d.role.findData("executive"))
        d.title.setText("Chief Operating Officer")
        press(d, QDialogButtonBox.StandardButton.Ok)

    when_shown(SetupDialog, fill)
    window.offer_first_run()
    assert seen == ["Welcome to Win-Back Desk"]
    assert settings.company_name(ctx) == "Brightwater Provisions"
    me = team.current_user(ctx)
    assert me is not None and (me.name, me.role, me.title) == (
        "Dana Whitfield",
        "executive",
        "Chief Operating Officer",
    )
    assert not first_run.is_first_run(ctx)
    assert window.caller.currentData() == me.id  # the people boxes follow
    window.offer_first_run()  # not asked again (nothing is shown: no answer is queued)


def test_later_changes_nothing_and_a_bad_name_is_said_where(qtbot, ctx):
    window = window_on(qtbot, ctx)
    when_shown(SetupDialog, lambda d: press(d, QDialogButtonBox.StandardButton.Cancel))
    window.offer_first_run()
    assert first_run.is_first_run(ctx) and team.list_people(ctx) == []

    errors = []

    def bad(d: SetupDialog) -> None:
        d.company.setText("Brightwater")
        d.person.setCurrentIndex(d.person.findData(None))
        d.name.setText("Dana")
        d.role.setCurrentIndex(-1)  # no role: refused before anything is written
        press(d, QDialogButtonBox.StandardButton.Ok)
        errors.append(d.error.text() if d.error.isVisible() else "")
        press(d, QDialogButtonBox.StandardButton.Cancel)

    when_shown(SetupDialog, bad)
    window.offer_first_run()
    assert errors and errors[0].startswith("Not saved: ") and "role" in errors[0]
    assert settings.stored(ctx, settings.COMPANY_NAME) is None and team.list_people(ctx) == []


def test_the_sample_data_is_no_first_run(demo_ctx):
    assert not first_run.is_first_run(demo_ctx)
