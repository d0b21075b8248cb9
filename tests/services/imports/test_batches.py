"""Every import a batch: listed, undone all or nothing, imported again; likely duplicates refused.

On a real database file; the database is read back with plain sqlite3 (tests/helpers/imports)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tests.helpers.imports import counts, customer, dump_hash, query, write_csv
from tests.helpers.roster import add_won_back_call
from winback_desktop.cli.entry import main
from winback_desktop.services import roster
from winback_desktop.services.imports import batches
from winback_desktop.services.imports.importer import LikelyDuplicatesError, import_customers, import_orders

ORDERS = ["Customer ID", "Order date", "Amount", "Order ID"]
CUSTOMERS = ["Customer ID", "Company", "Phone", "Last purchase", "Revenue"]


@pytest.fixture(autouse=True)
def keep_umask():
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def test_undo_of_an_orders_file_then_import_again(ctx, tmp_path):
    import_customers(
        ctx, write_csv(tmp_path / "crm.csv", [CUSTOMERS, ["A1", "Alpha", "111", "2020-05-01", "900"]])
    )
    before = dump_hash(ctx)
    wrong = [ORDERS, ["A1", "03/04/2024", "50", ""], ["B2", "05/06/2024", "70", "X1"]]
    path = write_csv(tmp_path / "orders.csv", wrong)
    import_orders(ctx, path, date_order="dmy")  # the wrong day/month order
    assert customer(ctx, "A1")["last_purchase"] == "2024-04-03"
    listed = batches.list_batches(ctx)
    assert [(b.kind, b.file_name, b.rows, b.customers) for b in listed] == [
        ("orders", "orders.csv", 2, 2),
        ("customers", "crm.csv", 1, 1),
    ]
    plan = batches.undo_plan(ctx, listed[0].id)
    assert (plan.order_lines, plan.customers_removed, plan.customers_changed) == (2, 1, 2)
    assert "2 order lines are removed" in plan.describe()
    batches.undo(ctx, listed[0].id)
    # The customer the batch created is gone; A1 is as the CRM file left it (its figures too).
    assert counts(ctx)["orders"] == 0
    assert query(ctx, "SELECT external_id FROM customers") == [("A1",)]
    a1 = customer(ctx, "A1")
    assert (a1["last_purchase"], float(a1["value_lost"]), a1["orders_count"]) == ("2020-05-01", 900.0, 0)
    assert batches.list_batches(ctx)[0].undone_at is not None
    import_orders(ctx, path, date_order="mdy")  # the same file again, read the right way
    assert customer(ctx, "A1")["last_purchase"] == "2024-03-04"
    assert before != dump_hash(ctx)


def test_undo_is_all_or_nothing_and_keeps_customers_with_calls(ctx, tmp_path):
    import_orders(
        ctx,
        write_csv(
            tmp_path / "o.csv", [ORDERS, ["K1", "2024-01-02", "10", ""], ["K2", "2024-01-03", "20", ""]]
        ),
    )
    k1 = query(ctx, "SELECT id FROM customers WHERE external_id = 'K1'")[0][0]
    add_won_back_call(ctx, k1, dt.datetime(2024, 2, 1, 12))
    batch = batches.list_batches(ctx)[0]
    plan = batches.undo_plan(ctx, batch.id)
    assert (plan.customers_removed, plan.customers_kept) == (1, 1)
    assert "1 customers it created stay" in plan.describe()
    batches.undo(ctx, batch.id)
    kept = customer(ctx, "K1")  # its call keeps it, with no order history left
    assert (kept["orders_count"], kept["last_purchase"], kept["first_purchase"]) == (0, None, None)
    assert query(ctx, "SELECT external_id FROM customers") == [("K1",)]
    with pytest.raises(batches.UndoRefused, match="undone already"):
        batches.undo(ctx, batch.id)


def test_undo_of_a_customers_file_puts_fields_back_unless_changed_since(ctx, tmp_path):
    import_customers(
        ctx,
        write_csv(
            tmp_path / "a.csv", [CUSTOMERS, ["C1", "One", "100", "", ""], ["C2", "Two", "200", "", ""]]
        ),
    )
    import_customers(
        ctx,
        write_csv(
            tmp_path / "b.csv",
            [
                CUSTOMERS,
                ["C1", "One", "101", "", ""],
                ["C2", "Two", "201", "", ""],
                ["C3", "Three", "300", "", ""],
            ],
        ),
    )
    import_customers(ctx, write_csv(tmp_path / "c.csv", [CUSTOMERS, ["C2", "Two", "202", "", ""]]))
    second = [b for b in batches.list_batches(ctx) if b.file_name == "b.csv"][0]
    plan = batches.undo_plan(ctx, second.id)
    assert [x.file_name for x in plan.later] == ["c.csv"]
    assert "what they changed stays" in plan.describe()
    batches.undo(ctx, second.id)
    phones = dict(query(ctx, "SELECT external_id, phone FROM customers"))
    assert phones == {"C1": "100", "C2": "202"}  # C3 (created by b.csv) removed; C2 keeps c.csv's
    assert "100" in customer(ctx, "C1")["search_text"]


def test_a_batch_whose_orders_a_later_one_replaced_waits_for_it(ctx, tmp_path):
    import_orders(ctx, write_csv(tmp_path / "1.csv", [ORDERS, ["K1", "2024-01-02", "10", "R1"]]))
    import_orders(ctx, write_csv(tmp_path / "2.csv", [ORDERS, ["K1", "2024-01-02", "15", "R1"]]))
    first, second = sorted(b.id for b in batches.list_batches(ctx))
    with pytest.raises(batches.UndoRefused, match=f"undo #{second} first"):
        batches.undo(ctx, first)
    batches.undo(ctx, second)
    assert query(ctx, "SELECT order_ref, amount FROM orders") == [("R1", 10)]  # the replaced line is back
    batches.undo(ctx, first)
    assert counts(ctx)["orders"] == counts(ctx)["customers"] == 0


def test_undo_re_ranks_in_the_same_transaction(ctx, tmp_path):
    old = dt.date.today() - dt.timedelta(days=800)
    import_orders(ctx, write_csv(tmp_path / "o.csv", [ORDERS, ["K1", old.isoformat(), "500", ""]]))
    import_customers(ctx, write_csv(tmp_path / "c.csv", [CUSTOMERS, ["K9", "Nine", "9", "", ""]]))
    roster.refresh(ctx)
    orders_batch = [b for b in batches.list_batches(ctx) if b.kind == "orders"][0]
    import_orders(
        ctx, write_csv(tmp_path / "more.csv", [ORDERS, ["K1", dt.date.today().isoformat(), "5", ""]])
    )
    roster.refresh(ctx)
    assert customer(ctx, "K1")["priority"] == 0  # bought today: not departed
    later = batches.list_batches(ctx)[0]
    batches.undo(ctx, later.id)
    assert customer(ctx, "K1")["priority"] > 0  # lapsed again, ranked again by the undo itself
    assert orders_batch.id != later.id


def test_likely_duplicates_are_refused_unless_allowed(ctx, tmp_path):
    first = [
        ORDERS,
        ["K1", "2024-01-02", "10.00", ""],
        ["K1", "2024-01-02", "10.00", ""],
        ["K2", "2024-02-02", "5", ""],
    ]
    import_orders(ctx, write_csv(tmp_path / "jan.csv", first))
    overlap = [
        ORDERS,
        ["K1", "2024-01-02", "10.00", ""],
        ["K1", "2024-01-02", "10.00", ""],
        ["K1", "2024-01-02", "10.00", ""],
        ["K2", "2024-03-01", "5", ""],
    ]
    path = write_csv(tmp_path / "jan-mar.csv", overlap)
    before = dump_hash(ctx)
    with pytest.raises(LikelyDuplicatesError) as caught:
        import_orders(ctx, path)
    # Two stored K1 lines match two of the three in the file; the third and K2's are new.
    assert caught.value.count == 2
    assert "line 2: customer K1, 2024-01-02, 10.00" in str(caught.value)
    assert dump_hash(ctx) == before  # nothing written, no batch claimed
    import_orders(ctx, path, allow_duplicates=True)
    assert counts(ctx)["orders"] == 7


def test_cli_list_undo_and_allow_duplicates(ctx, tmp_path, capsys):
    path = write_csv(tmp_path / "o.csv", [ORDERS, ["K1", "2024-01-02", "10", ""]])
    assert main(["import", "orders", str(path)]) == 0
    again = write_csv(
        tmp_path / "again.csv", [ORDERS, ["K1", "2024-01-02", "10", ""], ["K1", "2024-05-02", "10", ""]]
    )
    capsys.readouterr()
    assert main(["import", "orders", str(again)]) == 1
    err = capsys.readouterr().err
    assert "1 of its 2 order lines without an order id look already imported" in err
    assert "--allow-duplicates" in err and "Traceback" not in err
    assert main(["import", "list"]) == 0
    out = capsys.readouterr().out
    assert "o.csv" in out and "again.csv" not in out and "applied" in out
    batch = batches.list_batches(ctx)[0].id
    assert main(["import", "undo", str(batch), "--yes"]) == 0
    assert "is undone" in capsys.readouterr().out
    assert main(["import", "undo", str(batch), "--yes"]) == 1
    assert "undone already" in capsys.readouterr().err
    assert main(["import", "undo", "999", "--yes"]) == 1
    assert "no import #999" in capsys.readouterr().err
    assert main(["import", "orders", str(path)]) == 0  # imported again after the undo
    assert "already imported" not in capsys.readouterr().out
