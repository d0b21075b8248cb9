"""indexes: customer owner, follow-up board

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 20:02:31.404563
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_items_owner_status_due", ["owner_id", "status", "due_date"], unique=False
        )

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_owner", ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_owner")

    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_owner_status_due")
