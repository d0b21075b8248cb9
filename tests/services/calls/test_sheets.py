"""The calls for a batch of action sheets: details read one call at a time, our name with them.

Choosing a day's or a cycle's calls is tested beside the batch renderer (tests/reports/test_batch.py).
"""

from __future__ import annotations

import pytest

from tests.reports.test_action_sheet import make_call
from tests.reports.test_batch import make_calls
from winback_desktop.services import settings
from winback_desktop.services.calls import lifecycle
from winback_desktop.services.calls.sheets import sheet_batch


def test_details_are_read_when_asked_for_in_the_given_order(ctx, monkeypatch):
    first, second = make_calls(ctx, 2)
    settings.set_company_name(ctx, "Nordic Flour Co.")
    read: list[int] = []
    real = lifecycle.detail

    def counting(c, call_id: int):
        read.append(call_id)
        return real(c, call_id)

    monkeypatch.setattr(lifecycle, "detail", counting)
    batch = sheet_batch(ctx, [second, first])
    assert batch.company_name == "Nordic Flour Co."
    assert len(batch.details) == 2 and read == []  # nothing read before the layout asks
    assert batch.details[0].customer.company == "Customer 001 Ærø & Søns" and read == [second]
    assert [d.id for d in batch.details[1:]] == [first]
    assert [d.id for d in batch.details] == [second, first]


def test_an_unknown_call_is_a_lookup_error_when_it_is_reached(ctx):
    batch = sheet_batch(ctx, [make_call(ctx), 999])
    assert batch.details[0].id
    with pytest.raises(LookupError, match="no call with id 999"):
        batch.details[1]


def test_no_company_name_set_is_empty_not_the_spoken_default(ctx):
    assert sheet_batch(ctx, []).company_name == ""
