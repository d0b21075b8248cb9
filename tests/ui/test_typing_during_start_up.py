"""Keys pressed while the start-up loads SQLAlchemy wait in Qt's queue; none is lost.

Needs a real X server: run under Xvfb with xdotool typing (.ci/run installs both)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.helpers.paths import ROOT
from winback_desktop.services import roster

needs_x = pytest.mark.skipif(
    not (shutil.which("xvfb-run") and shutil.which("xdotool")), reason="needs xvfb-run and xdotool"
)


@needs_x
def test_what_is_typed_before_the_window_is_ready_reaches_the_search(paths, demo_ctx):
    company = roster.roster_page(demo_ctx, limit=1)[0].company
    word = company.split()[0].lower()
    expected = roster.roster_search(demo_ctx, text=word)
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", sys.executable,
         str(ROOT / "tests" / "helpers" / "children" / "x11_typing.py"), str(paths.data_dir), word],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert lines.get("attached") == "''", out.stdout + out.stderr  # nothing handled while blocked
    assert lines.get("typed") == repr(word), out.stdout + out.stderr  # every key, in order
    assert lines["rows"].startswith(f"{len(expected.rows)} {expected.total}")
