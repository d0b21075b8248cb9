"""The benchmark runs end to end in quick mode and writes every measure: a smoke test only.

No timing is asserted: the numbers depend on the machine; the full run (python bench/run.py) is
where the goals are judged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

KEYS = {"name", "value", "unit", "floor", "ratio", "goal", "met"}
MEASURES = {
    "start",
    "search",
    "search_worst",
    "open",
    "autosave",
    "keystroke_to_disk",
    "import_customers",
    "import_orders",
    "import_basket",
    "import_basket_memory",
    "lapsed",
    "refresh_priorities",
    "sheet",
    "sheet_batch",
    "insight",
    "memory",
}


@pytest.mark.slow
def test_quick_bench_writes_every_measure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "QUICK MODE" in proc.stdout  # the table says the goals are not judged here

    rows = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(rows, list) and rows
    for r in rows:
        assert set(r) == KEYS, r
        assert isinstance(r["name"], str) and isinstance(r["unit"], str) and isinstance(r["goal"], str)
        assert isinstance(r["value"], int | float) and r["value"] >= 0, r
        assert r["floor"] is None or isinstance(r["floor"], int | float), r
        assert r["ratio"] is None or isinstance(r["ratio"], int | float), r
        assert r["met"] in (True, False, None), r
    names = [r["name"] for r in rows]
    assert MEASURES <= set(names), MEASURES - set(names)
    assert len(names) == len(set(names))
    for r in rows:  # every measure has its floor beside it
        assert r["floor"] is not None and r["floor"] > 0, r
    # Nothing is left behind in the temporary dir but the JSON (the bench cleans up after itself).
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("winback-bench-")] == []
