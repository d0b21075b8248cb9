"""A team database's failures sorted at the storage boundary (store/errors.py): real psycopg
errors from a refused port and an unknown host are known problems naming the host; SQL errors
on a server stay bugs."""

from __future__ import annotations

import socket

import pytest

from tests.helpers.test_database import server_url
from winback_desktop.services.team_database import probe
from winback_desktop.store.errors import DATABASE_ERRORS, KEPT, Problem, known_problem, server_problem


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _failure(url: str) -> BaseException:
    with pytest.raises(DATABASE_ERRORS) as info:
        probe(url)
    return info.value


def test_a_refused_server_is_unavailable_and_names_the_host():
    exc = _failure(f"postgresql://dana@127.0.0.1:{_closed_port()}/winback")
    known = known_problem(exc)
    assert known is not None and known.problem is Problem.UNAVAILABLE
    assert known.message.startswith("the team database at 127.0.0.1 cannot be reached (")
    assert known.message.endswith(KEPT) and known.short == "the team database at 127.0.0.1 cannot be reached"
    said = server_problem(exc, working=False)
    assert said is not None and KEPT not in said.message  # a test connection keeps nothing yet


def test_an_unknown_host_is_said_as_such():
    known = known_problem(_failure("postgresql://dana@no-such-host.invalid/winback"))
    assert known is not None and "no-such-host.invalid" in known.message and "unknown host" in known.message


@pytest.mark.skipif(server_url() is None, reason="needs a PostgreSQL server: WINBACK_TEST_DATABASE_URL")
def test_bad_sql_on_a_server_is_a_bug_not_a_known_problem():
    from sqlalchemy import text

    from winback_desktop.store.connection import make_engine

    engine = make_engine(server_url() or "")
    try:
        with pytest.raises(DATABASE_ERRORS) as info, engine.connect() as conn:
            conn.execute(text("SELECT no_such_column FROM pg_class"))
    finally:
        engine.dispose()
    assert known_problem(info.value) is None
