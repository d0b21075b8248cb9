"""Dates and amounts as exports write them, decided per column; and the column mapping."""

from __future__ import annotations

import datetime as dt

import pytest

from winback_desktop.importers import AmbiguousDatesError, MappingError
from winback_desktop.importers.mapping import auto_map, header_key, normalize, resolve
from winback_desktop.importers.values import (
    NOT_AN_AMOUNT,
    clean_text,
    excel_number_problem,
    parse_amounts,
    parse_dates,
)

D = dt.date


def dates(*values: str, order: str | None = None):
    return parse_dates({v: i for i, v in enumerate(values, 2)}, date_order=order, field="f", column="Date")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31", D(2024, 1, 31)),
        ("2024-1-5", D(2024, 1, 5)),
        ("2024/01/31", D(2024, 1, 31)),
        ("2024-01-31 09:15:00", D(2024, 1, 31)),
        ("2024-01-31T09:15:00Z", D(2024, 1, 31)),
        ("2024-01-31T09:15:00.000+01:00", D(2024, 1, 31)),
        ("20240131", D(2024, 1, 31)),
        ("31 Jan 2024", D(2024, 1, 31)),
        ("31-Jan-24", D(2024, 1, 31)),
        ("January 31, 2024", D(2024, 1, 31)),
        ("Jan 5 2024", D(2024, 1, 5)),
        ("05/05/2024", D(2024, 5, 5)),  # reads the same both ways
    ],
)
def test_unambiguous_dates(text, expected):
    assert dates(text) == ({text: expected}, {})


def test_us_dates_decided_by_a_second_part_over_12():
    parsed, problems = dates("01/31/2024", "1/31/24", "02/03/2024", "12/5/2023 10:00 AM")
    assert problems == {}
    assert parsed == {
        "01/31/2024": D(2024, 1, 31),
        "1/31/24": D(2024, 1, 31),
        "02/03/2024": D(2024, 2, 3),
        "12/5/2023 10:00 AM": D(2023, 12, 5),
    }


@pytest.mark.parametrize("sep", ["/", ".", "-"])
def test_european_dates_decided_by_a_first_part_over_12(sep):
    values = [f"31{sep}01{sep}2024", f"02{sep}03{sep}2024", f"1{sep}2{sep}99"]
    parsed, problems = dates(*values)
    assert problems == {}
    assert list(parsed.values()) == [D(2024, 1, 31), D(2024, 3, 2), D(1999, 2, 1)]


def test_all_ambiguous_asks_never_guesses():
    with pytest.raises(AmbiguousDatesError) as exc:
        dates("01/02/2024", "03/04/2024", "2024-05-06")
    assert exc.value.column == "Date"
    assert exc.value.examples == ["01/02/2024", "03/04/2024"]
    assert dates("01/02/2024", "03/04/2024", order="dmy")[0] == {
        "01/02/2024": D(2024, 2, 1),
        "03/04/2024": D(2024, 4, 3),
    }
    assert dates("01/02/2024", order="mdy")[0] == {"01/02/2024": D(2024, 1, 2)}


def test_both_orders_in_one_column_is_an_error_at_the_conflicting_value():
    parsed, problems = dates("02/03/2024", "25/12/2023", "12/25/2023")
    assert parsed == {"02/03/2024": D(2024, 3, 2), "25/12/2023": D(2023, 12, 25)}
    assert problems == {
        "12/25/2023": "a month-first date, but line 3 (25/12/2023) is day-first: the column mixes both orders"
    }


