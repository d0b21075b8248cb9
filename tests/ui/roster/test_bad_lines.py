"""The import dialog's "Save the list…": every bad line, with its line in the file, its column
and the problem, in a CSV the user chooses; spreadsheet-safe; a list the library cut says so."""

from __future__ import annotations

import csv

from PySide6.QtWidgets import QFileDialog

from tests.helpers.dialogs import answer
from tests.ui.roster.test_import_dialog import dialog_for, write
from winback_desktop.ui.roster import bad_lines

__all__ = ["dialog_for"]  # the fixture, shared with test_import_dialog.py


def test_save_the_list_writes_every_bad_line_to_a_csv(qtbot, ctx, dialog_for, tmp_path, monkeypatch):
    rows = "".join(f"{i},=Company {i},2024-02-30\n" for i in range(3_000))
    dialog = dialog_for(
        "customers", write(tmp_path / "bad.csv", "Customer ID,Company,Last purchase\n" + rows)
    )
    assert not dialog.save_list_button.isVisible()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.save_list_button.isVisible(), timeout=60000)
    target = tmp_path / "out" / "list.csv"
    target.parent.mkdir()
    asked: list[str] = []

    def choose(_parent, _title, default, _filter):
        asked.append(default)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    assert dialog.save_bad_lines() == target
    assert asked[0].endswith("bad-bad-lines.csv")
    with target.open(encoding="utf-8-sig", newline="") as f:
        got = list(csv.reader(f))
    assert got[0] == ["line", "column", "value", "problem"]
    assert len(got) == 1 + 3_000 and [got[1][0], got[-1][0]] == ["2", "3001"]
    assert all(r[3] for r in got[1:]) and str(target) in dialog.message.text()
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in got for cell in r)  # no formulas


def test_a_list_the_library_cut_says_so_and_a_folder_that_refuses_is_named(qtbot, tmp_path, monkeypatch):
    error = {"file_name": "x.csv", "rows": [[2, "Company", "", "is empty"]], "error_count": 5}
    assert bad_lines.rows(error)[-1][3].startswith("… and 4 more problems, not listed (the list stops at")
    gone = tmp_path / "gone" / "list.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(gone), ""))
    seen: list[str] = []
    answer("OK", seen)
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    assert bad_lines.save_bad_lines(parent, tmp_path / "exports", error) is None
    assert seen and str(gone) in seen[0] and not gone.exists()
