"""The import dialog: preview, automatic mapping, all-or-nothing, ambiguous dates, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest

from winback_desktop.services import roster
from winback_desktop.services.roster import card as customers
from winback_desktop.ui.roster.import_dialog import ImportDialog


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def dialog_for(qtbot, ctx):
    def make(kind: str, path: Path) -> ImportDialog:
        dialog = ImportDialog(ctx, kind)
        qtbot.addWidget(dialog)
        assert dialog.load(path)
        dialog.show()
        return dialog

    return make


def test_excel_style_file_is_previewed_mapped_and_imported(qtbot, ctx, dialog_for, tmp_path):
    csv = write(
        tmp_path / "crm.csv",
        "Account ID;Account Name;First Name;Last Name;Mobile;Last order date;Annual revenue\r\n"
        "00586;Müller & Söhne GmbH;Jürgen;Müller;+49 30 1234567;31.01.2024;1.234,50\r\n"
        "00587;Société Générale Traiteur;Zoé;Lefèvre;+33 1 23 45 67 89;15.03.2024;980,00\r\n",
        encoding="cp1252",
    )
    dialog = dialog_for("customers", csv)
    assert "1252" in dialog.format_label.text() and "semicolon" in dialog.format_label.text()
    assert dialog.table.rowCount() == 2 and dialog.table.item(0, 1).text() == "Müller & Söhne GmbH"
    assert dialog.mapping()["external_id"] == "Account ID"
    assert dialog.mapping()["company"] == "Account Name"
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.import_button.click()
    assert "2 new" in dialog.summary
    found = roster.roster_page(ctx, text="müller")
    assert [(c.external_id, c.company) for c in found] == [("00586", "Müller & Söhne GmbH")]


def test_bad_rows_are_listed_with_lines_and_nothing_is_imported(qtbot, ctx, dialog_for, tmp_path):
    csv = write(
        tmp_path / "bad.csv",
        "Customer ID,Company,Last purchase\n"
        "1,Alpha Ltd,2024-01-31\n"
        "\n"
        "2,Beta Ltd,2024-13-45\n"
        "3,Gamma Ltd,2024-02-01\n",
    )
    dialog = dialog_for("customers", csv)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.errors.isVisible(), timeout=10000)
    first = dialog.errors.item(0).text()
    assert first.startswith("bad.csv:4:") and "last_purchase" in first
    assert "nothing was imported" in dialog.message.text()
    assert dialog.isVisible() and customers.count(ctx) == 0


def test_ambiguous_dates_are_asked_not_guessed(qtbot, ctx, dialog_for, tmp_path):
    csv = write(
        tmp_path / "ambiguous.csv",
        "Customer ID,Company,Last purchase\n1,Alpha Ltd,03/04/2024\n2,Beta Ltd,05/06/2024\n",
    )
    dialog = dialog_for("customers", csv)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.dates_box.isVisible(), timeout=10000)
    assert customers.count(ctx) == 0
    dialog.day_first.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.import_button.click()
    alpha = roster.roster_page(ctx, text="alpha")[0]
    assert alpha.last_purchase.isoformat() == "2024-04-03"


def test_stopping_an_import_keeps_the_database_as_it_was(qtbot, ctx, dialog_for, tmp_path):
    rows = "".join(f"{i:06d},Company {i},2024-01-{1 + i % 28:02d}\n" for i in range(20000))
    csv = write(tmp_path / "big.csv", "Customer ID,Company,Last purchase\n" + rows)
    dialog = dialog_for("customers", csv)
    dialog.import_button.click()
    dialog.cancel_button.click()  # "Stop import"
    qtbot.waitUntil(lambda: "Nothing was changed" in dialog.message.text(), timeout=20000)
    assert customers.count(ctx) == 0
    assert dialog.isVisible()


def test_progress_is_reported_while_a_large_file_imports(qtbot, ctx, dialog_for, tmp_path):
    rows = "".join(f"{i:06d},Company {i},2024-01-{1 + i % 28:02d}\n" for i in range(30000))
    csv = write(tmp_path / "big.csv", "Customer ID,Company,Last purchase\n" + rows)
    dialog = dialog_for("customers", csv)
    seen = []
    dialog.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(dialog.accepted, timeout=60000):
        dialog.import_button.click()
    assert len(set(seen)) > 2  # the bar moved while the GUI thread kept serving events
    assert customers.count(ctx) == 30000