def test_the_users_order_wins_and_contradictions_are_errors():
    _parsed, problems = dates("13/01/2024", order="mdy")
    assert problems == {"13/01/2024": "a day-first date, but the dates were said to be month-first"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2024-02-30", "no such date (2024-02-30 does not exist)"),
        ("31/02/2024", "no such date (2024-02-31 does not exist)"),
        ("2024-13-01", "not a date"),
        ("13/13/2024", "not a date"),
        ("yesterday", "not a date"),
        ("45000", "not a date"),
        ("1850-01-01", "the year 1850 is out of range"),
        ("00/01/2024", "not a date"),
    ],
)
def test_bad_dates(text, problem):
    parsed, problems = dates(text)
    assert parsed == {}
    assert problems[text].startswith(problem)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234.56", 123456),
        ("1,234.56", 123456),
        ("1.234,56", 123456),
        ("1 234,56", 123456),
        ("1\u00a0234,56", 123456),
        ("1'234.56", 123456),
        ("€ 1.234,56", 123456),
        ("1.234,56 €", 123456),
        ("EUR 1.234,56", 123456),
        ("$1,234", 123400),
        ("$1,234,567.8", 123456780),
        ("-12.50", -1250),
        ("−12.50", -1250),
        ("(12.50)", -1250),
        ("12.50-", -1250),
        ("-€12.50", -1250),
        ("€-12.50", -1250),
        ("+7", 700),
        ("0,5", 50),
        (".5", 50),
        ("12,345.678", 1234568),  # more than cents: rounded half up
        ("0.125", 13),
        ("'1234.50", 123450),
    ],
)
def test_amounts(text, cents):
    assert parse_amounts([text], allow_negative=True) == ({text: cents}, {})


def test_a_lone_separator_before_three_digits_follows_the_column():
    # With nothing else to go by, "1,234" and "1.234" group thousands...
    assert parse_amounts(["1,234", "1.234"], allow_negative=False)[0] == {"1,234": 123400, "1.234": 123400}
    # ...but a column that writes decimals with a comma reads "1,234" as one point two three.
    amounts, _ = parse_amounts(["1,234", "12,50"], allow_negative=False)
    assert amounts["1,234"] == 123
    amounts, _ = parse_amounts(["1.234", "12.50"], allow_negative=False)
    assert amounts["1.234"] == 123
    _amounts, problems = parse_amounts(["1,234", "12,50", "3.75"], allow_negative=False)
    assert "unclear" in problems["1,234"]


@pytest.mark.parametrize("text", ["abc", "1.2.3,4.5", "12,34,5", "--5", "5%", "1e", "€", "1,23,456"])
def test_not_amounts(text):
    amounts, problems = parse_amounts([text], allow_negative=True)
    assert amounts == {} and text in problems


def test_negative_amounts_only_where_allowed():
    assert parse_amounts(["-5"], allow_negative=False) == ({}, {"-5": "must not be negative"})
    assert parse_amounts(["1" * 13], allow_negative=True)[1] == {"1" * 13: "too large for an amount"}


def test_text_cells():
    assert clean_text("  Müller GmbH \t") == "Müller GmbH"
    assert clean_text("'=SUM(A1)") == "=SUM(A1)"  # our own export's neutralizing apostrophe
    assert clean_text("'+44 20 7946 0318") == "+44 20 7946 0318"
    assert clean_text("=cmd|' /C calc'!A0") == "=cmd|' /C calc'!A0"  # kept literally
    assert clean_text("O'Brien") == "O'Brien"
    assert clean_text("'quoted'") == "'quoted'"
    assert clean_text("a\r\nb") == "a\nb"
    assert excel_number_problem("4.91701E+11")
    assert excel_number_problem("00586") is None


