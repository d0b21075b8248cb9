"""Likely duplicates: order lines without an order id that match lines already stored.

Lines without an order id are separate purchases, even when identical (a customer may buy the
same thing twice a day). But a file that overlaps a history imported before (last year's export
again, with this year's lines) would count every old purchase twice. So before writing, each
line without an order id is matched against the stored lines of the same customer, date and
amount, one stored line per file line (two identical lines in the file match two stored ones).
When any match, the import stops with :class:`LikelyDuplicatesError` (nothing written) unless the
user said to import them anyway (``allow_duplicates``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, select

from winback_desktop.formats import money
from winback_desktop.importers.errors import CsvImportError
from winback_desktop.importers.validate import OrderRows
from winback_desktop.importers.values import cents_to_decimal, id_key
from winback_desktop.store.models import Customer, Order

ID_CHUNK = 900
SHOWN = 5  # examples in the message


@dataclass(frozen=True)
class Duplicate:
    line: int  # the file's line
    customer: str  # the file's customer id
    day: dt.date
    cents: int

    def describe(self) -> str:
        amount = money(cents_to_decimal(self.cents))
        return f"line {self.line}: customer {self.customer}, {self.day.isoformat()}, {amount}"


class LikelyDuplicatesError(CsvImportError):
    """Lines of the file look like lines already stored; nothing was imported."""

    def __init__(self, file_name: str, count: int, without_ref: int, examples: list[Duplicate]):
        self.file_name, self.count, self.without_ref, self.examples = file_name, count, without_ref, examples
        shown = "; ".join(e.describe() for e in examples)
        lines = "line" if without_ref == 1 else "lines"
        super().__init__(
            f"{file_name}: {count:,} of its {without_ref:,} order {lines} without an order id look "
            f"already imported (the same customer, date and amount is stored), e.g. {shown}. "
            "Importing them would count those purchases twice; nothing was imported."
        )


def find(conn: Connection, data: OrderRows) -> tuple[int, int, list[Duplicate]]:
    """(lines that match a stored line, lines without an order id, the first few matches)."""
    loose = [i for i, ref in enumerate(data.refs) if ref is None]
    if not loose or conn.execute(select(Order.id).limit(1)).first() is None:
        return 0, len(loose), []
    c = Customer.__table__.c
    ids: dict[str, int] = {}
    for ext, cid in conn.execute(
        select(c.external_id, c.id).where(c.external_id.is_not(None)).order_by(c.id)
    ):
        ids.setdefault(id_key(ext), cid)  # as the import matches them
    wanted = sorted({ids[data.customers[i]] for i in loose if data.customers[i] in ids})
    stored: Counter[tuple[int, dt.date, int]] = Counter()
    o = Order.__table__.c
    for start in range(0, len(wanted), ID_CHUNK):
        q = select(o.customer_id, o.order_date, o.amount).where(
            o.customer_id.in_(wanted[start : start + ID_CHUNK])
        )
        for cid, day, amount in conn.execute(q):
            stored[(cid, day, round(float(amount) * 100))] += 1
    if not stored:
        return 0, len(loose), []
    count, examples = 0, list[Duplicate]()
    for i in loose:
        cid = ids.get(data.customers[i])
        key = (cid or 0, data.dates[i], data.cents[i])
        if cid is not None and stored[key] > 0:
            stored[key] -= 1
            count += 1
            if len(examples) < SHOWN:
                examples.append(Duplicate(data.lines[i], data.customers[i], data.dates[i], data.cents[i]))
    return count, len(loose), examples


def check(conn: Connection, data: OrderRows, file_name: str) -> None:
    """Raise LikelyDuplicatesError when lines of ``data`` look already stored."""
    count, without_ref, examples = find(conn, data)
    if count:
        raise LikelyDuplicatesError(file_name, count, without_ref, examples)
