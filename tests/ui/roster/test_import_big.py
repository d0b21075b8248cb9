"""The import dialog with a big basket file (issue 13, point 6): the bar moves, Stop while it
writes keeps nothing, and once the import is saved Stop is no longer offered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject

from bench.basket import MAPPING, write_basket_file
from tests.helpers.imports import counts, dump_hash
from winback_desktop.ui.roster.import_dialog import ImportDialog

LINES = 150_000


@pytest.fixture(scope="module")
def basket(tmp_path_factory):
    path = tmp_path_factory.mktemp("basket") / "transaction_data.csv"
    write_basket_file(path, LINES)
    return path


@pytest.fixture
def dialog(qtbot, ctx, basket):
    dialog = ImportDialog(ctx, "orders")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_ready, timeout=30000):
        assert dialog.load(basket)
    dialog.resize(1366 * 2 // 3, 680)
    dialog.show()
    for field, column in MAPPING.items():  # the file's own names: household_key, BASKET_ID ...
        combo = dialog.combos[field]
        combo.setCurrentIndex(combo.findData(column))
    assert dialog.mapping() == {**dialog.mapping(), **MAPPING}
    assert dialog.import_button.isEnabled()
    return dialog


def test_stop_while_it_writes_keeps_nothing(qtbot, ctx, dialog):
    before, before_counts = dump_hash(ctx), counts(ctx)
    dialog.import_button.click()
    bar = dialog.progress

    def writing() -> bool:  # each line is read and checked, then written: past half is writing
        return bar.maximum() > 0 and bar.value() > bar.maximum() // 2

    qtbot.waitUntil(writing, timeout=60000)
    assert dialog.cancel_button.text() == "Stop import" and dialog.cancel_button.isEnabled()
    assert bar.format() == "Writing… %p%"
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: "Nothing was changed" in dialog.message.text(), timeout=30000)
    assert counts(ctx) == before_counts and dump_hash(ctx) == before
    assert dialog.isVisible() and dialog.import_button.isEnabled()


class EnabledLog(QObject):
    """(enabled, the dialog's message) each time the Stop button is enabled or disabled."""

    def __init__(self, dialog: ImportDialog):
        super().__init__(dialog)
        self.dialog, self.seen = dialog, []
        dialog.cancel_button.installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.EnabledChange:
            self.seen.append((watched.isEnabled(), self.dialog.message.text()))
            if len(self.seen) == 1:
                self.shot = self.dialog.grab()
        return False


def test_once_saved_stop_is_not_offered(qtbot, ctx, dialog, tmp_path):
    log = EnabledLog(dialog)
    shot = []
    dialog.progress.valueChanged.connect(
        lambda v: shot or v < dialog.progress.maximum() // 2 or shot.append(dialog.grab())
    )
    with qtbot.waitSignal(dialog.accepted, timeout=120000):
        dialog.import_button.click()
    assert (False, log.seen[0][1]) == log.seen[0] and log.seen[0][1].startswith("<b>Imported.</b>")
    assert f"{LINES:,} order lines" in log.seen[0][1]
    assert counts(ctx)["orders"] == LINES
    assert f"{LINES:,} order lines: {LINES:,} added" in dialog.summary
    assert shot and shot[0].save(str(tmp_path / "importing.png"))
    assert log.shot.save(str(tmp_path / "saved.png"))
