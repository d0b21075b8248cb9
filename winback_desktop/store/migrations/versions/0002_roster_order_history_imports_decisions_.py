"""roster: order history, imports, decisions, priority

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:52:08.954437
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get the same defaults the models give new ones.
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imports_sha256"), ["sha256"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=True),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name=op.f("fk_orders_import_id_imports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_customer_date", ["customer_id", "order_date"], unique=False)
        batch_op.create_index("ix_orders_order_ref", ["order_ref"], unique=False)

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("first_purchase", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("orders_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("total_revenue", sa.Numeric(precision=14, scale=2), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("yearly_revenue", sa.Numeric(precision=14, scale=2), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("decision", sa.String(length=20), nullable=False, server_default="undecided")
        )
        batch_op.add_column(sa.Column("decision_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("verify_contact", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("contact_verified_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.Double(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("priority_reason", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.create_index("ix_customers_decision", ["decision"], unique=False)
        batch_op.create_index("ix_customers_last_purchase", ["last_purchase"], unique=False)
        batch_op.create_index("ix_customers_priority", ["priority"], unique=False)
        batch_op.create_index("ix_customers_segment", ["segment"], unique=False)
        batch_op.create_index("ix_customers_status", ["status"], unique=False)
        batch_op.create_index("ix_customers_value_lost", ["value_lost"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_value_lost")
        batch_op.drop_index("ix_customers_status")
        batch_op.drop_index("ix_customers_segment")
        batch_op.drop_index("ix_customers_priority")
        batch_op.drop_index("ix_customers_last_purchase")
        batch_op.drop_index("ix_customers_decision")
        batch_op.drop_column("priority_reason")
        batch_op.drop_column("priority")
        batch_op.drop_column("contact_verified_on")
        batch_op.drop_column("verify_contact")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decision_reason")
        batch_op.drop_column("decision")
        batch_op.drop_column("yearly_revenue")
        batch_op.drop_column("total_revenue")
        batch_op.drop_column("orders_count")
        batch_op.drop_column("first_purchase")
        batch_op.drop_column("owner")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_order_ref")
        batch_op.drop_index("ix_orders_customer_date")

    op.drop_table("orders")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imports_sha256"))

    op.drop_table("imports")
