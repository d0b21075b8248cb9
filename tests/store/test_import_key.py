"""Revision 0006: each file applies once (a unique key on kind and the file's hash).

Upgrading a database that already holds twins (the same file applied twice by two imports at
once, before the key) keeps them all; the first of each holds the key. The same migration runs
on PostgreSQL: its SQL is rendered for that dialect and run by a real server (see
tests/helpers/postgres.py), with the same twins.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from tests.helpers.postgres import (  # noqa: F401 (postgres_server: the fixture)
    Server,
    needs_postgres,
    offline_sql,
    postgres_server,
)
from winback_desktop.store.connection import make_engine, write_transaction
from winback_desktop.store.migrate import alembic_config, migrate
from winback_desktop.store.models import ImportBatch

TWINS = """
INSERT INTO customers (id, external_id, company, contact_name, contact_title, phone, email, notes,
    status, value_lost, segment, owner, orders_count, total_revenue, yearly_revenue, priority,
    priority_reason, decision, decision_reason, verify_contact, search_text, created_at)
    VALUES (1, 'C1', 'Acme', '', '', '', '', '', 'lapsed', 0, '', '', 0, 0, 0, 0, '', 'undecided', '',
    false, 'acme', '2024-01-01 00:00:00');
INSERT INTO imports (id, kind, file_name, sha256, rows, imported_at) VALUES
    (1, 'orders', 'a.csv', 'aaaa', 2, '2024-01-01 10:00:00'),
    (2, 'orders', 'a.csv', 'aaaa', 2, '2024-01-01 10:00:01'),
    (3, 'customers', 'a.csv', 'aaaa', 2, '2024-01-01 10:00:02'),
    (4, 'orders', 'b.csv', 'bbbb', 1, '2024-01-02 10:00:00');
INSERT INTO orders (customer_id, order_date, amount, import_id) VALUES
    (1, '2024-01-01', 10, 1), (1, '2024-01-02', 20, 1), (1, '2024-01-01', 10, 2),
    (1, '2024-01-02', 20, 2), (1, '2024-01-03', 5, 4);
"""
KEYS = [(1, "aaaa"), (2, None), (3, "aaaa"), (4, "bbbb")]


def upgrade_to(engine, revision: str) -> None:
    cfg = alembic_config()
    with engine.connect() as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_twins_from_before_the_key_are_kept_and_the_first_holds_it(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    engine = make_engine(db)
    try:
        upgrade_to(engine, "0005")
        with engine.begin() as conn:
            for statement in TWINS.split(";"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
        migrate(engine, tmp_path / "backups")
        with engine.connect() as conn:
            keys = conn.exec_driver_sql("SELECT id, applied_sha256 FROM imports ORDER BY id").all()
            assert [tuple(k) for k in keys] == KEYS
            assert conn.exec_driver_sql("SELECT count(*) FROM orders").scalar() == 5
        # The key holds from now on, in a write transaction as the importer opens it.
        with pytest.raises(IntegrityError), write_transaction(engine) as conn:
            conn.execute(
                ImportBatch.__table__.insert().values(
                    kind="orders", file_name="again.csv", sha256="bbbb", applied_sha256="bbbb", rows=1
                )
            )
        with write_transaction(engine) as conn:  # a batch that no longer counts: no key, no clash
            conn.execute(
                ImportBatch.__table__.insert().values(
                    kind="orders", file_name="undone.csv", sha256="bbbb", applied_sha256=None, rows=1
                )
            )
    finally:
        engine.dispose()
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()


@needs_postgres
def test_the_same_migration_runs_on_postgresql(postgres: Server) -> None:
    before = offline_sql("0005")
    upgrade = offline_sql("0005:head")
    assert "uq_imports_kind_applied" in upgrade
    postgres.run(before)
    postgres.run(TWINS)
    postgres.run(upgrade)
    keys = postgres.query("SELECT id, applied_sha256 FROM imports ORDER BY id")
    assert keys == [(str(i), "" if k is None else k) for i, k in KEYS]
    clash = postgres.run(
        "INSERT INTO imports (id, kind, file_name, sha256, applied_sha256, rows, imported_at) "
        "VALUES (10, 'orders', 'again.csv', 'bbbb', 'bbbb', 1, now())",
        check=False,
    )
    assert clash.returncode != 0 and "uq_imports_kind_applied" in clash.stderr
    postgres.run(
        "INSERT INTO imports (id, kind, file_name, sha256, applied_sha256, rows, imported_at) "
        "VALUES (11, 'orders', 'undone.csv', 'bbbb', NULL, 1, now())"
    )
