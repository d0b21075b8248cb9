"""The team database's connection pool (store/server.py): a pooled connection idle a while is
checked with the server before it is used, and one the server dropped meanwhile is replaced,
not handed out; one used moments ago is not checked again (a round trip saved per session).
The app's sessions run with JIT off. Only on a PostgreSQL server (WINBACK_TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, exc, text

from tests.helpers.test_database import server_url
from winback_desktop.store import server
from winback_desktop.store.connection import make_engine

pytestmark = pytest.mark.skipif(server_url() is None, reason="needs a PostgreSQL server")


def _url() -> str:
    return server_url() or ""


def _engine(idle_s: float) -> Engine:
    url = server.parse(_url())
    engine = create_engine(url, pool_use_lifo=True, connect_args=server.connect_args(url))
    server.ping_when_idle(engine, idle_s)
    return engine


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    """The server drops that connection (as a restart or an idle timeout would)."""
    with psycopg.connect(_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for e in made:
        e.dispose()


def test_an_idle_connection_the_server_dropped_is_replaced_not_used(engines):
    engine = _engine(idle_s=0.0)  # every checkout counts as idle: always checked
    engines.append(engine)
    first = _backend(engine)
    _terminate(first)
    assert _backend(engine) != first  # a new connection, no error


def test_without_the_check_the_dropped_connection_fails_its_next_statement(engines):
    engine = _engine(idle_s=3600.0)  # never idle long enough: never checked
    engines.append(engine)
    first = _backend(engine)
    _terminate(first)
    with pytest.raises(exc.OperationalError):
        _backend(engine)
    assert _backend(engine) != first  # the pool was renewed: the next one works


def test_the_apps_engine_does_not_ping_a_connection_used_moments_ago(engines, monkeypatch):
    engine = make_engine(_url())
    engines.append(engine)
    pings: list[object] = []
    real = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real(c))
    pids = {_backend(engine) for _ in range(5)}
    assert len(pids) == 1  # the same connection each time (LIFO)
    assert pings == []


def test_the_apps_sessions_run_without_jit(engines):
    engine = make_engine(_url())
    engines.append(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SHOW jit")).scalar_one() == "off"
