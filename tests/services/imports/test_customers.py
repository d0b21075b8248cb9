"""Importing customers: real export shapes, matching on re-import, and all-or-nothing rejection."""

from __future__ import annotations

import pytest

from tests.helpers.imports import counts, customer, dump_hash, query, write_csv
from tests.helpers.paths import DATA
from tests.helpers.test_database import PlainConnection
from winback_desktop.services import roster
from winback_desktop.services.imports.importer import (
    AmbiguousDatesError,
    ImportCancelled,
    ImportRejected,
    MappingError,
    NotCsvError,
    import_customers,
    preview_import,
)
from winback_desktop.store.models import customer_search_text

HEADER = [
    "Customer ID",
    "Company",
    "Contact",
    "Phone",
    "Email",
    "Revenue",
    "Last purchase",
    "Segment",
    "Owner",
]


def base_rows() -> list[list[str]]:
    return [
        HEADER,
        [
            "00586",
            "Harbourline Foods Ltd",
            "Grace Osei",
            "+44 20 7946 0318",
            "grace@h.example",
            "184500",
            "2024-01-31",
        ]
        + ["Wholesale", "Ana"],
        [
            "00112",
            "Copper Kettle",
            "Alan Whitfield",
            "+44 1632 960412",
            "",
            "18250.50",
            "2023-11-02",
            "",
            "Ben",
        ],
        ["0042", "Ærø Færgeri ApS", "Søren", "", "soren@aero.example", "", "", "Transport", ""],
    ]


