"""Two desks starting calls with the same customers at the same moment: one call each.

Run on both databases: plain (a SQLite file, whose writers take turns) and with
WINBACK_TEST_DATABASE_URL (a PostgreSQL server, where they really run side by side and the
one-open-call index or the serializable check refuses the second, which then resumes)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

from sqlalchemy import func, select

from tests.helpers.roster import add_customer
from winback_desktop.bootstrap import open_app
from winback_desktop.services.calls.lifecycle import start_call
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Call, utcnow

CUSTOMERS = 39
DEADLINE_S = 120


def _race(desks, customer_ids):
    """Each desk (its own engine) starts a call with every customer, all starting at once."""
    barrier = threading.Barrier(len(desks))
    got: dict[int, list[int]] = {}
    failed: list[BaseException] = []

    def desk(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            got[i] = [start_call(desks[i], cid) for cid in customer_ids]
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failed.append(exc)

    threads = [threading.Thread(target=desk, args=(i,), daemon=True) for i in range(len(desks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE_S)
    assert not any(t.is_alive() for t in threads), "a desk was still starting calls after the deadline"
    assert failed == []
    return got


def test_two_desks_starting_calls_for_the_same_39_customers_get_one_open_call_each(ctx, paths):
    ids = [add_customer(ctx, f"Firm {i:02}") for i in range(CUSTOMERS)]
    # A third of them are booked (for no one in particular): both desks take up the same call.
    soon = utcnow() + dt.timedelta(hours=1)
    with transaction(ctx.sessions) as s:
        for cid in ids[::3]:
            s.add(Call(customer_id=cid, status="scheduled", scheduled_at=soon, duration_minutes=30))
    desks = [open_app(paths), open_app(paths)]
    try:
        got = _race(desks, ids)
    finally:
        for d in desks:
            d.close()
    with ctx.sessions() as s:
        open_calls = Counter(s.scalars(select(Call.customer_id).where(Call.status == "in_progress")).all())
        calls_total = s.scalar(select(func.count()).select_from(Call))
    assert sorted(open_calls) == sorted(ids)
    assert set(open_calls.values()) == {1}  # none doubled
    assert calls_total == CUSTOMERS  # the booked ones were taken up, not duplicated
    assert got[0] == got[1]  # the second desk resumed the first desk's call, customer by customer
