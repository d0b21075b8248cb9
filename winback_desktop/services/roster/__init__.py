"""Who to call: the lapse rule, the win-back ranking, decisions, and the roster the UI shows.

The public API of the roster, for the UI and the CLI alike (all plain dataclasses out, short
transactions, set-based SQL). The parts live in ``roster_*.py``:

* ``roster_dates``  calendar-month arithmetic of the lapse rule (pure functions);
* ``roster_rules``  the rule as SQL (who is lapsed / departed on a date);
* ``roster_rank``   the 0-100 priority and its reason;
* ``roster_query``  the roster page, its count, filter lists, the call list;
* ``roster_scan``   how a page and its count are read fast at 100,000 customers;
* ``roster_report`` the lapsed list, volume departed per period, the roster CSV.

Statuses: ``refresh_statuses`` moves customers between ``active`` and ``lapsed`` by the rule;
``lost`` is only set and cleared by hand (:func:`mark_lost`, :func:`unmark_lost`); ``won_back``
(set when a call wins the customer back) stays until the customer lapses again, counting the
win-back call like a purchase — no purchase and no win-back in the last N months.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, Result, and_, exists, or_, text, update

from winback_desktop.services.changes import Change, reports
from winback_desktop.services.context import AppContext
from winback_desktop.services.errors import NotFound
from winback_desktop.services.roster.dates import (
    add_months,
    is_lapsed,
    lapse_date,
    months_before,
    months_between,
    parse_date,
)
from winback_desktop.services.roster.decisions import decide, mark_lost, unmark_lost
from winback_desktop.services.roster.query import (
    SORTS,
    RosterResult,
    RosterRow,
    call_list,
    owners,
    roster_count,
    roster_page,
    roster_search,
    segments,
)
from winback_desktop.services.roster.rank import refresh_priorities, rescore
from winback_desktop.services.roster.report import (
    LapsedRow,
    VolumeRow,
    export_customers,
    lapsed,
    volume_departed,
)
from winback_desktop.services.roster.rules import Rule, lapse_months, last_purchase_as_of, rule
from winback_desktop.services.roster.rules import lapsed as lapsed_clause
from winback_desktop.services.vocab import CustomerStatus
from winback_desktop.store.connection import retried, transaction
from winback_desktop.store.models import Customer, Order

__all__ = [
    "SORTS",
    "LapsedRow",
    "RosterResult",
    "RosterRow",
    "Rule",
    "VolumeRow",
    "add_months",
    "call_list",
    "decide",
    "export_customers",
    "flag_verify_contact",
    "is_lapsed",
    "lapse_date",
    "lapse_months",
    "lapsed",
    "mark_contact_verified",
    "mark_lost",
    "months_before",
    "months_between",
    "owners",
    "parse_date",
    "refresh",
    "refresh_priorities",
    "refresh_statuses",
    "rescore",
    "roster_count",
    "roster_page",
    "roster_search",
    "rule",
    "segments",
    "unmark_lost",
    "volume_departed",
]


def _rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE changed. Session.execute returns a CursorResult for one but is
    typed as returning a plain Result (SQLAlchemy 2.0.44's change notes advise this cast)."""
    return cast("CursorResult[*tuple[Any, ...]]", result).rowcount


@reports(Change.CUSTOMERS)
@retried
def refresh_statuses(ctx: AppContext, as_of: dt.date | None = None, months: int | None = None) -> int:
    """Apply the lapse rule to the stored statuses; returns how many changed.

    active or won_back -> lapsed when the rule says so; lapsed -> active after a purchase in the
    last N months, or when their order history holds no purchase at all (only refunds or zero
    lines: they never bought, so never lapsed). Lost customers, and customers without a purchase
    date and without orders (a CRM file's word), are left alone.
    """
    r = rule(ctx, as_of, months)
    is_lapsed_now = lapsed_clause(r)
    last = last_purchase_as_of(r)
    # An order history without a purchase (only refunds, credit notes, zero lines): never lapsed.
    never_bought = and_(last.is_(None), exists().where(Order.customer_id == Customer.id))
    with transaction(ctx.sessions) as s:
        gone = _rowcount(
            s.execute(
                update(Customer)
                .where(Customer.status.in_((CustomerStatus.ACTIVE, CustomerStatus.WON_BACK)), is_lapsed_now)
                .values(status=CustomerStatus.LAPSED)
                .execution_options(synchronize_session=False)
            )
        )
        back = _rowcount(
            s.execute(
                update(Customer)
                .where(Customer.status == CustomerStatus.LAPSED, or_(last >= r.cutoff, never_bought))
                .values(status=CustomerStatus.ACTIVE)
                .execution_options(synchronize_session=False)
            )
        )
    return gone + back


@reports(Change.CUSTOMERS)
def refresh(ctx: AppContext, as_of: dt.date | None = None, months: int | None = None) -> tuple[int, int]:
    """Statuses, then priorities, brought up to date: after an import, a setting change, a new day.

    Returns (statuses changed, priorities changed). Then refreshes the query planner's
    statistics on the customers table (``ANALYZE``, in SQLite and PostgreSQL alike): without
    them SQLite sorts a whole status's customers for a page instead of walking the priority
    index (50 ms instead of 0.1 ms at 100,000 customers).
    """
    changed = refresh_statuses(ctx, as_of, months), refresh_priorities(ctx, as_of, months)
    with transaction(ctx.sessions) as s:
        s.execute(text("ANALYZE customers"))
    return changed


def _set(ctx: AppContext, customer_id: int, **values: object) -> None:
    with transaction(ctx.sessions) as s:
        n = _rowcount(
            s.execute(
                update(Customer)
                .where(Customer.id == customer_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        )
        if not n:
            raise NotFound("customer", customer_id)


@reports(Change.CUSTOMERS)
def flag_verify_contact(ctx: AppContext, customer_id: int, needed: bool = True) -> None:
    """Flag (or unflag) that the customer's address / number must be checked before calling."""
    _set(ctx, customer_id, verify_contact=bool(needed))


@reports(Change.CUSTOMERS)
def mark_contact_verified(ctx: AppContext, customer_id: int, on: dt.date | None = None) -> None:
    """The contact details were checked on ``on`` (default today): clears the flag."""
    _set(ctx, customer_id, verify_contact=False, contact_verified_on=on or dt.date.today())
