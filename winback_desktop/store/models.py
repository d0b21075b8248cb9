"""The schema, as typed SQLAlchemy 2.x models. Every change here needs an Alembic revision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

# Named constraints so Alembic batch migrations on SQLite can find them again.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Tables whose rows people edit from windows that stay open: each row's ``version`` starts at 1
# and every save adds one; a save names the version it loaded, so a change someone else made
# meanwhile is seen and shown, never silently overwritten (migration 0008).
VERSIONED = ("stage_answers", "action_items", "customers", "calls")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    if TYPE_CHECKING:
        # Every model names a __tablename__, so its __table__ is a Table (SQLAlchemy types it as
        # the wider FromClause); Core statements (bulk inserts, updates) take it as one.
        __table__: ClassVar[Table]


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept as text: CRM ids like "00586" must keep their zeros.
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    company: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_title: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    value_lost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    last_purchase: Mapped[dt.date | None] = mapped_column(Date)
    # lapsed / lost / won_back / active
    status: Mapped[str] = mapped_column(String(20), default="lapsed")
    segment: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(
        String(120), default="", server_default=""
    )  # account owner, from the CRM
    # Derived from order history (services/roster.py keeps them): what they were worth.
    first_purchase: Mapped[dt.date | None] = mapped_column(Date)
    orders_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_revenue: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"), server_default="0")
    # Revenue in the twelve months up to the last purchase: the yearly business that left.
    yearly_revenue: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"), server_default="0")
    # Whether to pursue: undecided / pursue / let_go (let-go customers leave the call lists).
    decision: Mapped[str] = mapped_column(String(20), default="undecided", server_default="undecided")
    decision_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    verify_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    contact_verified_on: Mapped[dt.date | None] = mapped_column(Date)
    # Win-back priority 0-100 from value, recency and frequency, with its reason in words.
    priority: Mapped[float] = mapped_column(default=0.0, server_default="0")
    priority_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Case-folded company, contact, id, phone and email: SQLite's LIKE folds ASCII only, so
    # search matches "ærø" to "Ærø" through this column (kept by the listener below).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The import that created this customer (NULL: typed in, the demo, or before batches existed).
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # see VERSIONED below

    calls: Mapped[list[Call]] = relationship(back_populates="customer")

    __table_args__ = (
        Index("ix_customers_company", "company"),
        Index("ix_customers_status", "status"),
        Index("ix_customers_last_purchase", "last_purchase"),
        Index("ix_customers_priority", "priority"),
        Index("ix_customers_decision", "decision"),
        Index("ix_customers_segment", "segment"),
        Index("ix_customers_value_lost", "value_lost"),
        Index("ix_customers_owner", "owner"),  # the owner filter list and filter
        # Search as you type scans search_text for substrings: scanning this narrow index (with
        # the priority to sort the matches) instead of the wide table halves a keystroke at 100k.
        Index("ix_customers_search", "search_text", "priority"),
    )


def customer_search_text(company: str, contact: str, external_id: str | None, phone: str, email: str) -> str:
    return " ".join(p for p in (company, contact, external_id or "", phone, email) if p).casefold()


@event.listens_for(Customer, "before_insert")
@event.listens_for(Customer, "before_update")
def _keep_search_text(_mapper: Mapper[Customer], _conn: Connection, c: Customer) -> None:
    c.search_text = customer_search_text(
        c.company, c.contact_name or "", c.external_id, c.phone or "", c.email or ""
    )


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(120), default="")
    # executive / caller / partner
    role: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # scheduled / in_progress / completed / abandoned
    status: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)
    current_stage: Mapped[str] = mapped_column(String(40), default="initiate")
    # won_back / open_door / not_now / never_again / let_go (empty while the call runs)
    outcome: Mapped[str] = mapped_column(String(30), default="")
    # never_again / can_do / cannot_provide: the customer's answer to "what would it take?"
    customer_answer: Mapped[str] = mapped_column(String(30), default="")
    accepts_help: Mapped[str] = mapped_column(String(20), default="")
    keep_in_touch: Mapped[bool | None] = mapped_column(Boolean)
    next_contact: Mapped[dt.date | None] = mapped_column(Date)
    script_name: Mapped[str] = mapped_column(String(120), default="")
    script_version: Mapped[str] = mapped_column(String(40), default="")
    script_snapshot: Mapped[str] = mapped_column(Text, default="")
    # A scheduled call's planned length, and the rescue cycle it belongs to (if any).
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("rescue_cycles.id"), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # see VERSIONED below

    customer: Mapped[Customer] = relationship(back_populates="calls")
    caller: Mapped[Person | None] = relationship(foreign_keys=[caller_id])
    partner: Mapped[Person | None] = relationship(foreign_keys=[partner_id])
    answers: Mapped[list[StageAnswer]] = relationship(cascade="all, delete-orphan")
    reasons: Mapped[list[CallReason]] = relationship(cascade="all, delete-orphan")
    offers: Mapped[list[CallOffer]] = relationship(cascade="all, delete-orphan")
    actions: Mapped[list[ActionItem]] = relationship(back_populates="call", cascade="all, delete-orphan")

    # Two desks starting a call with one customer at once get one call (migration 0008).
    __table_args__ = (
        Index(
            "uq_calls_one_open_per_customer",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
    )


class StageAnswer(Base):
    """One note field of one stage of one call: what the caller typed, saved as typed."""

    __tablename__ = "stage_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # see VERSIONED below

    __table_args__ = (UniqueConstraint("call_id", "stage", "field", name="uq_stage_answers_field"),)


class DepartureReason(Base):
    """The reason taxonomy; reasons are retired, never deleted, so old calls keep their meaning."""

    __tablename__ = "departure_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CallReason(Base):
    __tablename__ = "call_reasons"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    reason_id: Mapped[int] = mapped_column(ForeignKey("departure_reasons.id"), primary_key=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    reason: Mapped[DepartureReason] = relationship()


class HelpOption(Base):
    """The catalogue of help the caller can offer in 'earn the right to help'."""

    __tablename__ = "help_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CallOffer(Base):
    """An option offered on a call: from the catalogue, or free text (help_option_id is NULL)."""

    __tablename__ = "call_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    help_option_id: Mapped[int | None] = mapped_column(ForeignKey("help_options.id"))
    text: Mapped[str] = mapped_column(Text, default="")

    option: Mapped[HelpOption | None] = relationship()


class ActionItem(Base):
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    what: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    # open / done / cancelled
    status: Mapped[str] = mapped_column(String(20), default="open")
    done_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # see VERSIONED below

    call: Mapped[Call] = relationship(back_populates="actions")

    # The follow-up board: one owner's open items by due date.
    __table_args__ = (Index("ix_action_items_owner_status_due", "owner_id", "status", "due_date"),)
    owner: Mapped[Person | None] = relationship()


class Setting(Base):
    """Small app-wide settings (our company name, lapse months, ...); defaults live in code."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class ImportBatch(Base):
    """One imported file: recognised by its hash, so importing it again changes nothing.

    ``applied_sha256`` is the file's hash for as long as the import counts as applied, unique per
    kind: the database itself refuses a second batch of the same file, inside the import's write
    transaction, so two imports of one file started at the same moment apply once. It is NULL
    for a batch that no longer counts (one undone, so that the file may be imported again; or the
    later copies of a file imported twice at once before this key existed: see migration 0006).
    """

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # customers / orders
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # the file's bytes, always
    applied_sha256: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Customers the batch created or changed (NULL: not known, for a batch from before 0007).
    customers: Mapped[int | None] = mapped_column(Integer)
    # Whether the batch recorded what it changed (from migration 0007 on): only then can an
    # undo put a customers file's changes back and remove the customers it created.
    tracked: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("uq_imports_kind_applied", "kind", "applied_sha256", unique=True),)