# ------------------------------------------------------------------------------------ mapping


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            [
                "Record ID",
                "Company name",
                "First Name",
                "Last Name",
                "Phone Number",
                "Email",
                "Annual Revenue",
            ],
            {
                "external_id": "Record ID",
                "company": "Company name",
                "first_name": "First Name",
                "last_name": "Last Name",
                "phone": "Phone Number",
                "email": "Email",
            },
        ),
        (
            [
                "Account ID",
                "Account Name",
                "Contact",
                "Title",
                "Mobile",
                "E-mail",
                "Last Order Date",
                "Account Owner",
            ],
            {
                "external_id": "Account ID",
                "company": "Account Name",
                "contact_name": "Contact",
                "contact_title": "Title",
                "phone": "Mobile",
                "email": "E-mail",
                "last_purchase": "Last Order Date",
                "owner": "Account Owner",
            },
        ),
        (
            [
                "Kundennummer",
                "Firma",
                "Ansprechpartner",
                "Telefon",
                "E-Mail",
                "Umsatz",
                "Letzter Kauf",
                "Branche",
            ],
            {
                "external_id": "Kundennummer",
                "company": "Firma",
                "contact_name": "Ansprechpartner",
                "phone": "Telefon",
                "email": "E-Mail",
                "value_lost": "Umsatz",
                "last_purchase": "Letzter Kauf",
                "segment": "Branche",
            },
        ),
        (
            [
                "CUSTOMER_NUMBER",
                "Organisation",
                "Full name",
                "Job title",
                "Telephone",
                "Last purchase",
                "Value",
            ],
            {
                "external_id": "CUSTOMER_NUMBER",
                "company": "Organisation",
                "contact_name": "Full name",
                "contact_title": "Job title",
                "phone": "Telephone",
                "last_purchase": "Last purchase",
                "value_lost": "Value",
            },
        ),
        (
            ["Customer ID", "Customer", "Name"],
            {"external_id": "Customer ID", "company": "Customer", "contact_name": "Name"},
        ),
    ],
)
def test_auto_map_customer_headers(header, expected):
    mapped = {f: c for f, c in auto_map("customers", header).items() if c}
    assert mapped == expected


def test_auto_map_order_headers():
    mapped = auto_map("orders", ["Customer No.", "Invoice number", "Date", "Total", "Company"])
    assert mapped == {
        "customer_external_id": "Customer No.",
        "order_date": "Date",
        "amount": "Total",
        "order_ref": "Invoice number",
        "company": "Company",
        "refunded": None,
        "order_status": None,
        "cancelled": None,
    }


def test_explicit_mapping_overrides_and_unmaps():
    header = ["ID", "Company", "Phone", "Mobile"]
    cmap = resolve("customers", header, explicit={"phone": "mobile", "company": "Company"})
    assert cmap.column("phone") == "Mobile"
    cmap = resolve("customers", header, explicit={"phone": None})
    assert cmap.column("phone") is None


def test_mapping_errors_name_the_problem():
    header = ["ID", "Company"]
    with pytest.raises(
        MappingError, match="there is no field 'telephone' for customers; the fields are: external_id"
    ):
        resolve("customers", header, explicit={"telephone": "ID"})
    with pytest.raises(
        MappingError, match=r"f\.csv has no column 'Tel' \(for phone\); its columns are: 'ID', 'Company'"
    ):
        resolve("customers", header, explicit={"phone": "Tel"}, file_name="f.csv")
    with pytest.raises(MappingError) as exc:
        resolve("orders", ["Kunde", "Betrag"], file_name="f.csv")
    assert exc.value.missing == ["customer_external_id", "order_date"]
    assert "no column for Customer ID (customer_external_id) and Order date (order_date)" in str(exc.value)
    assert "'Kunde', 'Betrag'" in str(exc.value)
    assert resolve("customers", ["ID", "Phone"]).column("phone") == "Phone"  # updates phones only


def test_header_key_ignores_order_case_and_punctuation():
    a = header_key("customers", ["Customer ID", "Company"])
    assert a == header_key("customers", ["company", "customer-id"])
    assert a != header_key("orders", ["Customer ID", "Company"])
    assert a.startswith("import_mapping:customers:") and len(a) <= 80
    assert normalize(" E-Mail ") == "email"


def test_a_column_of_plain_amounts_and_odd_ones():
    values = [f"{i}.{i % 100:02d}" for i in range(1000)] + ["-7", "80"]
    amounts, problems = parse_amounts(values, allow_negative=True)
    assert problems == {} and amounts["999.99"] == 99999 and amounts["-7"] == -700
    assert parse_amounts(["1\n2", "3"], allow_negative=True) == ({"3": 300}, {"1\n2": NOT_AN_AMOUNT})
