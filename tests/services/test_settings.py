"""The shared database's settings: declared defaults, typed values, checks, unusable rows."""

from __future__ import annotations

import logging

import pytest

from tests.helpers.settings import raw, store_raw
from winback_desktop.importers.mapping import resolve
from winback_desktop.services import settings


def test_defaults_until_set(ctx):
    assert settings.company_name(ctx) == "our company"
    assert settings.configured_company_name(ctx) == ""
    assert settings.lapse_months(ctx) == 6
    assert [s.key for s in settings.SETTINGS] == ["company_name", "lapse_months"]


def test_company_name_is_tidied_checked_and_cleared_by_blank(ctx):
    assert settings.set_company_name(ctx, "  Acme   Foods ") == "Acme Foods"
    assert settings.company_name(ctx) == settings.configured_company_name(ctx) == "Acme Foods"
    assert raw(ctx, "company_name") == "Acme Foods"
    with pytest.raises(ValueError, match="a company name is at most 200 characters"):
        settings.set_company_name(ctx, "x" * 201)
    with pytest.raises(ValueError, match="a company name is text"):
        settings.set_company_name(ctx, 42)  # type: ignore[arg-type]
    assert settings.company_name(ctx) == "Acme Foods"  # a refused value changes nothing
    settings.set_company_name(ctx, "   ")
    assert raw(ctx, "company_name") is None
    assert (settings.company_name(ctx), settings.configured_company_name(ctx)) == ("our company", "")


@pytest.mark.parametrize("months", [0, -1, 1201, 2.5, "6", True, None])
def test_lapse_months_must_be_a_whole_number_in_range(ctx, months):
    with pytest.raises(ValueError, match="the lapse period must be a whole number of months from 1 to 1200"):
        settings.set_lapse_months(ctx, months)  # type: ignore[arg-type]
    assert raw(ctx, "lapse_months") is None


def test_lapse_months_round_trip_and_the_bounds(ctx):
    for months in (1, 1200, 3):
        assert settings.set_lapse_months(ctx, months) == months
        assert settings.lapse_months(ctx) == months
    assert raw(ctx, "lapse_months") == "3"
    assert settings.get(ctx, settings.LAPSE_MONTHS) == 3


@pytest.mark.parametrize("stored", ["twelve", "0", "99999", "", "6.5"])
def test_an_unusable_stored_value_reads_as_the_default(ctx, caplog, stored):
    store_raw(ctx, "lapse_months", stored)
    with caplog.at_level(logging.WARNING, logger="winback_desktop.services.settings"):
        assert settings.lapse_months(ctx) == 6
    assert f"setting lapse_months={stored!r} is not usable; using the default" in caplog.text


def test_a_blank_or_overlong_stored_company_name_is_not_a_name(ctx):
    store_raw(ctx, "company_name", "  ")
    assert (settings.company_name(ctx), settings.configured_company_name(ctx)) == ("our company", "")
    store_raw(ctx, "company_name", "y" * 300)
    assert settings.company_name(ctx) == "our company"


def test_column_mappings_are_remembered_per_header_set(ctx):
    header = ["Customer ID", "Company", "Phone"]
    assert settings.column_mapping(ctx, "customers", header) is None
    cmap = resolve("customers", header, explicit={"phone": None}, require=False)
    settings.remember_column_mapping(ctx, cmap)
    remembered = settings.column_mapping(ctx, "customers", ["phone", "company", "customer-id"])
    assert remembered == cmap.as_names() and remembered["phone"] is None
    assert settings.column_mapping(ctx, "orders", header) is None


def test_a_damaged_column_mapping_is_forgotten(ctx):
    from winback_desktop.importers.mapping import header_key

    header = ["Customer ID", "Company"]
    for text in ("{not json", "[1, 2]"):
        store_raw(ctx, header_key("customers", header), text)
        assert settings.column_mapping(ctx, "customers", header) is None
    store_raw(ctx, header_key("customers", header), '{"company": "Company", "phone": 3}')
    assert settings.column_mapping(ctx, "customers", header) == {"company": "Company", "phone": None}


def test_the_old_current_user_row_is_only_read(ctx):
    assert settings.legacy_current_user_id(ctx) is None
    store_raw(ctx, "current_user_id", " 7 ")
    assert settings.legacy_current_user_id(ctx) == 7
    store_raw(ctx, "current_user_id", "garbage")
    assert settings.legacy_current_user_id(ctx) is None
