"""Exports with a shape of their own: a shop's orders, one row per line item.

Shopify's "Export orders" writes one row per line item; the order's own fields (its total, its
financial status, its refunds) are on the first row of the order only, and every row repeats the
order's ``Name`` (#1001), the customer's ``Email`` and ``Created at``. Read as it is written, that
is one purchase per order: the rows after the first are line items of the same order, a voided or
cancelled order is no purchase, and what was refunded is taken off the total.

The rules hold for any orders file that maps the same fields (an order id, a status, a refund):
a row with no amount and the order id of the row above is a line item of that order (the rows
of an order are written together; remembering only the last id keeps a million-line file cheap).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Financial statuses (Shopify's, and the usual words elsewhere) of an order that is no purchase.
NOT_A_PURCHASE = frozenset(
    ("voided", "void", "cancelled", "canceled", "declined", "failed", "expired", "storniert", "annulee")
)
_WORD = re.compile(r"[^a-z]")
RowsPreview = Sequence[tuple[int, Sequence[str]]]
# Columns only an orders file has (normalized): with them, a repeating "Id" tells an orders export.
_ORDERISH = re.compile(r"(total|amount|price|quantity|qty|lineitem|order|invoice|date\Z)")


@dataclass(frozen=True)
class Shape:
    """A known export: the columns that tell it, and the column each field is read from."""

    name: str
    kind: str
    tells: tuple[str, ...]  # normalized header names, all present
    columns: Mapping[str, tuple[str, ...]]  # field -> candidate header names, first present wins
    note: str


SHOPIFY_ORDERS = Shape(
    name="Shopify orders export",
    kind="orders",
    tells=("name", "email", "financialstatus", "total", "lineitemquantity"),
    columns={
        "customer_external_id": ("email",),
        "order_ref": ("name",),
        "order_date": ("createdat", "paidat"),
        "amount": ("total",),
        "refunded": ("refundedamount",),
        "order_status": ("financialstatus",),
        "cancelled": ("cancelledat",),
        "company": ("billingname", "billingcompany"),
    },
    note=(
        "a Shopify orders export: one purchase per order (the rows after an order's first are its "
        "line items), customers known by their Email, voided and cancelled orders not counted, "
        "refunds taken off the total"
    ),
)
SHAPES = (SHOPIFY_ORDERS,)


def find_shape(kind: str, normalized: Sequence[str]) -> Shape | None:
    """The known export whose tell-tale columns ``normalized`` (a header, normalized) all has."""
    present = set(normalized)
    return next((s for s in SHAPES if s.kind == kind and present.issuperset(s.tells)), None)


def not_a_purchase(status: str) -> bool:
    return _WORD.sub("", status.casefold()) in NOT_A_PURCHASE


@dataclass
class OrderRowFilter:
    """Which rows of an orders file are purchases: line items of an order already read, and
    orders voided or cancelled, are left out and counted (with their lines, for the note)."""

    i_ref: int | None
    i_amount: int
    i_status: int | None = None
    i_cancelled: int | None = None
    last_ref: str = ""  # the order id of the last row read
    line_items: int = 0
    voided: list[int] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.i_ref is not None or self.i_status is not None or self.i_cancelled is not None

    def keep(self, lines: list[int], cells: list[list[str]]) -> tuple[list[int], list[list[str]]]:
        """The rows of a batch that are purchases (each row already as wide as the header)."""
        if not self.active or not cells:
            return lines, cells
        if self.i_status is None and self.i_cancelled is None and self.i_ref is not None:
            # The common case, every amount filled: nothing to leave out (built-ins only).
            if min(map(len, map(str.strip, [row[self.i_amount] for row in cells]))):
                self.last_ref = cells[-1][self.i_ref].strip()
                return lines, cells
        kept_lines: list[int] = []
        kept: list[list[str]] = []
        i_ref, i_amount, i_status, i_cancelled = self.i_ref, self.i_amount, self.i_status, self.i_cancelled
        for line, row in zip(lines, cells, strict=True):
            ref = row[i_ref].strip() if i_ref is not None else ""
            if ref and ref == self.last_ref and not row[i_amount].strip():
                self.line_items += 1
                continue
            self.last_ref = ref
            if (i_status is not None and not_a_purchase(row[i_status])) or (
                i_cancelled is not None and row[i_cancelled].strip()
            ):
                self.voided.append(line)
                continue
            kept_lines.append(line)
            kept.append(row)
        return kept_lines, kept

    def notes(self, where_status: str) -> list[str]:
        out = []
        if self.line_items:
            out.append(
                f"{self.line_items:,} line-item {'row' if self.line_items == 1 else 'rows'} read as "
                "part of the order above them, not as purchases of their own"
            )
        if self.voided:
            shown = ", ".join(f"{n:,}" for n in self.voided[:5]) + (", …" if len(self.voided) > 5 else "")
            n = len(self.voided)
            out.append(
                f"{n:,} voided or cancelled {'order' if n == 1 else 'orders'} not counted "
                f"({where_status or 'by status'}; line {shown})"
            )
        return out


def wrong_kind_notes(kind: str, header: Sequence[str], id_column: int | None, rows: RowsPreview) -> list[str]:
    """What tells that a customers file is an orders export: the header of a known orders
    export, or a generic "Id" column taken as the customer id that repeats in the first rows."""
    if kind != "customers":
        return []
    normalized = [_WORD.sub("", h.casefold()) for h in header]
    if (shape := find_shape("orders", normalized)) is not None:
        return [f"this looks like a {shape.name}: import it as order history, not as customers"]
    if id_column is None or normalized[id_column] != "id" or not any(map(_ORDERISH.match, normalized)):
        return []
    first: dict[str, int] = {}
    for line, cells in rows:
        value = cells[id_column].strip() if id_column < len(cells) else ""
        if value and value in first:
            return [
                f"column {header[id_column]!r} repeats (lines {first[value]:,} and {line:,}: {value}), so it "
                "is no customer id here and this looks like an orders export: import it as order "
                "history, or choose the column that names the customer"
            ]
        first.setdefault(value, line)
    return []
