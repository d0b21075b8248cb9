"""A team database that goes away mid-call (a loopback proxy cut: the connections reset, new
ones refused): the call window says the server cannot be reached, naming it; the typed text
stays on screen and in the recovery journal; once the server is back, the writer's retries
save it, with nothing lost. Only on a PostgreSQL server (WINBACK_TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.helpers.postgres import Proxy
from tests.helpers.test_database import drop_database, fresh_database, server_url
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import resolve
from winback_desktop.services import roster
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.calls.journal import owed
from winback_desktop.services.demo import load_demo
from winback_desktop.ui.call.window import CallWindow
from winback_desktop.ui.main_window import MainWindow

BEFORE = "Spoke with the buyer. "
WHILE_DOWN = "They waited three weeks for the credit note"


@pytest.fixture
def team() -> Iterator[tuple[str, Proxy]]:
    """(the direct URL, a proxy to it) of a fresh team database with the sample data."""
    if server_url() is None:
        pytest.skip("needs a PostgreSQL server: set WINBACK_TEST_DATABASE_URL")
    name, url = fresh_database()
    proxy = Proxy.to(url)
    try:
        yield url, proxy
    finally:
        proxy.close()
        drop_database(name)


def stored(url: str, call_id: int, key: str) -> str | None:
    """The field as the server has it, read past the proxy (another desk's view)."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute(
            "SELECT value FROM stage_answers WHERE call_id = %s AND field = %s", (call_id, key)
        ).fetchone()
    return row[0] if row else None


@pytest.fixture
def call(qtbot, data_dir, team) -> Iterator[CallWindow]:
    url, proxy = team
    ctx = open_app(resolve(data_dir, proxy.url(url)))
    load_demo(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    customer = roster.roster_page(ctx, limit=1)[0].id
    opened = window.open_call(calls.start_call(ctx, customer))
    qtbot.waitExposed(opened)
    yield opened
    window.close()
    window.attached_ctx.close()


def test_a_lost_server_is_named_and_the_typing_is_saved_when_it_is_back(qtbot, call, team):
    url, proxy = team
    editor = call.editor("what_happened")
    qtbot.keyClicks(editor, BEFORE)
    qtbot.waitUntil(lambda: stored(url, call.call_id, "what_happened") == BEFORE, timeout=10000)

    proxy.cut()
    qtbot.keyClicks(editor, WHILE_DOWN)
    qtbot.waitUntil(lambda: call.saved_label.text().startswith("Not saved yet"), timeout=15000)
    said = call.saved_label.text()
    assert "the team database at 127.0.0.1 cannot be reached" in said, said
    assert editor.toPlainText() == BEFORE + WHILE_DOWN  # on screen
    assert [e.save.args["value"] for e in owed(call.ctx.paths.journal)] == [BEFORE + WHILE_DOWN]
    assert stored(url, call.call_id, "what_happened") == BEFORE

    proxy.restore()  # the server is back: the writer's next retry gets through
    qtbot.waitUntil(lambda: call.saved_label.text().startswith("Saved"), timeout=20000)
    assert stored(url, call.call_id, "what_happened") == BEFORE + WHILE_DOWN
    assert owed(call.ctx.paths.journal) == []
