"""tag-team: rescue cycles, assignments, call attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 19:05:01.387004
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rescue_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("executive_quota", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rescue_cycles")),
    )
    op.create_table(
        "cycle_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["people.id"], name=op.f("fk_cycle_assignments_assignee_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_cycle_assignments_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["rescue_cycles.id"],
            name=op.f("fk_cycle_assignments_cycle_id_rescue_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["people.id"], name=op.f("fk_cycle_assignments_partner_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_assignments")),
        sa.UniqueConstraint("cycle_id", "customer_id", name="uq_cycle_assignments_customer"),
    )
    with op.batch_alter_table("cycle_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cycle_assignments_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cycle_assignments_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cycle_assignments_cycle_id"), ["cycle_id"], unique=False)

    op.create_table(
        "call_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column("disposition", sa.String(length=20), nullable=False),
        sa.Column("call_back_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_attempts_call_id_calls"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_call_attempts_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_call_attempts_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_attempts")),
    )
    with op.batch_alter_table("call_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_attempts_customer_id"), ["customer_id"], unique=False)

    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_minutes", sa.Integer(), server_default="30", nullable=False))
        batch_op.add_column(sa.Column("cycle_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_calls_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_calls_cycle_id_rescue_cycles"), "rescue_cycles", ["cycle_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_calls_cycle_id_rescue_cycles"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_calls_cycle_id"))
        batch_op.drop_column("cycle_id")
        batch_op.drop_column("duration_minutes")

    with op.batch_alter_table("call_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_attempts_customer_id"))

    op.drop_table("call_attempts")
    with op.batch_alter_table("cycle_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycle_assignments_cycle_id"))
        batch_op.drop_index(batch_op.f("ix_cycle_assignments_customer_id"))
        batch_op.drop_index(batch_op.f("ix_cycle_assignments_assignee_id"))

    op.drop_table("cycle_assignments")
    op.drop_table("rescue_cycles")
