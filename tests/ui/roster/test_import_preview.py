"""The import dialog shows what it will do (issue 13, point 5): the columns used, each cell as
it will be read, each row's fate (line items, voided orders, a footer), the headerless case
mapped by position, and every field in reach without scrolling on a 1366x768 screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox

from tests.helpers.imports import counts
from tests.helpers.paths import DATA
from tests.importers.shaped import aligned_text, lifecycle_export, report_with_footer
from winback_desktop.ui.roster.import_dialog import ImportDialog
from winback_desktop.ui.roster.import_preview import FOOTER, ROW_COLUMN

LAPTOP = (1366, 740)  # a 1366x768 screen, less a panel


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


def headers(dialog: ImportDialog) -> list[str]:
    table = dialog.table
    return [table.horizontalHeaderItem(j).text() for j in range(table.columnCount())]


def column(dialog: ImportDialog, starts: str) -> list[str]:
    j = next(i for i, h in enumerate(headers(dialog)) if h.startswith(starts))
    return [
        dialog.table.item(i, j).text() if dialog.table.item(i, j) else ""
        for i in range(dialog.table.rowCount())
    ]


def test_a_shopify_export_shows_its_orders_as_they_will_be_read(dialog_for):
    dialog = dialog_for("orders", DATA / "shopify_orders.csv")
    names = headers(dialog)
    assert names[0] == ROW_COLUMN
    assert names[1:5] == [
        "Name\n→ Order ID",
        "Email\n→ Customer ID",
        "Financial Status\n→ Order status",
        "Total\n→ Amount",
    ]
    assert "Paid at" in names and "Id" in names  # columns not used follow, unmarked
    fates = column(dialog, ROW_COLUMN)
    assert fates[0] == "imported: an order" and fates[1] == "line item of the order above"
    assert fates[2] == "30.00 refunded: counts as 50.00" and fates[3] == "voided or cancelled: not counted"
    assert column(dialog, "Created at")[0] == "2023-09-14 10:15:23 -0400 → 14 Sep 2023"
    assert column(dialog, "Email")[0] == "grace.osei@harbourline.example · text"
    assert "Shopify orders export" in dialog.remarks.text() and dialog.remarks.isVisible()
    assert "As a Shopify orders export keeps it" in dialog.why_label.text()


def test_a_headerless_file_is_mapped_by_column_number_and_imported(qtbot, ctx, dialog_for, tmp_path):
    dialog = dialog_for("orders", aligned_text(tmp_path / "CDNOW.txt"))
    assert (
        "no header line" in dialog.format_label.text() and "aligned with spaces" in dialog.format_label.text()
    )
    assert headers(dialog)[1:] == ["column 1", "column 2", "column 3", "column 4"]
    assert dialog.table.verticalHeaderItem(0).text() == "1"  # the first line is data
    assert not dialog.import_button.isEnabled()
    amount = dialog.combos["amount"]
    assert amount.itemText(amount.findData("column 4")) == "column 4 — 11.77"
    for field, number in (("customer_external_id", 1), ("order_date", 2), ("amount", 4)):
        combo = dialog.combos[field]
        combo.setCurrentIndex(combo.findData(f"column {number}"))
    assert headers(dialog)[1:4] == ["column 1\n→ Customer ID", "column 2\n→ Order date", "column 4\n→ Amount"]
    assert column(dialog, "column 4")[4] == "1.776357e-15 → 0.00"
    assert column(dialog, "column 1")[0] == "00001 · text"
    assert "As you chose: Customer ID ← column 1" in dialog.why_label.text()
    with qtbot.waitSignal(dialog.accepted, timeout=20000):
        dialog.import_button.click()
    assert counts(ctx)["orders"] == 5


def test_a_report_footer_is_in_the_preview_as_skipped(dialog_for, tmp_path):
    dialog = dialog_for("customers", report_with_footer(tmp_path / "report.csv"))
    table = dialog.table
    lines = [table.verticalHeaderItem(i).text() for i in range(table.rowCount())]
    assert lines == ["2", "3", "4", "6", "8", "9", "10"]
    assert column(dialog, ROW_COLUMN)[3:] == [FOOTER] * 4
    assert "Grand Totals (3 records)" in column(dialog, "Account Name")
    assert "Lines 6–10: a report footer" in dialog.remarks.text()


def test_statuses_and_turnover_say_what_was_chosen(dialog_for, tmp_path):
    dialog = dialog_for("customers", lifecycle_export(tmp_path / "hubspot.csv"))
    stages = column(dialog, "Lifecycle Stage")
    assert stages[:2] == ["customer → active", "lead → no status of ours: kept as stored"]
    assert dialog.combos["value_lost"].currentData() is None
    assert "'Annual Revenue' is not taken as the value lost" in dialog.remarks.text()
    assert not headers(dialog)[-1].count("→")  # Annual Revenue: not used, last
    dialog.combos["value_lost"].setCurrentIndex(dialog.combos["value_lost"].findData("Annual Revenue"))
    assert "Annual Revenue\n→ Value (yearly revenue)" in headers(dialog)
    assert "As you chose: Value (yearly revenue) ← Annual Revenue" in dialog.why_label.text()


@pytest.mark.parametrize("kind", ["customers", "orders"])
def test_every_field_is_in_sight_without_scrolling_on_a_laptop(qapp, dialog_for, tmp_path, kind):
    dialog = dialog_for(kind, lifecycle_export(tmp_path / "hubspot.csv"))
    hint = dialog.minimumSizeHint()
    assert hint.width() <= LAPTOP[0] and hint.height() <= LAPTOP[1]
    dialog.resize(*LAPTOP)
    qapp.processEvents()
    combos = dialog.findChildren(QComboBox)
    assert len(combos) == len(dialog.combos) >= 8
    for combo in combos:  # each one whole on screen: no scroll area hides a row
        assert combo.isVisible() and combo.visibleRegion().boundingRect().size() == combo.size(), (
            combo.accessibleName()
        )
        top_left = combo.mapTo(dialog, combo.rect().topLeft())
        assert dialog.rect().contains(top_left) and dialog.rect().contains(
            top_left + combo.rect().bottomRight()
        )


def test_an_orders_export_picked_as_customers_is_said_before_and_after(qtbot, ctx, dialog_for, tmp_path):
    from tests.helpers.imports import write_csv

    rows = [
        ["Id", "Customer", "Date", "Total"],
        ["9001", "A", "2024-01-31", "10"],
        ["9001", "A", "2024-01-31", "5"],
    ]
    dialog = dialog_for("customers", write_csv(tmp_path / "orders.csv", rows))
    assert "Column 'Id' repeats (lines 2 and 3: 9001)" in dialog.remarks.text()
    assert column(dialog, ROW_COLUMN)[:2] == ["imported: a customer", "refused: the same id as line 2"]
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.errors.isVisible(), timeout=20000)
    assert (
        dialog.errors.item(0).text()
        == "orders.csv:3: column 'Id': the same id as line 2 (each customer once per file) (9001)"
    )
    assert "import it as order history" in dialog.message.text() and counts(ctx)["customers"] == 0
