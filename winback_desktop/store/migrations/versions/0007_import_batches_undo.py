"""imports: every import a batch that can be taken back (undo), and purchase figures by order

* ``customers.import_id``: the batch that created a customer (orders already carried theirs);
* ``imports.customers`` (how many customers a batch created or changed), ``imports.tracked``
  (the batch recorded what it changed, so an undo can put it back) and ``imports.undone_at``;
* ``import_changes``: per batch and customer, the fields' values before and after the batch;
* ``import_replaced_orders``: order lines a batch replaced under the same order ref.

Existing rows: order lines keep the batch they already name (NULL, the "before batches" marker,
for lines typed in or from the demo); which batch created an existing customer cannot be known,
so their ``import_id`` stays NULL and undoing an older batch keeps its customers. Older batches
are marked untracked: an orders batch can still be undone (its lines are known), a customers
batch cannot (what it overwrote was not kept). ``imports.customers`` is filled for orders
batches from their lines.

The purchase figures are recomputed by the rule of issue 13 (a purchase is an order, a ref's
lines or a line without one, with a positive amount; see services/roster/purchases.py): first
and last purchase and the number of purchases, in portable SQL, for customers with orders. A
customer whose lines are all refunds loses the last purchase the old rule kept for them. The
figures that follow from the last purchase are recomputed with them, as the import computes
them (services/imports/write.py, ``recompute``): the yearly revenue is every line after the same
day a year before the last purchase (29 February: 28 February), 0 without a purchase; the value
lost follows it where it was the yearly revenue the orders gave, and stays where a customers
file said otherwise. The total revenue sums every line under either rule: it stays.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# One row per order, as services/roster/purchases.py defines it (kept here as it stands today:
# a migration must not change with the code).
PER_ORDER = (
    "SELECT customer_id, min(order_date) AS d, round(sum(amount), 2) AS a FROM orders "
    "GROUP BY customer_id, order_ref, CASE WHEN order_ref IS NULL THEN id END"
)


def upgrade() -> None:
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customers", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tracked", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("undone_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_customers_import_id", ["import_id"], unique=False)
        batch_op.create_foreign_key("fk_customers_import_id_imports", "imports", ["import_id"], ["id"])
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_import_id", ["import_id"], unique=False)
    op.create_table(
        "import_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name="fk_import_changes_customer_id_customers",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name="fk_import_changes_import_id_imports", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_changes"),
    )
    op.create_index("ix_import_changes_import_id", "import_changes", ["import_id"])
    op.create_index("ix_import_changes_customer_id", "import_changes", ["customer_id"])
    op.create_table(
        "import_replaced_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=True),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("from_import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name="fk_import_replaced_orders_customer_id_customers",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name="fk_import_replaced_orders_import_id_imports",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_import_id"], ["imports.id"], name="fk_import_replaced_orders_from_import_id_imports"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_replaced_orders"),
    )
    op.create_index("ix_import_replaced_orders_import_id", "import_replaced_orders", ["import_id"])
    op.create_index("ix_import_replaced_orders_from_import_id", "import_replaced_orders", ["from_import_id"])
    op.execute(
        "UPDATE imports SET customers = (SELECT count(DISTINCT customer_id) FROM orders "
        "WHERE orders.import_id = imports.id) WHERE kind = 'orders'"
    )
    _recompute_purchases()


def _recompute_purchases() -> None:
    """First and last purchase and the purchases, by order, for every customer with orders: one
    pass over the orders into a temporary table, then an update by primary key."""
    op.execute(
        "CREATE TEMPORARY TABLE winback_0007_figures AS SELECT customer_id, "
        "min(CASE WHEN a > 0 THEN d END) AS f, max(CASE WHEN a > 0 THEN d END) AS l, "
        f"sum(CASE WHEN a > 0 THEN 1 ELSE 0 END) AS n FROM ({PER_ORDER}) AS p GROUP BY customer_id"
    )
    op.execute("CREATE UNIQUE INDEX winback_0007_figures_id ON winback_0007_figures (customer_id)")
    figure = "(SELECT t.{} FROM winback_0007_figures t WHERE t.customer_id = customers.id)"
    op.execute(
        f"UPDATE customers SET first_purchase = {figure.format('f')}, "
        f"last_purchase = {figure.format('l')}, orders_count = {figure.format('n')} "
        "WHERE id IN (SELECT customer_id FROM winback_0007_figures)"
    )
    _recompute_yearly()
    op.execute("DROP TABLE winback_0007_figures")


def _year_before(day: str) -> str:
    """SQL for the same date a year before the date ``day`` (29 February: 28 February), as
    services/imports/write.py's ``one_year_before``. Portable SQL has no date arithmetic:
    SQLite keeps dates as ISO text, PostgreSQL subtracts an interval (which already ends on 28
    February)."""
    if op.get_context().dialect.name == "sqlite":
        year = f"printf('%04d', CAST(substr({day}, 1, 4) AS INTEGER) - 1)"
        return f"{year} || CASE WHEN substr({day}, 5) = '-02-29' THEN '-02-28' ELSE substr({day}, 5) END"
    return f"CAST({day} - INTERVAL '1 year' AS DATE)"


def _recompute_yearly() -> None:
    """Yearly revenue (and the value lost derived from it) from the new last purchase: one pass
    over the orders joined to the figures, then an update by primary key."""
    op.execute(
        "CREATE TEMPORARY TABLE winback_0007_yearly AS SELECT o.customer_id, "
        "round(sum(o.amount), 2) AS y FROM orders o JOIN winback_0007_figures t "
        f"ON t.customer_id = o.customer_id WHERE t.l IS NOT NULL AND o.order_date > {_year_before('t.l')} "
        "GROUP BY o.customer_id"
    )
    op.execute("CREATE UNIQUE INDEX winback_0007_yearly_id ON winback_0007_yearly (customer_id)")
    yearly = "coalesce((SELECT t.y FROM winback_0007_yearly t WHERE t.customer_id = customers.id), 0)"
    # Both sides read the row as it was: value_lost = yearly_revenue compares the old figures.
    op.execute(
        f"UPDATE customers SET yearly_revenue = {yearly}, "
        f"value_lost = CASE WHEN value_lost = yearly_revenue THEN {yearly} ELSE value_lost END "
        "WHERE id IN (SELECT customer_id FROM winback_0007_figures)"
    )
    op.execute("DROP TABLE winback_0007_yearly")


def downgrade() -> None:
    op.drop_index("ix_import_replaced_orders_from_import_id", table_name="import_replaced_orders")
    op.drop_index("ix_import_replaced_orders_import_id", table_name="import_replaced_orders")
    op.drop_table("import_replaced_orders")
    op.drop_index("ix_import_changes_customer_id", table_name="import_changes")
    op.drop_index("ix_import_changes_import_id", table_name="import_changes")
    op.drop_table("import_changes")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_import_id")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_constraint("fk_customers_import_id_imports", type_="foreignkey")
        batch_op.drop_index("ix_customers_import_id")
        batch_op.drop_column("import_id")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_column("undone_at")
        batch_op.drop_column("tracked")
        batch_op.drop_column("customers")
