"""The bulk writer: SQL compiled by the dialect, parameters shaped for its driver."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import psycopg, psycopg2

from winback_desktop.services.imports.write import CUSTOMERS, ORDERS, BulkStatement, _insert, one_year_before
from winback_desktop.store.connection import make_engine


class Recorder:
    """A stand-in connection for a dialect we have no server for: records what would run."""

    def __init__(self, dialect):
        self.dialect = dialect
        self.calls: list[tuple[str, object]] = []

    def exec_driver_sql(self, sql, params):
        self.calls.append((sql, params))


def test_postgresql_gets_named_parameters_and_no_returning():
    for dialect in (psycopg2.dialect(), psycopg.dialect()):
        conn = Recorder(dialect)
        ins = _insert(conn, ORDERS, ("customer_id", "order_ref", "order_date", "amount", "import_id"))
        ins.run(ins.process([(1, "A-1", dt.date(2024, 1, 31), Decimal("12.50"), 7)]))
        [(sql, params)] = conn.calls
        assert sql.startswith("INSERT INTO orders (customer_id, order_ref, order_date, amount, import_id)")
        assert "RETURNING" not in sql and "?" not in sql
        assert params == [
            {
                "customer_id": 1,
                "order_ref": "A-1",
                "order_date": dt.date(2024, 1, 31),
                "amount": Decimal("12.50"),
                "import_id": 7,
            }
        ]


def test_python_defaults_are_filled_for_new_customers():
    conn = Recorder(psycopg2.dialect())
    ins = _insert(conn, CUSTOMERS, ("external_id", "company"), created_at=dt.datetime(2024, 1, 1))
    ins.run(ins.process([("00586", "Harbourline")]))
    [(_sql, [params])] = conn.calls
    assert params["external_id"] == "00586" and params["created_at"] == dt.datetime(2024, 1, 1)
    assert (params["status"], params["decision"], params["orders_count"], params["priority"]) == (
        "lapsed",
        "undecided",
        0,
        0.0,
    )


def test_positional_order_repeats_and_literals_on_sqlite(tmp_path):
    engine = make_engine(tmp_path / "t.sqlite3")
    t = Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("name", String(20)),
        Column("day", Date),
        Column("money", Numeric(14, 2)),
    )
    t.create(engine)
    with engine.begin() as conn:
        ins = _insert(conn, t, ("money", "day", "name"))  # not the table's column order
        ins.run(ins.process([(Decimal("1.25"), dt.date(2024, 2, 29), "a"), (None, None, "b")]))
        stmt = (
            update(t)
            .where(t.c.id == bindparam("p_id"))
            .values(name=func.coalesce(bindparam("p_name"), "kept"), money=bindparam("p_id") * 10)
        )
        upd = BulkStatement(conn, stmt, ("p_name", "p_id"))
        upd.run(upd.process([(None, 1), ("new", 2)]))
        rows = conn.execute(select(t).order_by(t.c.id)).all()
    assert rows == [(1, "kept", dt.date(2024, 2, 29), Decimal("10.00")), (2, "new", None, Decimal("20.00"))]
    engine.dispose()


def test_one_year_before():
    assert one_year_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert one_year_before(dt.date(2024, 3, 1)) == dt.date(2023, 3, 1)
