"""imports: each file applies once (a unique key on kind and the file's hash)

Two imports of the same file started at the same moment both passed the "imported before?" check
and both applied. The key is a column of its own, ``applied_sha256``, NULL when a batch no longer
counts (NULLs never collide, on SQLite and PostgreSQL alike), so that an import can be undone and
the file imported again. A database that already holds such twins keeps them all, as history:
the first of each (kind, file) holds the key, the later ones get NULL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applied_sha256", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE imports SET applied_sha256 = sha256 "
        "WHERE id IN (SELECT min(id) FROM imports GROUP BY kind, sha256)"
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.create_index("uq_imports_kind_applied", ["kind", "applied_sha256"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_index("uq_imports_kind_applied")
        batch_op.drop_column("applied_sha256")
