"""Files as systems write them, imported into a real database (issue 13, points 2 and 3):
space-aligned text with or without a header line, scientific notation, report footers, Shopify's
orders export, a bare Id column, errors in the file's own column names, lifecycle stages and the
account's own turnover."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers.imports import counts, customer, query, write_csv
from tests.helpers.paths import DATA
from tests.importers.shaped import aligned_text, lifecycle_export, report_with_footer
from winback_desktop.services.imports.importer import (
    ImportRejected,
    MappingError,
    import_customers,
    import_orders,
    preview_import,
)

BY_POSITION = {"customer_external_id": "1", "order_date": "column 2", "amount": "4"}


def orders_of(ctx, external_id: str) -> list[tuple[str, Decimal, str | None]]:
    rows = query(
        ctx,
        "SELECT o.order_date, o.amount, o.order_ref FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE c.external_id = ? ORDER BY o.order_date, o.id",
        external_id,
    )
    return [(day, Decimal(str(amount)).quantize(Decimal("0.01")), ref) for day, amount, ref in rows]


def test_space_aligned_text_without_a_header_is_mapped_by_position(ctx, tmp_path):
    path = aligned_text(tmp_path / "CDNOW_sample.txt")
    preview = preview_import(ctx, path, "orders")
    assert not preview.has_header and preview.header == ("column 1", "column 2", "column 3", "column 4")
    assert preview.layout_label == "columns aligned with spaces" and preview.row_estimate == 5
    assert preview.rows[0] == (1, ("00001", "19970101", "1", "11.77"))  # line 1 is data
    assert any("no header line" in r for r in preview.remarks)
    with pytest.raises(MappingError) as exc:
        import_orders(ctx, path)
    assert "has no header line" in str(exc.value) and "--map customer_external_id=1" in str(exc.value)
    result = import_orders(ctx, path, mapping=BY_POSITION)
    assert result.rows == 5 and counts(ctx)["orders"] == 5
    assert orders_of(ctx, "00002") == [
        ("1997-01-12", Decimal("12.00"), None),
        ("1997-01-12", Decimal("77.00"), None),
    ]
    assert orders_of(ctx, "00010") == [("1997-03-12", Decimal("0.00"), None)]  # 1.776357e-15
    if ctx.engine.dialect.name == "sqlite":  # a column's type does not bind what SQLite stores
        kept = query(ctx, "SELECT typeof(external_id) FROM customers WHERE external_id = '00001'")
        assert kept == [("text",)]


@pytest.mark.parametrize(
    ("header", "gap"),
    [("Customer ID   Order date   Qty   Amount", 3), ("Customer ID   Order date   Qty   Amount", 1)],
)
def test_space_aligned_text_under_a_header_reads_as_columns(ctx, tmp_path, header, gap):
    path = aligned_text(tmp_path / "cdnow.txt", header=header, gap=gap)
    preview = preview_import(ctx, path, "orders")
    assert preview.header == ("Customer ID", "Order date", "Qty", "Amount")  # not one column
    assert preview.mapping["amount"] == "Amount" and preview.mapping["order_date"] == "Order date"
    result = import_orders(ctx, path)
    assert result.rows == 5
    assert orders_of(ctx, "00001") == [("1997-01-01", Decimal("11.77"), None)]


def test_amounts_in_scientific_notation_and_float_noise_are_read_to_the_cent(ctx, tmp_path):
    rows = [
        ["Customer ID", "Date", "Amount"],
        ["1", "2024-01-31", "1.776357e-15"],
        ["1", "2024-02-29", "11.770000000000001"],
        ["2", "2024-03-01", "4.5E+3"],
        ["2", "2024-03-02", "-2.1e-14"],
    ]
    import_orders(ctx, write_csv(tmp_path / "noise.csv", rows))
    assert [a for _d, a, _r in orders_of(ctx, "1")] == [Decimal("0.00"), Decimal("11.77")]
    assert [a for _d, a, _r in orders_of(ctx, "2")] == [Decimal("4500.00"), Decimal("0.00")]


def test_a_report_footer_is_skipped_and_said(ctx, tmp_path):
    path = report_with_footer(tmp_path / "report.csv")
    preview = preview_import(ctx, path, "customers")
    assert preview.footer == (6, 10) and [line for line, _cells in preview.rows] == [2, 3, 4]
    assert [line for line, _cells in preview.footer_rows] == [6, 8, 9, 10]
    result = import_customers(ctx, path, date_order="dmy")
    assert result.rows == 3 and counts(ctx)["customers"] == 3
    [note] = [n for n in result.notes if "footer" in n]
    assert note.startswith("lines 6–10: a report footer (“Grand Totals (3 records)”")
    assert customer(ctx, "0015000000A3")["company"] == "Fabrikam Inc"


def test_a_last_row_with_only_its_id_is_data_not_footer(ctx, tmp_path):
    rows = [["Customer ID", "Company", "Phone"], ["1", "A", "555"], ["2", "", ""]]
    result = import_customers(ctx, write_csv(tmp_path / "c.csv", rows))
    assert result.rows == 2 and not result.notes


def test_shopify_orders_export_is_one_purchase_per_order(ctx):
    path = DATA / "shopify_orders.csv"
    preview = preview_import(ctx, path, "orders")
    expected = {
        "customer_external_id": "Email",
        "order_ref": "Name",
        "order_date": "Created at",
        "amount": "Total",
        "refunded": "Refunded Amount",
        "order_status": "Financial Status",
        "cancelled": "Cancelled at",
        "company": "Billing Name",
    }
    assert preview.mapping == expected  # not Id, the order's own number, for the customer
    assert any("Shopify orders export" in r for r in preview.remarks)
    result = import_orders(ctx, path)
    assert result.rows == 4  # five orders, one voided; nine rows with the line items
    assert orders_of(ctx, "grace.osei@harbourline.example") == [("2023-09-14", Decimal("54.50"), "#1001")]
    assert orders_of(ctx, "alan@copperkettle.example") == [
        ("2023-09-20", Decimal("50.00"), "#1002"),  # 80.00 less 30.00 refunded
        ("2023-11-30", Decimal("120.00"), "#1005"),  # the day as written, not moved by -0500
    ]
    assert orders_of(ctx, "zoe.lefevre@example.fr") == [("2023-10-05", Decimal("0.00"), "#1004")]
    assert customer(ctx, "alan@copperkettle.example")["company"] == "Alan Whitfield"
    assert any("3 line-item rows" in n for n in result.notes)
    assert any("1 voided or cancelled order not counted" in n and "line 5" in n for n in result.notes)


def test_a_bare_id_in_an_orders_file_is_not_the_customer(ctx, tmp_path):
    rows = [
        ["Id", "Customer", "Date", "Total"],
        ["9001", "00586", "2024-01-31", "10.00"],
        ["9001", "00586", "2024-01-31", "5.00"],
        ["9002", "00112", "2024-02-01", "7.00"],
    ]
    path = write_csv(tmp_path / "orders.csv", rows)
    preview = preview_import(ctx, path, "orders")
    assert (preview.mapping["customer_external_id"], preview.mapping["order_ref"]) == ("Customer", "Id")
    as_customers = preview_import(ctx, path, "customers")
    assert as_customers.mapping["external_id"] == "Id"
    [said] = [r for r in as_customers.remarks if "repeats" in r]
    assert "lines 2 and 3: 9001" in said and "orders export" in said


def test_bad_rows_name_the_files_own_columns(ctx, tmp_path):
    rows = [["Kundennummer", "Datum", "Nettobetrag"], ["1", "2024-01-31", "zehn"], ["", "2024-02-30", "5"]]
    with pytest.raises(ImportRejected) as exc:
        import_orders(ctx, write_csv(tmp_path / "bad.csv", rows))
    said = [e.describe("bad.csv") for e in exc.value.errors]
    assert said == [
        "bad.csv:2: column 'Nettobetrag': not an amount (use e.g. 1234.56, 1,234.56 or 1.234,56) (zehn)",
        "bad.csv:3: column 'Kundennummer': is empty (every order needs a customer id)",
        "bad.csv:3: column 'Datum': no such date (2024-02-30 does not exist) (2024-02-30)",
    ]
    assert not any(f in s for s in said for f in ("customer_external_id", "order_date", "amount:"))


def test_bad_rows_of_a_headerless_file_name_the_position(ctx, tmp_path):
    path = tmp_path / "cd.txt"
    path.write_text("00001 19970101 1 11.77\n00002 19971301 1 12.00\n", encoding="ascii")
    with pytest.raises(ImportRejected) as exc:
        import_orders(ctx, path, mapping=BY_POSITION)
    [error] = exc.value.errors
    assert error.describe("cd.txt").startswith("cd.txt:2: column 2: not a date")


def test_lifecycle_stages_map_and_unknown_ones_are_named(ctx, tmp_path):
    from tests.helpers.roster import add_customer

    add_customer(ctx, "Epsilon Ltd", external_id="105", status="won_back")
    path = lifecycle_export(tmp_path / "hubspot.csv")
    preview = preview_import(ctx, path, "customers")
    assert preview.mapping["status"] == "Lifecycle Stage" and preview.mapping["value_lost"] is None
    assert any("'Annual Revenue' is not taken as the value lost" in r for r in preview.remarks)
    assert preview.reasons["status"] == "by its name"
    result = import_customers(ctx, path)
    assert result.rows == 6  # no row rejected for a stage we do not know
    statuses = {i: customer(ctx, i)["status"] for i in ("101", "102", "103", "104", "105", "106")}
    assert statuses == {
        "101": "active",
        "102": "lapsed",  # a lead: new customers start as lapsed
        "103": "lapsed",
        "104": "active",
        "105": "won_back",  # stored before; "lead" does not change it
        "106": "lost",
    }
    [note] = [n for n in result.notes if "no status here" in n]
    assert note.startswith("column 'Lifecycle Stage': “lead” (2 rows), “opportunity” (1 row) are no status")
    assert customer(ctx, "101")["value_lost"] == 0  # their turnover is not business we lost


def test_the_turnover_is_taken_when_the_user_says_so(ctx, tmp_path):
    path = lifecycle_export(tmp_path / "hubspot.csv")
    preview = preview_import(ctx, path, "customers", mapping={"value_lost": "Annual Revenue"})
    assert (
        preview.mapping["value_lost"] == "Annual Revenue" and preview.reasons["value_lost"] == "as you chose"
    )
    assert not any("Annual Revenue" in r for r in preview.remarks)
    import_customers(ctx, path, mapping={"value_lost": "Annual Revenue"})
    assert customer(ctx, "101")["value_lost"] == 5_000_000