class ImportChange(Base):
    """What one import changed on one customer, for its undo: the fields' values before and
    after, as JSON objects ({"phone": "0123"}; dates in ISO form, money in cents)."""

    __tablename__ = "import_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    before: Mapped[str] = mapped_column(Text, default="{}")
    after: Mapped[str] = mapped_column(Text, default="{}")


class ReplacedOrder(Base):
    """An order line an import replaced (its order ref came again, changed): put back on undo."""

    __tablename__ = "import_replaced_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    order_ref: Mapped[str | None] = mapped_column(String(64))
    order_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    from_import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), index=True)


class Order(Base):
    """One order, or one order line: identical lines are separate purchases."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    order_ref: Mapped[str | None] = mapped_column(String(64))  # the file's order id, when it has one
    order_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # The batch that wrote the line (NULL: typed in, the demo, or before batches existed).
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))

    __table_args__ = (
        Index("ix_orders_customer_date", "customer_id", "order_date"),
        Index("ix_orders_order_ref", "order_ref"),
        Index("ix_orders_import_id", "import_id"),  # an undo finds its batch's lines
    )


class RescueCycle(Base):
    """A month or quarter of win-back calls: executives take a handful, callers the rest."""

    __tablename__ = "rescue_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    executive_quota: Mapped[int] = mapped_column(Integer, default=5)  # calls per executive, 1-10
    status: Mapped[str] = mapped_column(String(20), default="open")  # open / closed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CycleAssignment(Base):
    """One customer in a cycle, with who calls them (and, for an executive, their partner)."""

    __tablename__ = "cycle_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("rescue_cycles.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(20))  # executive / caller

    __table_args__ = (UniqueConstraint("cycle_id", "customer_id", name="uq_cycle_assignments_customer"),)


class CallAttempt(Base):
    """A try at reaching the customer: reached, or why not (no answer, voicemail, ...)."""

    __tablename__ = "call_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # reached / no_answer / voicemail / wrong_number / call_back
    disposition: Mapped[str] = mapped_column(String(20))
    call_back_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class CallPresence(Base):
    """A desk that has a call open: a lease renewed by a heartbeat. A row whose heartbeat is
    older than the lease says nothing (that desk stopped or lost its connection)."""

    __tablename__ = "call_presence"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    desk: Mapped[str] = mapped_column(String(64), primary_key=True)  # this desk's own id (desk.json)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    holder: Mapped[str] = mapped_column(String(200), default="", server_default="")  # who, as shown
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
