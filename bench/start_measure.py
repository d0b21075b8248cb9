"""The start measure: a fresh app process until the roster is painted, beside a bare Qt window."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import Dataset
from bench.measures import Repeats
from bench.report import Goal, Row, row

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024  # ru_maxrss is in KiB on Linux


# -------------------------------------------------------------------------------- start, memory
@dataclass
class Started:
    seconds: float  # from just before the spawn to "shown" (the roster painted)
    ready: float  # ... to "ready" (the window attached to the database: input is handled)
    peak_mib: float  # the process's peak resident memory (VmHWM)
    rows: int


def spawn_until_shown(cmd: list[str], env: dict[str, str]) -> Started:
    """Run ``cmd`` (through the small ``launch.py``) until it prints "shown <epoch> rows=N" (and
    the app "ready <epoch> ...") and exits; the clock starts just before the spawn, and the peak
    RSS is the command's own. The floor prints no "ready": it is ready when shown."""
    launcher = [sys.executable, str(ROOT / "bench" / "launch.py"), *cmd]
    with tempfile.TemporaryFile() as err:
        p = subprocess.run(launcher, env=env, stdout=subprocess.PIPE, stderr=err, text=True, check=False)
        err.seek(0)
        problems = err.read().decode(errors="replace")
    found = {}
    for line in p.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("shown", "ready", "spawned", "maxrss"):
            found[word] = rest
    if p.returncode != 0 or not {"shown", "spawned", "maxrss"} <= found.keys():
        raise RuntimeError(f"{cmd} exited {p.returncode} without 'shown':\n{p.stdout}\n{problems[-3000:]}")
    spawned = float(found["spawned"])
    epoch, rows = found["shown"].split()
    ready = float(found.get("ready", epoch).split()[0])
    return Started(
        float(epoch) - spawned, ready - spawned, int(found["maxrss"]) / MIB, int(rows.split("=")[1])
    )


def measure_start(ds: Dataset, reps: Repeats, log) -> list[Row]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        WINBACK_DATA_DIR=str(ds.paths.data_dir),
        WINBACK_EXIT_WHEN_SHOWN="1",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        # Compiled once, as an installed app is (pip writes .pyc files): not on every start.
        PYTHONPYCACHEPREFIX=str(ds.root / "pycache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "winback_desktop"), str(ROOT / "bench")],
        env=env,
        check=True,
    )
    app_cmd = [sys.executable, "-m", "winback_desktop"]
    floor_cmd = [sys.executable, str(ROOT / "bench" / "floor_start.py"), str(ds.paths.database)]
    spawn_until_shown(floor_cmd, env)  # warm the page cache (Python, Qt libraries, fonts) first
    first = spawn_until_shown(app_cmd, env)  # the first start: cold caches, bytecode to compile
    log(f"start: first of the day {first.seconds:.2f} s ({first.rows} rows shown)")
    apps, bare = [], []
    for _ in range(reps.start):  # alternate, so drift on the machine hits both alike
        apps.append(spawn_until_shown(app_cmd, env))
        bare.append(spawn_until_shown(floor_cmd, env))
    app_s = statistics.median(s.seconds for s in apps)
    ready_s = statistics.median(s.ready for s in apps)
    floor_s = statistics.median(s.seconds for s in bare)
    app_mem = statistics.median(s.peak_mib for s in apps)
    floor_mem = statistics.median(s.peak_mib for s in bare)
    rows_shown = apps[-1].rows
    return [
        row("start", app_s, "s", floor_s, Goal(ratio=3), f"roster painted with {rows_shown} rows"),
        row(
            "start_ready",
            ready_s,
            "s",
            floor_s,
            Goal(),
            "until input is handled: SQLAlchemy loaded, the database opened, the window attached",
        ),
        row(
            "start_first_of_day",
            first.seconds,
            "s",
            floor_s,
            Goal(),
            "the first start of the run: cold caches, bytecode to compile",
        ),
        row("memory", app_mem, "MiB", floor_mem, Goal(limit=400), "peak RSS (VmHWM) of the start process"),
    ]
