"""The store on a real SQLite file: permissions, pragmas, transactions, migrations, backups, search."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import sqlite3
import stat
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.helpers.test_database import PlainConnection
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import Paths
from winback_desktop.services import roster
from winback_desktop.store import migrate as migrate_module
from winback_desktop.store.backup import backup_database
from winback_desktop.store.connection import BUSY_TIMEOUT_MS, make_engine, transaction
from winback_desktop.store.migrate import SchemaTooNewError, current_revision, head_revision, migrate
from winback_desktop.store.models import Base, Call, Customer, Person


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def raw(db: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, independent of the code under test."""
    return sqlite3.connect(db)


def rows(db: Path | Paths, sql: str, *params) -> list[tuple]:
    """Rows of a SQLite file (a Path), or of the app's database, either kind (its Paths)."""
    if isinstance(db, Paths):
        with PlainConnection(db) as plain:
            return plain.rows(sql, *params)
    con = raw(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def add_customer(ctx, company: str, **kw) -> int:
    with transaction(ctx.sessions) as s:
        c = Customer(company=company, **kw)
        s.add(c)
        s.flush()
        return c.id


def dump(db: Path | Paths) -> list[str]:
    if isinstance(db, Paths):
        with PlainConnection(db) as plain:
            return plain.dump()
    con = raw(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


# --- files and connections ----------------------------------------------------------------------


@pytest.mark.sqlite_only  # the SQLite file's modes
def test_new_database_and_data_dir_are_private(ctx, paths):
    assert paths.database.exists()
    assert mode(paths.database) == 0o600
    assert mode(paths.data_dir) == 0o700
    assert mode(paths.backups) == 0o700
    add_customer(ctx, "Private Ltd")  # makes sure the WAL has been written
    wal = paths.database.with_name(paths.database.name + "-wal")
    shm = paths.database.with_name(paths.database.name + "-shm")
    for extra in (wal, shm):
        if extra.exists():
            assert mode(extra) == 0o600, extra


@pytest.mark.sqlite_only  # the SQLite file's modes
def test_private_even_with_a_permissive_umask(paths):
    import os

    old = os.umask(0o000)
    try:
        app = open_app(paths)
        add_customer(app, "Umask Ltd")
        app.close()
    finally:
        os.umask(old)
    assert mode(paths.database) == 0o600
    assert mode(paths.data_dir) == 0o700


@pytest.mark.sqlite_only  # SQLite's pragmas
def test_every_connection_has_the_pragmas(ctx):
    ctx.engine.dispose()  # start from an empty pool: these are fresh connections
    with ctx.engine.connect() as a, ctx.engine.connect() as b:
        assert a.connection.dbapi_connection is not b.connection.dbapi_connection
        for conn in (a, b):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert timeout == BUSY_TIMEOUT_MS and timeout > 0


@pytest.mark.sqlite_only  # the SQLite file's WAL
def test_wal_is_persistent_in_the_file(ctx, paths):
    ctx.close()
    assert rows(paths.database, "PRAGMA journal_mode") == [("wal",)]


# --- transactions -------------------------------------------------------------------------------


class Boom(Exception):
    pass


def test_a_failing_transaction_writes_nothing(ctx, paths):
    before = rows(paths, "SELECT count(*) FROM customers")[0][0]
    with pytest.raises(Boom), transaction(ctx.sessions) as s:
        s.add(Customer(company="Half Written"))
        s.flush()  # the INSERT has really been sent
        assert s.scalar(select(Customer.id).where(Customer.company == "Half Written"))
        raise Boom
    assert rows(paths, "SELECT count(*) FROM customers")[0][0] == before
    assert roster.roster_page(ctx, text="half written") == []


def test_a_successful_transaction_is_visible_to_another_connection(ctx, paths):
    add_customer(ctx, "Committed AS")
    assert rows(paths, "SELECT company FROM customers") == [("Committed AS",)]


def test_a_savepoint_rolls_back_alone(ctx, paths):
    with transaction(ctx.sessions) as s:
        s.add(Customer(company="Outer"))
        s.flush()
        with pytest.raises(Boom), s.begin_nested():
            s.add(Customer(company="Inner"))
            s.flush()
            raise Boom
        s.add(Customer(company="After"))
    assert sorted(rows(paths, "SELECT company FROM customers")) == [("After",), ("Outer",)]


def test_ddl_rolls_back_too(ctx, paths):
    with pytest.raises(Boom), ctx.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE scratch (x INTEGER)")
        raise Boom
    with PlainConnection(paths) as plain:
        assert "scratch" not in plain.tables()


def test_foreign_key_violation_raises(ctx, paths):
    with pytest.raises(IntegrityError), transaction(ctx.sessions) as s:
        s.add(Call(customer_id=424242))
    assert rows(paths, "SELECT count(*) FROM calls") == [(0,)]


def test_foreign_key_checked_on_delete(ctx):
    cid = add_customer(ctx, "Parent Co")
    with transaction(ctx.sessions) as s:
        s.add(Call(customer_id=cid))
    with pytest.raises(IntegrityError), transaction(ctx.sessions) as s:
        s.execute(text("DELETE FROM customers WHERE id = :id"), {"id": cid})


# --- the schema comes from Alembic --------------------------------------------------------------


def test_alembic_version_is_head_after_open(ctx, paths):
    assert rows(paths, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert current_revision(ctx.engine) == head_revision()


def _same_default(_ctx, _ins_col, _meta_col, inspected, _meta_default, rendered) -> bool | None:
    # SQLite reflects '' as "''" and 0 as "'0'"; PostgreSQL as "''::character varying" and
    # "'0'::numeric": compare the values, not their quoting nor the server's cast.
    if inspected is None or rendered is None:
        return None

    def norm(text: str) -> str:
        text = re.sub(r"::[a-z ]+(\(\d+(, *\d+)?\))?$", "", text.strip())
        return text.strip("()").strip("'\"")

    return norm(inspected) != norm(rendered)


def _not_server_only(obj, name, type_, reflected, compare_to) -> bool:
    # PostgreSQL's trigram index on the search text (migration 0008) has no model: SQLite has none.
    return name != "ix_customers_search_trgm"


def test_models_match_the_migrated_database(ctx):
    with ctx.engine.connect() as conn:
        mc = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": _same_default,
                "include_object": _not_server_only,
            },
        )
        diff = compare_metadata(mc, Base.metadata)
    assert diff == []


def test_every_model_table_exists_after_open(ctx, paths):
    with PlainConnection(paths) as plain:
        assert set(Base.metadata.tables) <= plain.tables()


def test_opening_twice_is_a_no_op(ctx, paths):
    ctx.close()
    before = dump(paths)
    again = open_app(paths)
    again.close()
    assert dump(paths) == before
    assert list(paths.backups.iterdir()) == []  # nothing to migrate: no backup


# --- migrating an older database ----------------------------------------------------------------

HEAD = head_revision()  # the shipped head; the tests add one revision on top of it
NEXT_REVISION = '''\
"""add customers.nickname"""

import sqlalchemy as sa
from alembic import op

revision = "next"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
'''


def migrations_with_next(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "migrations"
    shutil.copytree(migrate_module.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    code = NEXT_REVISION.format(body=textwrap.indent(textwrap.dedent(body).strip(), "    "), head=HEAD)
    (folder / "versions" / "next_test_revision.py").write_text(code, encoding="utf-8")
    return folder


@pytest.fixture
def old_db(paths: Paths) -> Paths:
    """A database at the shipped head revision with a customer, a person and a call in it."""
    app = open_app(paths)
    assert current_revision(app.engine) == HEAD
    cid = add_customer(app, "Old Data GmbH", value_lost=Decimal("1234.50"))
    with transaction(app.sessions) as s:
        p = Person(name="Pat Partner", role="partner")
        s.add(p)
        s.flush()
        s.add(Call(customer_id=cid, partner_id=p.id, status="completed"))
    app.close()
    return paths


@pytest.mark.sqlite_only  # the SQLite file's pre-migration backup
def test_migration_backs_up_first_then_upgrades(old_db, tmp_path, monkeypatch):
    folder = migrations_with_next(
        tmp_path,
        """
        with op.batch_alter_table("customers") as batch:
            batch.add_column(sa.Column("nickname", sa.String(80), nullable=False, server_default=""))
        """,
    )
    monkeypatch.setattr(migrate_module, "MIGRATIONS", folder)
    assert head_revision() == "next"
    engine = make_engine(old_db.database)
    try:
        backup = migrate(engine, old_db.backups)
        assert current_revision(engine) == "next"
    finally:
        engine.dispose()

    assert backup is not None
    backup_path = Path(backup)
    assert backup_path.parent == old_db.backups
    assert backup_path.name.startswith(f"pre-migrate-{HEAD}-") and backup_path.suffix == ".sqlite3"
    assert list(old_db.backups.glob(f"pre-migrate-{HEAD}-*.sqlite3")) == [backup_path]
    assert mode(backup_path) == 0o600
    # the backup is the old database, data and all
    assert rows(backup_path, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert rows(backup_path, "SELECT company, value_lost FROM customers") == [("Old Data GmbH", 1234.5)]
    assert "nickname" not in {r[1] for r in rows(backup_path, "PRAGMA table_info(customers)")}
    assert rows(backup_path, "PRAGMA integrity_check") == [("ok",)]
    # the live database has the new column and kept its data
    db = old_db.database
    assert rows(db, "SELECT version_num FROM alembic_version") == [("next",)]
    assert rows(db, "SELECT company, nickname FROM customers") == [("Old Data GmbH", "")]
    assert rows(db, "SELECT count(*) FROM calls") == [(1,)]


@pytest.mark.sqlite_only  # SQLite's batch mode (a table copied)
def test_a_table_rebuilding_migration_keeps_rows_that_others_refer_to(old_db, tmp_path, monkeypatch):
    """Batch mode on SQLite copies the table, drops the old one and renames: with foreign keys
    on, that must neither fail nor lose the calls that refer to the customers."""
    folder = migrations_with_next(
        tmp_path,
        """
        with op.batch_alter_table("customers", recreate="always") as batch:
            batch.alter_column("segment", existing_type=sa.String(60), type_=sa.String(120))
        """,
    )
    monkeypatch.setattr(migrate_module, "MIGRATIONS", folder)
    engine = make_engine(old_db.database)
    try:
        migrate(engine, old_db.backups)
        assert current_revision(engine) == "next"
        with engine.connect() as conn:  # the pooled connection has its foreign keys back on
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
    db = old_db.database
    assert rows(db, "SELECT company FROM customers") == [("Old Data GmbH",)]
    assert rows(db, "SELECT count(*) FROM calls") == [(1,)]
    assert rows(db, "PRAGMA foreign_key_check") == []
    fks = rows(db, "PRAGMA foreign_key_list(calls)")
    assert "customers" in {fk[2] for fk in fks}
    # foreign keys still enforced afterwards
    con = raw(db)
    con.execute("PRAGMA foreign_keys=ON")
    with pytest.raises(sqlite3.IntegrityError):
        con.execute(
            "INSERT INTO calls (customer_id, status, current_stage, outcome, customer_answer,"
            " accepts_help, script_name, script_version, script_snapshot, updated_at)"
            " VALUES (999, '', '', '', '', '', '', '', '', '2024-01-01')"
        )
    con.close()


@pytest.mark.sqlite_only  # the SQLite file, its integrity and backup
def test_a_failing_migration_leaves_the_database_as_it_was(old_db, tmp_path, monkeypatch):
    folder = migrations_with_next(
        tmp_path,
        """
        with op.batch_alter_table("customers") as batch:
            batch.add_column(sa.Column("nickname", sa.String(80), nullable=False, server_default=""))
        op.create_table("extra", sa.Column("id", sa.Integer, primary_key=True))
        op.execute("UPDATE customers SET company = 'changed'")
        raise RuntimeError("revision next is broken")
        """,
    )
    before = dump(old_db.database)
    monkeypatch.setattr(migrate_module, "MIGRATIONS", folder)
    engine = make_engine(old_db.database)
    try:
        with pytest.raises(RuntimeError, match="next is broken"):
            migrate(engine, old_db.backups)
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()
    assert dump(old_db.database) == before
    assert rows(old_db.database, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert rows(old_db.database, "PRAGMA integrity_check") == [("ok",)]
    assert len(list(old_db.backups.glob(f"pre-migrate-{HEAD}-*.sqlite3"))) == 1  # made before trying


@pytest.mark.sqlite_only  # SQLite's deferred foreign key check
def test_a_migration_that_breaks_references_is_rolled_back(old_db, tmp_path, monkeypatch):
    folder = migrations_with_next(tmp_path, 'op.execute("DELETE FROM customers")')
    before = dump(old_db.database)
    monkeypatch.setattr(migrate_module, "MIGRATIONS", folder)
    engine = make_engine(old_db.database)
    try:
        with pytest.raises(RuntimeError, match="broken references"):
            migrate(engine, old_db.backups)
    finally:
        engine.dispose()
    assert dump(old_db.database) == before


@pytest.mark.sqlite_only  # the SQLite file's bytes (on a server: tests/cli)
def test_a_database_from_a_newer_version_is_refused(old_db):
    db = old_db.database
    con = raw(db)
    con.execute("UPDATE alembic_version SET version_num = 'f00dcafe9999'")
    con.commit()
    con.close()
    before_dump = dump(db)
    before_bytes = hashlib.sha256(db.read_bytes()).hexdigest()

    with pytest.raises(SchemaTooNewError) as info:
        open_app(old_db)
    msg = str(info.value)
    assert "newer version" in msg
    assert "f00dcafe9999" in msg

    assert dump(db) == before_dump
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before_bytes
    assert list(old_db.backups.iterdir()) == []


@pytest.mark.sqlite_only  # a new SQLite file
def test_a_new_empty_database_is_migrated_without_a_backup(paths):
    engine = make_engine(paths.database)
    try:
        assert current_revision(engine) is None
        assert migrate(engine, paths.backups) is None
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    assert not paths.backups.exists() or list(paths.backups.iterdir()) == []


# --- backups ------------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # backups of the SQLite file
def test_backup_is_a_consistent_private_copy(ctx, paths, tmp_path):
    for i in range(50):
        add_customer(ctx, f"Customer {i}", value_lost=Decimal(i))
    target = tmp_path / "out" / "copy.sqlite3"
    assert backup_database(paths.database, target) == target
    assert mode(target) == 0o600
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert not target.with_name(target.name + ".part").exists()
    query = "SELECT id, company, value_lost, search_text FROM customers ORDER BY id"
    assert rows(target, query) == rows(paths.database, query)
    assert len(rows(target, query)) == 50


@pytest.mark.sqlite_only  # backups of the SQLite file
def test_backup_while_another_connection_is_writing(ctx, paths, tmp_path):
    add_customer(ctx, "Committed Before")
    writer = raw(paths.database)
    writer.isolation_level = None
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO customers (company, contact_name, contact_title, phone, email, value_lost,"
        " status, segment, notes, search_text, created_at)"
        " VALUES ('Uncommitted', '', '', '', '', 0, 'lapsed', '', '', '', '2024-01-01')"
    )
    try:
        target = backup_database(paths.database, tmp_path / "during.sqlite3")
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert rows(target, "SELECT company FROM customers") == [("Committed Before",)]
    assert {r[0] for r in rows(paths.database, "SELECT company FROM customers")} == {
        "Committed Before",
        "Uncommitted",
    }


@pytest.mark.sqlite_only  # backups of the SQLite file
def test_backup_overwrites_an_older_copy(ctx, paths, tmp_path):
    target = tmp_path / "copy.sqlite3"
    backup_database(paths.database, target)
    add_customer(ctx, "Later")
    backup_database(paths.database, target)
    assert rows(target, "SELECT company FROM customers") == [("Later",)]


# --- customer search ----------------------------------------------------------------------------


@pytest.fixture
def searchable(ctx):
    for company, contact in [
        ("Ærø Fisk", "Søren Ærbø"),
        ("Aero Fish", "Sam Ross"),
        ("Straße Bau", "Jörg Groß"),
        ("100% Juice", ""),
        ("1000 Juice", ""),
        ("a_b Trading", ""),
        ("axb Trading", ""),
        ("Nordic Fisk", "Ærbø Olsen"),
    ]:
        add_customer(ctx, company, contact_name=contact, last_purchase=dt.date(2024, 1, 1))
    return ctx


def companies(ctx, query: str) -> set[str]:
    return {r.company for r in roster.roster_page(ctx, text=query)}


def test_search_folds_unicode_case(searchable):
    assert companies(searchable, "ærø") == {"Ærø Fisk"}
    assert companies(searchable, "ÆRØ") == {"Ærø Fisk"}
    assert companies(searchable, "STRASSE") == {"Straße Bau"}
    assert companies(searchable, "groß") == {"Straße Bau"}


def test_search_needs_every_word(searchable):
    assert companies(searchable, "fisk") == {"Ærø Fisk", "Nordic Fisk"}
    assert companies(searchable, "fisk ærbø") == {"Ærø Fisk", "Nordic Fisk"}
    assert companies(searchable, "  fisk   søren ") == {"Ærø Fisk"}
    assert companies(searchable, "ærø juice") == set()


def test_search_treats_like_wildcards_literally(searchable):
    assert companies(searchable, "%") == {"100% Juice"}
    assert companies(searchable, "100%") == {"100% Juice"}
    assert companies(searchable, "a_b") == {"a_b Trading"}
    assert companies(searchable, "_") == {"a_b Trading"}
    assert companies(searchable, "\\") == set()


def test_empty_search_lists_everyone(searchable):
    assert len(roster.roster_page(searchable, text="")) == 8
    assert len(roster.roster_page(searchable, text="   ")) == 8
    assert len(roster.roster_page(searchable, text="", limit=3)) == 3


def test_search_text_follows_updates(searchable):
    with transaction(searchable.sessions) as s:
        c = s.scalars(select(Customer).where(Customer.company == "Aero Fish")).one()
        c.company = "Ålesund Fish"
    assert companies(searchable, "ålesund") == {"Ålesund Fish"}
    assert companies(searchable, "aero") == set()


def test_the_quick_head_check_agrees_with_alembic():
    from winback_desktop.store.migrate import shipped_head

    assert shipped_head() == head_revision()


@pytest.mark.sqlite_only  # SQLite's write lock
def test_a_write_waits_for_another_process_instead_of_failing(demo_ctx):
    """Another process (the ranking child) commits while a save is under way: the save must wait
    for it and then succeed. A deferred BEGIN would read first and then fail at once with
    "database is locked" (its snapshot is stale), losing that save until a retry."""
    import threading

    from winback_desktop.services import roster
    from winback_desktop.services.calls import lifecycle as calls
    from winback_desktop.store.connection import sqlite_path

    call_id = calls.start_call(demo_ctx, roster.roster_page(demo_ctx, limit=1)[0].id)
    other = sqlite3.connect(sqlite_path(demo_ctx.engine), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE customers SET priority = priority + 1")  # uncommitted: holds the lock
    errors: list[BaseException] = []

    def save() -> None:
        try:
            calls.save_field(demo_ctx, call_id, "initiate", "what_happened", "late deliveries")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    saver = threading.Thread(target=save)
    saver.start()
    saver.join(0.3)  # the save is now waiting on the other's lock
    other.execute("COMMIT")
    other.close()
    saver.join(10)
    assert errors == []
    assert calls.detail(demo_ctx, call_id).answers["what_happened"] == "late deliveries"
