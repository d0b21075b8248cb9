"""Start-up: the roster painted from a plain read, then the window attached to the services."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.helpers.paths import ROOT
from winback_desktop.app import paint_before_blocking
from winback_desktop.services import roster
from winback_desktop.services.first_paint import read_first_paint
from winback_desktop.services.people import team as people
from winback_desktop.ui.main_window import MainWindow
from winback_desktop.ui.roster.model import PAGE
from winback_desktop.ui.today.tab import TodayTab


def cells(window, rows: int = 5) -> list[list[str]]:
    m = window.model
    return [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(rows)]


def test_the_first_paint_shows_the_roster_and_attach_finishes_the_window(qtbot, qapp, paths, demo_ctx):
    someone = next(p for p in people.list_people(demo_ctx) if p.role == "caller")
    people.set_current_user(demo_ctx, someone.id)
    first = read_first_paint(paths, PAGE)
    window = MainWindow(None, first=first)
    qtbot.addWidget(window)
    window.show()
    paint_before_blocking(qapp, window)
    qtbot.waitExposed(window)

    expected = roster.roster_search(demo_ctx, limit=PAGE)
    assert window.ctx is None
    assert window.model.rowCount() == len(expected.rows) > 0
    assert not window.model.canFetchMore()  # more pages wait for the services
    assert window.roster.count_label.text() == f"{expected.total} customers"
    assert window.roster.details.row.id == expected.rows[0].id  # the first row selected, shown
    assert window.caller.currentData() == someone.id
    partners = [p.id for p in people.list_people(demo_ctx, "partner")]
    assert [window.partner.itemData(i) for i in range(1, window.partner.count())] == partners
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Cust&omers", "&Today", "Follo&w-ups", "C&ycles",
    ]  # fmt: skip
    painted = cells(window)

    window.attach(demo_ctx)
    assert window.ctx is demo_ctx and cells(window) == painted  # the same data, re-read
    assert window.roster.segment.count() > 1  # the filter lists came with the services
    window.show_tab(1)
    assert isinstance(window.tabs.currentWidget(), TodayTab) and window.tabs.currentIndex() == 1
    assert window.tabs.currentWidget() is window.today


def test_the_first_paint_shows_the_empty_page_for_an_empty_database(qtbot, qapp, paths, ctx):
    window = MainWindow(None, first=read_first_paint(paths, PAGE))
    qtbot.addWidget(window)
    window.show()
    assert window.pages.currentIndex() == 1 and window.sample_action.isEnabled()
    window.attach(ctx)
    assert window.pages.currentIndex() == 1


def test_workspaces_are_built_when_first_shown(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    assert window._built == {}
    window.show_tab(3)
    assert window.tabs.currentWidget() is window.cycles and set(window._built) == {"cycles"}
    window.show_tab(2)
    assert window.tabs.currentWidget() is window.followups
    assert window.tabs.indexOf(window.today) == 1 and window.tabs.currentIndex() == 2


def test_the_roster_is_painted_before_sqlalchemy_is_loaded(paths, demo_ctx):
    """The point of the first paint: a fresh process shows the roster without importing
    SQLAlchemy (about 0.3 s); one stray import at module level would undo it."""
    script = textwrap.dedent(
        f"""
        import sys
        from winback_desktop.app import create_app, show_first_paint
        from winback_desktop.paths import Paths
        from pathlib import Path
        app = create_app()
        window = show_first_paint(app, Paths(Path({str(paths.data_dir)!r}), custom=True))
        print(window.model.rowCount(), "sqlalchemy" in sys.modules, flush=True)
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=True
    ).stdout
    rows, loaded = out.split()
    assert int(rows) > 0 and loaded == "False"


def test_a_window_closed_while_starting_ends_the_app(paths, demo_ctx):
    """The window system's close is not held back with the input: closed before the event loop
    ran, the app must still end (and let go of the data folder), not wait forever."""
    script = textwrap.dedent(
        f"""
        import sys
        from winback_desktop import app
        app.paint_before_blocking = lambda qapp, window, timeout=0.5: window.close()
        code = app.run_gui({str(paths.data_dir)!r})
        print("exited", code, flush=True)
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.pop("WINBACK_EXIT_WHEN_SHOWN", None)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert "exited 0" in done.stdout, done.stdout + done.stderr
    assert not paths.session_marker.exists()  # a clean exit
