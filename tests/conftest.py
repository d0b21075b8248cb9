"""Shared fixtures: no display, a fresh data dir and database per test, never the real user dirs."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.helpers.test_database import drop_database, fresh_database, server_url  # noqa: E402
from winback_desktop.paths import Paths, resolve  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def no_real_user_dirs(tmp_path_factory: pytest.TempPathFactory):
    """Module- and session-scoped fixtures run before each test's own dirs are set: point the
    user dirs somewhere harmless for them too (the desk config lives in the user config dir)."""
    base = tmp_path_factory.mktemp("user-dirs")
    names = ("WINBACK_DATA_DIR", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME")
    old = {name: os.environ.get(name) for name in names}
    os.environ.update({name: str(base / name.lower()) for name in names})
    yield
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a team server (WINBACK_TEST_DATABASE_URL), the tests about the SQLite file itself
    (its damage, disk faults, locks, backups) have nothing to test: skipped, saying why."""
    if server_url() is None:
        return
    skip = pytest.mark.skip(reason="about the SQLite file; this run is on a PostgreSQL server")
    backlog = _server_backlog()
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)
        elif why := next((why for test, why in backlog if item.nodeid.startswith(test)), None):
            item.add_marker(pytest.mark.skip(reason=f"not yet passing on PostgreSQL: {why}"))


SERVER_BACKLOG = Path(__file__).with_name("server_backlog.txt")


def _server_backlog() -> list[tuple[str, str]]:
    """The tests known not to pass on PostgreSQL yet, each with why (tests/server_backlog.txt):
    work left of issue 14, listed where everyone sees it rather than failing the server run."""
    if not SERVER_BACKLOG.exists():
        return []
    found = []
    for line in SERVER_BACKLOG.read_text(encoding="utf-8").splitlines():
        test, _, why = line.partition("#")
        if test.strip():
            found.append((test.strip(), why.strip() or "see tests/server_backlog.txt"))
    return found


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data dir; the env var makes any stray resolve() land there too.
    On a team server, its own fresh database too, named as a user would (WINBACK_DATABASE_URL)."""
    d = tmp_path / "data"
    monkeypatch.setenv("WINBACK_DATA_DIR", str(d))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    if server_url() is None:
        monkeypatch.delenv("WINBACK_DATABASE_URL", raising=False)
        yield d
        return
    name, url = fresh_database()
    monkeypatch.setenv("WINBACK_DATABASE_URL", url)
    try:
        yield d
    finally:
        _delete_closed_widgets()
        drop_database(name)


def _delete_closed_widgets() -> None:
    """pytest-qt closes a test's widgets with deleteLater(), and a plain processEvents() never
    deletes them: their timers (a search's debounce, a poll) would fire in the next test and read
    a database dropped meanwhile. Deleted now, before the drop (Qt only where a test loaded it)."""
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def paths(data_dir: Path) -> Paths:
    return resolve(data_dir)


@pytest.fixture
def ctx(paths: Paths):
    from winback_desktop.bootstrap import open_app

    app_ctx = open_app(paths)
    yield app_ctx
    app_ctx.close()


@pytest.fixture
def demo_ctx(ctx):
    """A database with the sample data loaded."""
    from winback_desktop.services.demo import load_demo

    load_demo(ctx)
    return ctx
