"""The fields an import fills, per kind, with the header names exports use for each.

Header names are compared case-, space- and punctuation-insensitively (:func:`normalize`); each
field lists its names most specific first. mapping.py finds the columns from these.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

CUSTOMERS, ORDERS = "customers", "orders"
KINDS = (CUSTOMERS, ORDERS)


def normalize(name: str) -> str:
    """``"Customer No."`` -> ``"customerno"``: case-folded letters and digits only."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # for the mapping dialog
    kind: str  # id / text / date / amount / status
    required: bool
    synonyms: tuple[str, ...]  # normalized header names, most specific first
    help: str = ""


def _spec(
    name: str, label: str, kind: str, synonyms: Sequence[str], *, required: bool = False, help: str = ""
) -> FieldSpec:
    names = tuple(dict.fromkeys(normalize(s) for s in (name, *synonyms)))
    return FieldSpec(name, label, kind, required, names, help)


_CUSTOMER_ID = (
    "customer id",
    "customer number",
    "customer no",
    "customer nr",
    "customer code",
    "customer ref",
    "cust id",
    "cust no",
    "account id",
    "account number",
    "account no",
    "account code",
    "client id",
    "client number",
    "client no",
    "record id",
    "company id",
    "debtor",
    "debtor number",
    "kundennummer",
    "kundennr",
    "kdnr",
    "kunden nr",
    "kunden id",
    "kundenid",
    "debitor",
    "debitorennummer",
    "numero client",
    "n client",
    "external id",
    "id",
)
_COMPANY = (
    "company",
    "company name",
    "account name",
    "account",
    "organisation",
    "organization",
    "organisation name",
    "organization name",
    "customer name",
    "client name",
    "business name",
    "firm",
    "firma",
    "firmenname",
    "unternehmen",
    "kundenname",
    "raison sociale",
    "societe",
    "customer",
    "client",
    "name",
)

CUSTOMER_FIELDS: tuple[FieldSpec, ...] = (
    _spec(
        "external_id", "Customer ID", "id", _CUSTOMER_ID, required=True, help="matches customers on re-import"
    ),
    _spec("company", "Company", "text", _COMPANY),
    _spec(
        "contact_name",
        "Contact",
        "text",
        (
            "contact",
            "contact name",
            "contact person",
            "primary contact",
            "full name",
            "person",
            "ansprechpartner",
            "kontakt",
            "name",
        ),
        help="or First name + Last name",
    ),
    _spec(
        "first_name", "First name", "text", ("first name", "firstname", "given name", "forename", "vorname")
    ),
    _spec("last_name", "Last name", "text", ("last name", "surname", "family name", "nachname")),
    _spec(
        "contact_title",
        "Contact title",
        "text",
        ("title", "job title", "position", "role", "contact title", "designation", "funktion"),
    ),
    _spec(
        "phone",
        "Phone",
        "text",
        (
            "phone",
            "phone number",
            "telephone",
            "tel",
            "business phone",
            "work phone",
            "main phone",
            "primary phone",
            "mobile",
            "mobile phone",
            "cell",
            "cell phone",
            "telefon",
            "telefonnummer",
            "handy",
        ),
    ),
    _spec(
        "email",
        "Email",
        "text",
        ("email", "e-mail", "email address", "mail", "e-mail-adresse", "primary email"),
    ),
    _spec(
        "value_lost",
        "Value (yearly revenue)",
        "amount",
        (
            "value lost",
            "value",
            "revenue",
            "yearly revenue",
            "annual value",
            "revenue lost",
            "lost revenue",
            "sales",
            "total sales",
            "umsatz",
        ),
    ),
    _spec(
        "last_purchase",
        "Last purchase",
        "date",
        (
            "last purchase",
            "last purchase date",
            "last order date",
            "last order",
            "last invoice date",
            "last sale",
            "last sale date",
            "date of last purchase",
            "letzter kauf",
            "letzte bestellung",
        ),
    ),
    _spec(
        "segment",
        "Segment",
        "text",
        ("segment", "customer segment", "industry", "branche", "sector", "vertical", "customer type", "type"),
    ),
    _spec(
        "owner",
        "Owner",
        "text",
        (
            "owner",
            "account owner",
            "customer owner",
            "company owner",
            "contact owner",
            "record owner",
            "sales rep",
            "account manager",
            "salesperson",
            "assigned to",
            "betreuer",
        ),
    ),
    _spec(
        "status",
        "Status",
        "status",
        ("status", "customer status", "account status", "lifecycle stage", "lifecyclestage", "stage"),
        help="lapsed / lost / won back / active",
    ),
)
# Names of the account's own turnover (a CRM's "Annual Revenue"): never taken for the value lost,
# which is the business it did with us, without the user choosing it.
TURNOVER = frozenset(
    normalize(n)
    for n in (
        "annual revenue",
        "annualrevenue",
        "turnover",
        "annual turnover",
        "jahresumsatz",
        "company revenue",
    )
)

# In an orders file a bare "Id" is the order's (or the line's) id, not the customer's: a
# customer column is preferred, and the id is taken as the order id.
_ORDER_CUSTOMER_ID = (
    *(n for n in _CUSTOMER_ID if n != "id"),
    "customer",
    "customer email",
    "email",
    "e-mail",
    "email address",
)

ORDER_FIELDS: tuple[FieldSpec, ...] = (
    _spec("customer_external_id", "Customer ID", "id", _ORDER_CUSTOMER_ID, required=True),
    _spec(
        "order_date",
        "Order date",
        "date",
        ("order date", "date", "invoice date", "purchase date", "sale date", "transaction date", "datum"),
        required=True,
    ),
    _spec(
        "amount",
        "Amount",
        "amount",
        (
            "amount",
            "total",
            "net amount",
            "net",
            "net total",
            "order total",
            "order amount",
            "line total",
            "total amount",
            "value",
            "revenue",
            "sales",
            "price",
            "betrag",
            "umsatz",
            "nettobetrag",
        ),
        required=True,
    ),
    _spec(
        "order_ref",
        "Order ID",
        "id",
        (
            "order id",
            "order number",
            "order no",
            "order nr",
            "order ref",
            "order reference",
            "invoice number",
            "invoice no",
            "invoice id",
            "invoice",
            "transaction id",
            "sales order",
            "bestellnummer",
            "rechnungsnummer",
            "auftragsnummer",
            "id",
        ),
        help="orders already stored under this id are updated, not added again",
    ),
    _spec("company", "Company", "text", _COMPANY[:-3], help="names customers first seen in this file"),
    _spec(
        "refunded",
        "Refunded",
        "amount",
        ("refunded amount", "amount refunded", "refunded", "refund amount", "refund", "erstattet"),
        help="taken off the order's amount",
    ),
    _spec(
        "order_status",
        "Order status",
        "text",
        ("financial status", "payment status", "order status", "status"),
        help="voided or cancelled orders are not counted",
    ),
    _spec(
        "cancelled", "Cancelled at", "text", ("cancelled at", "canceled at", "cancelled", "cancellation date")
    ),
)

FIELDS: dict[str, tuple[FieldSpec, ...]] = {CUSTOMERS: CUSTOMER_FIELDS, ORDERS: ORDER_FIELDS}
BY_NAME, REMEMBERED, CHOSEN = "by its name", "as chosen last time for these columns", "as you chose"


def fields(kind: str) -> tuple[FieldSpec, ...]:
    if kind not in FIELDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return FIELDS[kind]