def test_crm_export_with_bom_and_first_last_names(ctx):
    result = import_customers(ctx, DATA / "hubspot_companies_bom.csv")
    assert (result.rows, result.added, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.encoding == "utf-8-sig" and result.delimiter == ","
    c = customer(ctx, "00586")
    assert c["company"] == "Harbourline Foods Ltd"
    assert c["contact_name"] == "Grace Osei"  # First Name + Last Name
    assert c["contact_title"] == "Purchasing Manager"
    assert c["phone"] == "+44 20 7946 0318"
    assert c["value_lost"] == 0  # "Annual Revenue" is their turnover, not what they bought from us
    assert any("'Annual Revenue' is not taken as the value lost" in n for n in result.notes)
    assert c["last_purchase"] == "2024-01-31"
    assert (c["segment"], c["owner"], c["status"]) == ("Wholesale", "Ana Costa", "lapsed")
    assert c["search_text"] == customer_search_text(
        "Harbourline Foods Ltd", "Grace Osei", "00586", "+44 20 7946 0318", "grace.osei@harbourline.example"
    )
    assert customer(ctx, "00112")["company"] == "The Copper Kettle, Tearooms"
    assert [r.external_id for r in roster.roster_page(ctx, text="ÆRØ")] == ["07731"]
    assert customer(ctx, "07731")["value_lost"] == 0


def test_excel_cp1252_semicolons_decimal_commas_and_european_dates(ctx):
    result = import_customers(ctx, DATA / "excel_de_cp1252.csv")
    assert (result.added, result.encoding, result.delimiter) == (3, "cp1252", ";")
    c = customer(ctx, "00586")
    assert (c["company"], c["contact_name"]) == ("Müller Großhandel GmbH", "Jürgen Müller")
    assert (c["value_lost"], c["last_purchase"], c["segment"]) == (1234.56, "2024-01-31", "Großhandel")
    assert customer(ctx, "10020")["company"] == "Société Générale Dépôt"
    assert customer(ctx, "10020")["value_lost"] == 12500
    assert customer(ctx, "10021")["last_purchase"] == "2022-12-13"


def test_tab_separated_report_with_us_dates_and_a_multiline_cell(ctx):
    import_customers(ctx, DATA / "salesforce_accounts.tsv")
    assert customer(ctx, "0015000000A1")["last_purchase"] == "2024-01-31"
    assert customer(ctx, "0015000000A2")["last_purchase"] == "2023-12-05"
    assert customer(ctx, "0015000000A3")["last_purchase"] == "2023-03-02"  # month-first, like the column


def test_ids_stay_text_with_their_zeros(ctx, tmp_path):
    import_customers(ctx, write_csv(tmp_path / "c.csv", base_rows()))
    ids = sorted(r[0] for r in query(ctx, "SELECT external_id FROM customers"))
    assert ids == ["00112", "0042", "00586"]
    if ctx.engine.dialect.name == "sqlite":  # a column's type does not bind what SQLite stores
        kept = query(ctx, "SELECT typeof(external_id) FROM customers WHERE external_id = '00586'")
        assert kept == [("text",)]
    c = customer(ctx, "0042")
    assert (c["value_lost"], c["last_purchase"], c["phone"], c["owner"]) == (0, None, "", "")


def test_same_file_again_changes_nothing_and_says_so(ctx, tmp_path):
    path = write_csv(tmp_path / "c.csv", base_rows())
    first = import_customers(ctx, path)
    before = dump_hash(ctx)
    again = import_customers(ctx, path)
    assert again.already_imported is not None and again.rows == first.rows
    assert "already imported" in again.summary() and "nothing changed" in again.summary()
    assert dump_hash(ctx) == before


def test_same_content_in_a_new_file_is_unchanged(ctx, tmp_path):
    import_customers(ctx, write_csv(tmp_path / "a.csv", base_rows()))
    result = import_customers(ctx, write_csv(tmp_path / "b.csv", base_rows(), delimiter=";", newline="\n"))
    assert (result.added, result.updated, result.unchanged) == (0, 0, 3)
    assert counts(ctx)["customers"] == 3


def test_a_newer_export_updates_what_changed(ctx, tmp_path):
    import_customers(ctx, write_csv(tmp_path / "jan.csv", base_rows()))
    # Work done in the app meanwhile must survive the next import.
    query_id = customer(ctx, "00586")["id"]
    with PlainConnection(ctx.paths) as con:
        con.execute("UPDATE customers SET notes = 'called twice', decision = 'pursue' WHERE id = ?", query_id)
    newer = base_rows()
    newer[1][3] = "+44 20 7946 9999"  # a new phone number
    newer.append(["0777", "New Customer plc", "", "", "", "", "", "", ""])
    result = import_customers(ctx, write_csv(tmp_path / "feb.csv", newer))
    assert (result.added, result.updated, result.unchanged) == (1, 1, 2)
    c = customer(ctx, "00586")
    assert c["phone"] == "+44 20 7946 9999"
    assert "+44 20 7946 9999" in c["search_text"] and "0318" not in c["search_text"]
    assert (c["notes"], c["decision"], c["company"], c["value_lost"]) == (
        "called twice",
        "pursue",
        "Harbourline Foods Ltd",
        184500,
    )
    assert c["id"] == query_id
    assert customer(ctx, "0777")["company"] == "New Customer plc"


def test_empty_cells_and_unmapped_columns_keep_what_is_stored(ctx, tmp_path):
    import_customers(ctx, write_csv(tmp_path / "a.csv", base_rows()))
    partial = [
        ["Customer ID", "Phone", "Company"],
        ["00586", "", ""],
        ["00112", "+1 555 0100", ""],
        ["9", "", ""],
    ]
    result = import_customers(ctx, write_csv(tmp_path / "b.csv", partial))
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    c = customer(ctx, "00586")
    assert (c["phone"], c["company"], c["email"]) == (
        "+44 20 7946 0318",
        "Harbourline Foods Ltd",
        "grace@h.example",
    )
    assert customer(ctx, "00112")["phone"] == "+1 555 0100"
    assert customer(ctx, "9")["company"] == "9"  # a new customer with no name is named by its id


def test_repeated_ids_are_an_error_naming_both_lines(ctx, tmp_path):
    rows = base_rows()
    rows.insert(3, ["00586", "Harbourline again", "", "", "", "", "", "", ""])
    before = counts(ctx)
    with pytest.raises(ImportRejected) as exc:
        import_customers(ctx, write_csv(tmp_path / "dup.csv", rows))
    [error] = exc.value.errors
    assert (error.line, error.field, error.value) == (4, "external_id", "00586")
    assert "line 2" in error.problem
    assert exc.value.bad_rows == 1
    assert str(exc.value) == "dup.csv: 1 bad row; nothing was imported."
    assert counts(ctx) == before


def test_a_bad_date_is_reported_at_its_physical_line(ctx, tmp_path):
    text = (
        "\n"  # line 1: blank
        "Customer ID,Company,Notes,Last purchase\n"  # line 2: header
        '1,Alpha,"a note\nover three\nlines",2024-01-31\n'  # lines 3-5
        "\n"  # line 6: blank
        "2,Beta,,2024-02-30\n"  # line 7: no 30 February
        "3,Gamma,,2024-03-01\n"
    )
    path = tmp_path / "dates.csv"
    path.write_text(text, encoding="utf-8")
    before = dump_hash(ctx)
    with pytest.raises(ImportRejected) as exc:
        import_customers(ctx, path)
    [error] = exc.value.errors
    assert (error.line, error.field, error.value) == (7, "last_purchase", "2024-02-30")
    assert error.describe("dates.csv") == (
        "dates.csv:7: column 'Last purchase': no such date (2024-02-30 does not exist) (2024-02-30)"
    )
    assert dump_hash(ctx) == before


def test_every_bad_row_is_counted_and_listed(ctx, tmp_path):
    rows = [["id", "company", "value"]] + [[str(i), f"C{i}", "lots" if i % 2 else "5"] for i in range(500)]
    with pytest.raises(ImportRejected) as exc:
        import_customers(ctx, write_csv(tmp_path / "bad.csv", rows))
    assert exc.value.error_count == exc.value.bad_rows == 250
    assert [e.line for e in exc.value.errors] == list(range(3, 503, 2))
    assert counts(ctx)["customers"] == 0


def test_past_the_listing_limit_the_earliest_lines_are_listed(ctx, tmp_path, monkeypatch):
    from winback_desktop.importers import errors

    monkeypatch.setattr(errors, "MAX_LISTED_ERRORS", 100)
    rows = [["id", "company", "value"]] + [[str(i), f"C{i}", "lots" if i % 2 else "5"] for i in range(500)]
    with pytest.raises(ImportRejected) as exc:
        import_customers(ctx, write_csv(tmp_path / "bad.csv", rows))
    assert exc.value.error_count == 250
    assert [e.line for e in exc.value.errors] == list(range(3, 203, 2))


def test_ambiguous_dates_are_asked_about_then_imported(ctx, tmp_path):
    rows = [["id", "company", "last purchase"], ["1", "A", "01/02/2024"], ["2", "B", "03/04/2023"]]
    path = write_csv(tmp_path / "amb.csv", rows)
    with pytest.raises(AmbiguousDatesError) as exc:
        import_customers(ctx, path)
    assert (exc.value.field, exc.value.column) == ("last_purchase", "last purchase")
    assert exc.value.examples == ["01/02/2024", "03/04/2023"]
    assert counts(ctx)["customers"] == 0
    import_customers(ctx, path, date_order="dmy")
    assert customer(ctx, "1")["last_purchase"] == "2024-02-01"
    assert customer(ctx, "2")["last_purchase"] == "2023-04-03"


def test_bad_rows_are_reported_before_the_dates_question(ctx, tmp_path):
    rows = [["id", "company", "last purchase"], ["1", "A", "01/02/2024"], ["", "B", "31/31/2024"]]
    with pytest.raises(ImportRejected) as exc:
        import_customers(ctx, write_csv(tmp_path / "amb.csv", rows))
    assert {(e.line, e.field) for e in exc.value.errors} == {(3, "external_id"), (3, "last_purchase")}


def test_other_row_problems(ctx, tmp_path):
    rows = [
        ["id", "company", "phone", "status"],
        ["4.91701E+11", "Sci", "", ""],
        ["", "No id", "", ""],
        ["7", "X" * 201, "", ""],
        ["8", "Fine", "", "Churned"],
        ["9", "Extra", "", "", "shifted"],
        ["10", "Status", "", "maybe"],
        ["I" * 65, "Long id", "", ""],
    ]
    with pytest.raises(ImportRejected) as exc:
        import_customers(ctx, write_csv(tmp_path / "bad.csv", rows))
    problems = {(e.line, e.field): e.problem for e in exc.value.errors}
    assert "scientific notation" in problems[(2, "external_id")]
    assert problems[(3, "external_id")].startswith("is empty")
    assert len(exc.value.errors) == 5  # "maybe" is no status: named in a note, not a bad row
    assert problems[(4, "company")] == "too long (201 characters; at most 200)"
    assert problems[(6, "row")].startswith("5 cells, but the header (line 1) has 4 columns")
    assert (7, "status") not in problems
    assert (5, "status") not in problems
    assert problems[(8, "external_id")] == "too long (65 characters; at most 64)"


def test_statuses(ctx, tmp_path):
    rows = [["id", "company", "status"], ["1", "A", "Won back"], ["2", "B", "churned"], ["3", "C", ""]]
    import_customers(ctx, write_csv(tmp_path / "s.csv", rows))
    assert [customer(ctx, i)["status"] for i in "123"] == ["won_back", "lost", "lapsed"]


def test_formula_looking_cells_are_stored_as_text(ctx, tmp_path):
    rows = [
        ["id", "company", "contact", "phone"],
        ["1", "=cmd|' /C calc'!A0", "@SUM(A1:A9)", "+1 555 0100"],
        ["2", '\'=HYPERLINK("x")', "-Minus", "'+44 20 7946 0318"],  # as our own export neutralizes
    ]
    import_customers(ctx, write_csv(tmp_path / "f.csv", rows))
    assert (customer(ctx, "1")["company"], customer(ctx, "1")["contact_name"]) == (
        "=cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
    )
    assert customer(ctx, "1")["phone"] == "+1 555 0100"
    assert customer(ctx, "2")["company"] == '=HYPERLINK("x")'
    assert customer(ctx, "2")["phone"] == "+44 20 7946 0318"


def test_our_own_export_reads_back_as_it_was_written(ctx, tmp_path):
    from tests.helpers.roster import add_customer
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths
    from winback_desktop.services.roster.report import export_customers

    texts = {
        "1": ("Smith; =1+2", "O'Brien, -Nord", "+44 20 7946 0318, +44 7700 900123"),
        "2": ("'=already marked", "two\nlines\n@x", "-5"),
        "3": ('quote";=2+3', "\t'tab", "=cmd|' /C calc'!A0"),
    }
    for ext, (company, contact, phone) in texts.items():
        add_customer(ctx, company, external_id=ext, contact=contact, phone=phone)
    export_customers(ctx, tmp_path / "roster.csv")
    other = open_app(Paths(tmp_path / "other", custom=True))
    try:
        import_customers(other, tmp_path / "roster.csv")
        for ext, (company, contact, phone) in texts.items():
            c = customer(other, ext)
            assert (c["company"], c["contact_name"], c["phone"]) == (company, contact.strip(), phone)
    finally:
        other.close()


def test_company_falls_back_to_the_contact(ctx, tmp_path):
    rows = [["id", "First name", "Last name"], ["1", "Ada", "Lovelace"]]
    import_customers(ctx, write_csv(tmp_path / "people.csv", rows))
    assert (customer(ctx, "1")["company"], customer(ctx, "1")["contact_name"]) == (
        "Ada Lovelace",
        "Ada Lovelace",
    )


def test_missing_columns_are_named_with_the_files_columns(ctx, tmp_path):
    with pytest.raises(MappingError) as exc:
        import_customers(ctx, write_csv(tmp_path / "x.csv", [["Full name", "Phone"], ["A", "1"]]))
    assert exc.value.missing == ["external_id"]
    assert "'Full name', 'Phone'" in str(exc.value)


def test_header_only_file(ctx, tmp_path):
    with pytest.raises(NotCsvError, match="no data rows below its header"):
        import_customers(ctx, write_csv(tmp_path / "h.csv", [HEADER]))


def test_preview_then_the_users_mapping_is_remembered(ctx, tmp_path):
    odd = [["Nr", "Name 1", "Tel. privat"], ["501", "Alpha GmbH", "030 1"], ["502", "Beta AG", "030 2"]]
    path = write_csv(tmp_path / "odd.csv", odd)
    preview = preview_import(ctx, path, "customers")
    assert preview.missing == ["external_id"]
    assert preview.mapping["company"] is None and preview.mapping["phone"] is None
    assert not preview.remembered and preview.already_imported is None
    assert (preview.encoding_label, preview.delimiter_label, preview.header_line) == ("UTF-8", "comma", 1)
    assert preview.rows[0] == (2, ("501", "Alpha GmbH", "030 1"))
    assert [f.name for f in preview.fields][:2] == ["external_id", "company"]
    mapping = {"external_id": "Nr", "company": "Name 1", "contact_name": None, "phone": "Tel. privat"}
    import_customers(ctx, path, mapping=mapping)
    assert customer(ctx, "501")["company"] == "Alpha GmbH"
    # Next month's export has the same columns: the mapping comes back by itself.
    later = [["Nr", "Name 1", "Tel. privat"], ["503", "Gamma KG", "030 3"]]
    path2 = write_csv(tmp_path / "odd2.csv", later)
    preview2 = preview_import(ctx, path2, "customers")
    assert preview2.remembered and preview2.missing == []
    assert preview2.mapping["external_id"] == "Nr" and preview2.mapping["contact_name"] is None
    import_customers(ctx, path2)
    assert (customer(ctx, "503")["company"], customer(ctx, "503")["contact_name"]) == ("Gamma KG", "")
    assert preview_import(ctx, path, "customers").already_imported is not None


def test_progress_and_cancel(ctx, tmp_path):
    rows = [HEADER] + [[f"{i:05d}", f"Company {i}", "", "", "", "", "", "", ""] for i in range(12_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    seen: list[tuple[int, int]] = []
    import_customers(ctx, path, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 3
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))
    assert seen[-1][0] == seen[-1][1]

    with PlainConnection(ctx.paths) as con:
        # So the same file is imported again rather than skipped (the customers keep their
        # import's row: a server enforces the foreign key a plain sqlite3 connection does not).
        con.execute("UPDATE imports SET sha256 = 'elsewhere', applied_sha256 = 'elsewhere'")
        con.execute("UPDATE customers SET company = 'changed'")
    before = dump_hash(ctx)
    calls = 0

    def cancel_late() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3

    with pytest.raises(ImportCancelled):
        import_customers(ctx, path, should_cancel=cancel_late)
    assert dump_hash(ctx) == before
