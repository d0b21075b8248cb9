"""The import dialog: preview, automatic mapping, all-or-nothing, ambiguous dates, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from tests.helpers.imports import HUNDRED_MB, big_field_file
from winback_desktop.services import roster
from winback_desktop.services.imports import importer as imports
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
        with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
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
    assert dialog.table.rowCount() == 2 and dialog.table.item(0, 2).text() == "Müller & Söhne GmbH"
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
    assert first.startswith("bad.csv:4: column 'Last purchase': not a date")  # the file's own words
    assert "last_purchase" not in first
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


# ----------------------------------------------------------------------------- hostile files


def test_a_hostile_file_is_read_while_the_window_keeps_answering(qtbot, ctx, tmp_path, monkeypatch):
    path = big_field_file(tmp_path / "big.csv", line=3)
    dialog = ImportDialog(ctx, "customers")
    qtbot.addWidget(dialog)
    dialog.show()
    ticks: list[int] = []
    timer = QTimer(dialog)
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    ticks_while_reading: list[int] = []
    read = imports.preview_import

    def noting_when_read(*args, **kwargs):
        try:
            return read(*args, **kwargs)
        finally:
            ticks_while_reading.append(len(ticks))

    monkeypatch.setattr(imports, "preview_import", noting_when_read)
    with qtbot.waitSignal(dialog.preview_ready, timeout=30000):
        dialog.load(path)
        assert dialog.reading and dialog.preview is None  # load() came back at once
    assert ticks_while_reading[0] >= 3  # the event loop kept turning while 100 MB were read
    assert f"line 3: a field of {HUNDRED_MB:,} characters; the limit is 1,000,000" in dialog.message.text()
    assert dialog.table.rowCount() == 1  # line 2; the big row is not shown


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (",".join(f"c{i}" for i in range(1_000_000)).encode() + b"\n1,2\n", "line 1: 1,000,000 columns"),
        ("id,company\n1,Société\n".encode() + "2,Müller\n".encode("cp1252"), "but line 3 is not UTF-8"),
        (b"id,company\n1,A\x00\n", "line 2 holds a NUL byte"),
    ],
    ids=["a million columns", "two encodings", "a NUL byte"],
)
def test_a_file_that_cannot_be_imported_says_why_in_the_dialog(qtbot, ctx, tmp_path, data, said):
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    dialog = ImportDialog(ctx, "customers")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_ready, timeout=30000):
        dialog.load(path)
    assert "cannot be imported" in dialog.message.text() and said in dialog.message.text()
    assert dialog.preview is None and not dialog.import_button.isEnabled()
    dialog.import_button.click()  # nothing to start
    assert customers.count(ctx) == 0


def test_every_bad_line_is_listed(qtbot, ctx, dialog_for, tmp_path):
    rows = "".join(f"{i},Company {i},2024-02-30\n" for i in range(10_000))
    dialog = dialog_for(
        "customers", write(tmp_path / "bad.csv", "Customer ID,Company,Last purchase\n" + rows)
    )
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.errors.isVisible(), timeout=60000)
    assert dialog.errors.count() == 10_000
    assert [dialog.errors.item(i).text().split(":")[1] for i in (0, 9_999)] == ["2", "10001"]
    assert "10,000 bad rows; nothing was imported" in dialog.message.text()


@pytest.mark.parametrize("answer", ["no", "yes"])
def test_lines_already_imported_are_asked_about_before_doubling(qtbot, ctx, dialog_for, tmp_path, answer):
    from PySide6.QtWidgets import QMessageBox

    from tests.helpers.dialogs import Answerer

    first = write(
        tmp_path / "jan.csv", "Customer ID,Order date,Amount\n7,2024-01-02,10.00\n7,2024-01-09,4.00\n"
    )
    imports.import_orders(ctx, first)
    again = write(
        tmp_path / "jan-feb.csv", "Customer ID,Order date,Amount\n7,2024-01-02,10.00\n7,2024-02-01,3.00\n"
    )
    dialog = dialog_for("orders", again)
    button = QMessageBox.StandardButton.Yes if answer == "yes" else QMessageBox.StandardButton.No
    answerer = Answerer([button], shots=tmp_path).start()
    if answer == "yes":
        with qtbot.waitSignal(dialog.accepted, timeout=20000):
            dialog.import_button.click()
        assert len(imports_of(ctx)) == 2
    else:
        dialog.import_button.click()
        qtbot.waitUntil(lambda: "look already imported" in dialog.message.text(), timeout=20000)
        qtbot.waitUntil(lambda: bool(answerer.seen), timeout=20000)
        assert dialog.isVisible() and len(imports_of(ctx)) == 1
    title, text = answerer.seen[0]
    assert title == "Lines already imported?" and "line 2: customer 7, 2024-01-02, 10.00" in text
    assert "File ▸ Imports…" in text  # where the desk takes an import back


def imports_of(ctx):
    from winback_desktop.services.imports import batches

    return [b for b in batches.list_batches(ctx) if b.undone_at is None]
