"""team mode: versions on what people edit, one open call per customer, presence, trigram search

* ``version`` (from 1) on ``stage_answers``, ``action_items``, ``customers`` and ``calls``: each
  save names the version its window loaded and adds one, so a save over someone else's change
  is seen and shown rather than silently lost (services/calls/conflicts.py);
* ``uq_calls_one_open_per_customer``: at most one call in progress per customer, a partial
  unique index (both databases have them), so two desks starting a call with the same customer
  at once get one call. A database that already has several open calls for a customer keeps
  the most recently updated one open; the older ones become ``abandoned`` (their notes stay);
* ``call_presence``: who has a call open at which desk, with a heartbeat (a lease: a desk that
  stopped beating is no longer in the call);
* on PostgreSQL, ``pg_trgm`` and a GIN trigram index on ``customers.search_text``, so the
  roster's substring search does not read every row (SQLite's search reads its own index).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

VERSIONED = ("stage_answers", "action_items", "customers", "calls")


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    # Older duplicate open calls (none should exist: a desk resumes the open call) step aside.
    op.execute(
        "UPDATE calls SET status = 'abandoned' WHERE status = 'in_progress' AND EXISTS ("
        "SELECT 1 FROM calls AS newer WHERE newer.customer_id = calls.customer_id "
        "AND newer.status = 'in_progress' AND (newer.updated_at > calls.updated_at "
        "OR (newer.updated_at = calls.updated_at AND newer.id > calls.id)))"
    )
    op.create_index(
        "uq_calls_one_open_per_customer",
        "calls",
        ["customer_id"],
        unique=True,
        sqlite_where=sa.text("status = 'in_progress'"),
        postgresql_where=sa.text("status = 'in_progress'"),
    )
    op.create_table(
        "call_presence",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("desk", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("holder", sa.String(length=200), server_default="", nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name="fk_call_presence_call_id_calls", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_call_presence_person_id_people"),
        sa.PrimaryKeyConstraint("call_id", "desk", name="pk_call_presence"),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_customers_search_trgm ON customers USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_customers_search_trgm")
    op.drop_table("call_presence")
    op.drop_index("uq_calls_one_open_per_customer", table_name="calls")
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
