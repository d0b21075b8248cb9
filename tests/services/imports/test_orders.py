"""Importing order history: every line a purchase, order ids updated, figures derived per customer."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import sqlite3
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers.imports import counts, customer, dump_hash, query, write_csv
from tests.helpers.paths import DATA
from tests.helpers.roster import naive_purchase_days
from tests.helpers.test_database import PlainConnection, copy_database, drop_database
from winback_desktop.services.imports.importer import (
    AmbiguousDatesError,
    ImportCancelled,
    ImportRejected,
    MappingError,
    import_customers,
    import_orders,
)

HEADER = ["Customer ID", "Order date", "Amount", "Order ID"]


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_identical_lines_are_separate_purchases(ctx, tmp_path):
    rows = [HEADER, ["00586", "2024-01-31", "25.00", ""], ["00586", "2024-01-31", "25.00", ""]]
    result = import_orders(ctx, write_csv(tmp_path / "o.csv", rows))
    assert (result.rows, result.added) == (2, 2)
    assert query(ctx, "SELECT count(*) FROM orders") == [(2,)]
    c = customer(ctx, "00586")
    assert (c["orders_count"], c["total_revenue"], c["value_lost"]) == (2, 50, 50)


def test_a_real_shaped_file_with_order_lines_credits_and_a_new_customer(ctx):
    import_customers(ctx, DATA / "hubspot_companies_bom.csv")
    result = import_orders(ctx, DATA / "orders_lines.csv")
    assert (result.added, result.customers_created, result.customers_recomputed) == (7, 1, 2)
    c = customer(ctx, "00586")
    assert c["company"] == "Harbourline Foods Ltd"  # an orders file does not rename known customers
    # INV-1001 (two lines), INV-0900, and two identical lines without an id: four purchases; the
    # credit note CR-7 lowers the revenue but is not a purchase.
    assert (c["orders_count"], c["first_purchase"], c["last_purchase"]) == (4, "2023-01-31", "2024-01-31")
    assert money(c["total_revenue"]) == money("1187.50")
    # The twelve months up to 2024-01-31: after 2023-01-31, so INV-0900 on that day is outside.
    assert money(c["yearly_revenue"]) == money(c["value_lost"]) == money("187.50")
    new = customer(ctx, "55501")
    assert (new["company"], new["status"], new["orders_count"]) == ("Brand New Customer Ltd", "lapsed", 1)
    assert "brand new customer ltd" in new["search_text"]
    assert money(new["value_lost"]) == money(2000)


def test_unknown_customers_without_a_company_column_are_named_by_id(ctx, tmp_path):
    import_orders(ctx, write_csv(tmp_path / "o.csv", [HEADER, ["00777", "2024-05-01", "10", "A-1"]]))
    c = customer(ctx, "00777")
    assert (c["company"], c["external_id"], c["status"], c["contact_name"]) == (
        "00777",
        "00777",
        "lapsed",
        "",
    )


def expected_figures(orders: list[tuple[str, dt.date, Decimal, str | None]]) -> dict[str, dict]:
    """Per customer, computed straightforwardly from the lines (independent of the importer)."""
    by_customer: dict[str, list] = defaultdict(list)
    for ext, day, amount, ref in orders:
        by_customer[ext].append((day, amount, ref))
    out = {}
    for ext, lines in by_customer.items():
        bought = naive_purchase_days(lines)  # orders (a ref's lines, or a line) netting above zero
        if not bought:
            out[ext] = {"first_purchase": None, "last_purchase": None, "orders_count": 0}
            continue
        first, last = bought[0], bought[-1]
        year_before = dt.date(last.year - 1, last.month, min(last.day, 28 if last.month == 2 else 31))
        out[ext] = {
            "first_purchase": first.isoformat(),
            "last_purchase": last.isoformat(),
            "orders_count": len(bought),
            "total_revenue": sum((a for _d, a, _r in lines), Decimal(0)),
            "yearly_revenue": sum((a for d, a, _r in lines if year_before < d <= last), Decimal(0)),
        }
    return out


def random_orders(rnd: random.Random, customers: int, lines: int, start_ref: int = 0):
    orders = []
    ref = start_ref
    for _ in range(lines):
        ext = f"{rnd.randrange(customers):05d}"
        day = dt.date(2021, 1, 1) + dt.timedelta(days=rnd.randrange(1200))
        amount = (
            Decimal(rnd.randrange(-2000, 90000)) / 100
            if rnd.random() < 0.9
            else Decimal(rnd.randrange(1, 99))
        )
        if rnd.random() < 0.5:
            ref += 1
            orders.append((ext, day, amount, f"R{ref}"))
            if rnd.random() < 0.3:  # a second line of the same order
                orders.append((ext, day, Decimal(rnd.randrange(1, 5000)) / 100, f"R{ref}"))
        else:
            orders.append((ext, day, amount, None))
    return orders, ref


def test_derived_figures_match_an_independent_computation(ctx, tmp_path):
    rnd = random.Random(20240607)
    first, last_ref = random_orders(rnd, 40, 600)
    second, _ = random_orders(rnd, 60, 400, start_ref=last_ref)
    for name, orders in (("jan.csv", first), ("feb.csv", second)):
        rows = [HEADER] + [
            [e, d.strftime("%d.%m.%Y"), f"{a:.2f}".replace(".", ","), r] for e, d, a, r in orders
        ]
        import_orders(ctx, write_csv(tmp_path / name, rows, delimiter=";"), date_order="dmy")
    expected = expected_figures(first + second)
    assert query(ctx, "SELECT count(*) FROM orders") == [(len(first) + len(second),)]
    for ext, figures in expected.items():
        c = customer(ctx, ext)
        got = {k: c[k] for k in ("first_purchase", "last_purchase", "orders_count")}
        assert got == {k: figures[k] for k in got}, ext
        if figures["last_purchase"] is None:
            continue
        assert money(c["total_revenue"]) == money(figures["total_revenue"]), ext
        assert money(c["yearly_revenue"]) == money(figures["yearly_revenue"]), ext
        assert money(c["value_lost"]) == money(figures["yearly_revenue"]), ext


def test_leap_day_last_purchase(ctx, tmp_path):
    rows = [HEADER, ["1", "2024-02-29", "10", ""], ["1", "2023-02-28", "5", ""], ["1", "2023-03-01", "7", ""]]
    import_orders(ctx, write_csv(tmp_path / "o.csv", rows))
    assert money(customer(ctx, "1")["yearly_revenue"]) == money(17)


def test_the_same_file_twice_changes_nothing(ctx, tmp_path):
    rows = [HEADER, ["1", "2024-01-31", "25", ""], ["1", "2024-01-31", "25", ""]]
    path = write_csv(tmp_path / "o.csv", rows)
    import_orders(ctx, path)
    before = dump_hash(ctx)
    again = import_orders(ctx, path)
    assert again.already_imported is not None
    assert again.summary().startswith("o.csv was already imported on ")
    assert dump_hash(ctx) == before
    # A copy under another name is still the same file.
    copy = tmp_path / "copy-of-o.csv"
    copy.write_bytes(path.read_bytes())
    assert import_orders(ctx, copy).already_imported is not None
    assert dump_hash(ctx) == before


def test_a_file_another_process_applied_meanwhile_is_already_imported(ctx, tmp_path):
    """The other import commits its batch after this one looked and before it writes: the key
    checked inside the write transaction refuses this one, which then says so and writes nothing."""
    rows = [HEADER, ["1", "2024-01-31", "25", ""], ["1", "2024-01-31", "25", ""]]
    path = write_csv(tmp_path / "o.csv", rows)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    other = PlainConnection(ctx.paths)  # another process's connection, each statement committed

    def meanwhile(done: int, total: int) -> None:
        if not other.rows("SELECT count(*) FROM imports")[0][0]:
            other.execute(
                "INSERT INTO imports (kind, file_name, sha256, applied_sha256, rows, imported_at)"
                " VALUES ('orders', 'o.csv', ?, ?, 2, '2026-12-01 09:30:00')",
                sha,
                sha,
            )

    try:
        result = import_orders(ctx, path, progress=meanwhile)
    finally:
        other.close()
    assert result.already_imported == dt.datetime(2026, 12, 1, 9, 30)
    assert result.summary().startswith("o.csv was already imported on 2026-12-01 09:30")
    assert (counts(ctx)["orders"], counts(ctx)["customers"], counts(ctx)["imports"]) == (0, 0, 1)


def test_orders_with_a_stored_order_id_are_updated_not_duplicated(ctx, tmp_path):
    jan = [
        HEADER,
        ["1", "2024-01-10", "100", "INV-1"],
        ["1", "2024-01-11", "40", "INV-2"],
        ["1", "2024-01-11", "5", ""],
    ]
    import_orders(ctx, write_csv(tmp_path / "jan.csv", jan))
    feb = [
        HEADER,
        ["1", "2024-01-10", "120", "INV-1"],  # corrected amount
        ["1", "2024-01-11", "40", "INV-2"],  # as before
        ["1", "2024-02-01", "60", "INV-3"],  # new
    ]
    result = import_orders(ctx, write_csv(tmp_path / "feb.csv", feb))
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    stored = query(ctx, "SELECT order_ref, amount FROM orders ORDER BY order_ref NULLS FIRST")
    assert stored == [(None, 5), ("INV-1", 120), ("INV-2", 40), ("INV-3", 60)]
    c = customer(ctx, "1")
    assert (c["orders_count"], c["total_revenue"], c["last_purchase"]) == (4, 225, "2024-02-01")


def test_an_order_with_fewer_lines_now_replaces_its_lines(ctx, tmp_path):
    first = [HEADER, ["1", "2024-01-10", "100", "INV-1"], ["1", "2024-01-10", "50", "INV-1"]]
    import_orders(ctx, write_csv(tmp_path / "a.csv", first))
    import_orders(ctx, write_csv(tmp_path / "b.csv", [HEADER, ["1", "2024-01-10", "150", "INV-1"]]))
    assert query(ctx, "SELECT order_ref, amount FROM orders") == [("INV-1", 150)]
    assert customer(ctx, "1")["orders_count"] == 1


def test_an_order_moved_to_another_customer(ctx, tmp_path):
    import_orders(ctx, write_csv(tmp_path / "a.csv", [HEADER, ["1", "2024-01-10", "100", "INV-1"]]))
    import_orders(ctx, write_csv(tmp_path / "b.csv", [HEADER, ["2", "2024-01-10", "100", "INV-1"]]))
    assert (customer(ctx, "1")["orders_count"], customer(ctx, "1")["total_revenue"]) == (0, 0)
    assert (customer(ctx, "2")["orders_count"], customer(ctx, "2")["total_revenue"]) == (1, 100)


def test_bad_rows_reject_the_whole_file(ctx, tmp_path):
    import_orders(ctx, write_csv(tmp_path / "ok.csv", [HEADER, ["1", "2024-01-10", "100", ""]]))
    before = dump_hash(ctx)
    rows = [HEADER, ["1", "2024-01-11", "10", ""], ["2", "2024-01-12", "ten", ""], ["", "2024-02-30", "", ""]]
    with pytest.raises(ImportRejected) as exc:
        import_orders(ctx, write_csv(tmp_path / "bad.csv", rows))
    assert [(e.line, e.field) for e in exc.value.errors] == [
        (3, "amount"),
        (4, "customer_external_id"),
        (4, "order_date"),
        (4, "amount"),
    ]
    assert exc.value.bad_rows == 2 and exc.value.error_count == 4
    assert dump_hash(ctx) == before


def test_ambiguous_order_dates(ctx, tmp_path):
    path = write_csv(tmp_path / "o.csv", [HEADER, ["1", "01/02/2024", "1", ""], ["1", "03/04/2024", "1", ""]])
    with pytest.raises(AmbiguousDatesError):
        import_orders(ctx, path)
    assert counts(ctx)["orders"] == 0
    import_orders(ctx, path, date_order="mdy")
    assert customer(ctx, "1")["last_purchase"] == "2024-03-04"


def test_orders_need_id_date_and_amount_columns(ctx, tmp_path):
    with pytest.raises(MappingError) as exc:
        import_orders(ctx, write_csv(tmp_path / "o.csv", [["Customer ID", "Total"], ["1", "5"]]))
    assert exc.value.missing == ["order_date"]


def big_file(tmp_path: Path, lines: int) -> Path:
    rnd = random.Random(3)
    rows = [HEADER] + [
        [
            f"{rnd.randrange(2000):05d}",
            f"2023-{rnd.randrange(1, 13):02d}-15",
            f"{rnd.randrange(1, 99999) / 100}",
            "",
        ]
        for _ in range(lines)
    ]
    return write_csv(tmp_path / "big.csv", rows)


def test_progress_is_reported_and_ends_complete(ctx, tmp_path):
    seen: list[tuple[int, int]] = []
    import_orders(ctx, big_file(tmp_path, 30_000), progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 6
    assert len({total for _done, total in seen}) == 1
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))
    assert seen[-1][0] == seen[-1][1]


def test_cancel_at_any_point_leaves_the_database_as_it_was(demo_ctx, tmp_path):
    ctx = demo_ctx
    import_orders(ctx, write_csv(tmp_path / "first.csv", [HEADER, ["00586", "2024-01-10", "100", "INV-1"]]))
    path = big_file(tmp_path, 45_000)
    calls = 0

    def counting() -> bool:
        nonlocal calls
        calls += 1
        return False

    # A dry run on a copy of the database counts the cancel checks: reading, writing, committing.
    import shutil

    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import resolve

    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    copy_name = None
    if ctx.paths.database_url is None:
        src = sqlite3.connect(ctx.paths.database)
        dst = sqlite3.connect(copy_dir / ctx.paths.database.name)
        src.backup(dst)
        src.close()
        dst.close()
    else:
        ctx.engine.dispose()  # a server copies a database nobody is connected to
        copy_name, copy_url = copy_database(ctx.paths.database_url)
    copy_ctx = open_app(resolve(copy_dir, None if copy_name is None else copy_url))
    try:
        import_orders(copy_ctx, path, should_cancel=counting)
    finally:
        copy_ctx.close()
        shutil.rmtree(copy_dir)
        if copy_name is not None:
            drop_database(copy_name)
    assert calls >= 10
    before, before_counts = dump_hash(ctx), counts(ctx)
    for stop_at in sorted({1, 2, calls // 2, calls - 2, calls - 1, calls}):
        seen = 0

        def cancel(stop_at=stop_at) -> bool:
            nonlocal seen
            seen += 1
            return seen >= stop_at

        with pytest.raises(ImportCancelled):
            import_orders(ctx, path, should_cancel=cancel)
        assert counts(ctx) == before_counts, stop_at
        assert dump_hash(ctx) == before, stop_at
    # And once not cancelled, it goes in.
    assert import_orders(ctx, path).added == 45_000


def test_compact_dates_and_european_amounts_in_a_semicolon_file(ctx, tmp_path):
    rows = [["Kundennummer", "Datum", "Betrag", "Rechnungsnummer"], ["00586", "20240131", "1.234,50", "R-1"]]
    rows.append(["00586", "20230215", "-34,50", "G-1"])
    import_orders(ctx, write_csv(tmp_path / "o.csv", rows, delimiter=";", encoding="cp1252"))
    c = customer(ctx, "00586")
    assert (c["first_purchase"], c["last_purchase"], c["orders_count"]) == ("2024-01-31", "2024-01-31", 1)
    assert money(c["total_revenue"]) == money("1200.00")
    assert money(c["yearly_revenue"]) == money("1200.00")  # the credit note falls within the year


def test_preview_of_a_file_that_is_not_csv(ctx):
    from winback_desktop.services.imports.importer import NotCsvError, preview_import

    with pytest.raises(NotCsvError, match="PNG image"):
        preview_import(ctx, DATA / "not_a_csv.png", "orders")


def test_a_later_customers_file_does_not_overwrite_what_the_order_history_says(ctx, tmp_path):
    crm = [["id", "company", "phone", "revenue", "last purchase"], ["1", "A", "111", "99999", "2020-01-01"]]
    import_customers(ctx, write_csv(tmp_path / "crm1.csv", crm))
    import_orders(ctx, write_csv(tmp_path / "o.csv", [HEADER, ["1", "2024-01-31", "500", "I-1"]]))
    crm[1][2] = "222"
    result = import_customers(ctx, write_csv(tmp_path / "crm2.csv", crm))
    assert (result.updated, result.unchanged) == (1, 0)
    c = customer(ctx, "1")
    assert (c["phone"], c["value_lost"], c["last_purchase"]) == ("222", 500, "2024-01-31")
