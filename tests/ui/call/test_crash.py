"""SIGKILL the running app mid-typing; every word typed over a second before the kill survives,
also while another process holds the database's write lock."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.children.crash import TEXT
from tests.helpers.faults import write_lock_held
from tests.helpers.paths import ROOT
from winback_desktop import desk
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import Paths
from winback_desktop.services.calls.journal import owed
from winback_desktop.services.demo import load_demo

CHILD = ROOT / "tests" / "helpers" / "children" / "crash.py"

GRACE_S = 1.0  # the promise: at most the last second is lost


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.pop("WINBACK_DATA_DIR", None)
    return env


def _reader(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put((time.monotonic(), line.strip()))
    out.put((time.monotonic(), None))


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory) -> tuple[Path, int]:
    """One database with the sample data, copied for each run (loading it each time is slow),
    and a caller to be at the desk."""
    d = tmp_path_factory.mktemp("seed")
    ctx = open_app(Paths(d, custom=True))
    load_demo(ctx)
    from winback_desktop.services.people import team as people

    caller = next(p for p in people.list_people(ctx) if p.role == "caller")
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.close()
    return d / "winback.sqlite3", caller.id


def _fresh_data(tmp_path: Path, seeded_db: tuple[Path, int]) -> Path:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    seed, caller_id = seeded_db
    (data / "winback.sqlite3").write_bytes(seed.read_bytes())
    paths = Paths(data, custom=True)  # this test's desk config (conftest), as the child's
    desk.save(paths, desk.DeskConfig().with_current_user(desk.database_key(paths), caller_id))
    return data


def _type_and_kill(
    data: Path, kill_after: float, on_call: Callable[[], object] | None = None
) -> tuple[list[tuple[float, int]], float]:
    """Run the app typing into a note, ``on_call()`` once its call is open, SIGKILL it after
    ``kill_after`` seconds of typing; returns (when, chars typed) as printed, and the kill time."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), "type", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(child.stdout, lines), daemon=True).start()
    progress: list[tuple[float, int]] = []
    first_typed = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                stamp, line = lines.get(timeout=0.05)
            except queue.Empty:
                line = ""
                stamp = time.monotonic()
            if line is None:
                pytest.fail("the app exited before it was killed")
            if line.startswith("call ") and on_call is not None:
                on_call()
            if line.startswith("typed "):
                progress.append((stamp, int(line.split()[1])))
                first_typed = first_typed or stamp
            if first_typed and time.monotonic() - first_typed >= kill_after:
                break
        child.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    while True:  # anything printed before the kill landed
        try:
            stamp, line = lines.get(timeout=1)
        except queue.Empty:
            break
        if line is None:
            break
        if line.startswith("typed ") and stamp <= killed_at:
            progress.append((stamp, int(line.split()[1])))
    return progress, killed_at


def _must_have(progress: list[tuple[float, int]], killed_at: float) -> int:
    return max((n for stamp, n in progress if stamp <= killed_at - GRACE_S), default=0)


def _restart(data: Path) -> dict:
    """Start the app again (it puts back what the journal kept and resumes the call)."""
    with sqlite3.connect(data / "winback.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    result = subprocess.run(
        [sys.executable, str(CHILD), "check", str(data)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["offered"], "restarting did not offer to resume the unfinished call"
    assert found["stage"] == "initiate"
    assert TEXT.startswith(found["text"] or ""), "saved text is not what was typed"
    return found


@pytest.mark.slow
@pytest.mark.parametrize("run", range(20))
def test_sigkill_while_typing_loses_at_most_the_last_second(run, seeded_db, tmp_path):
    data = _fresh_data(tmp_path, seeded_db)
    rng = random.Random(run)
    kill_after = rng.uniform(0.3, 3.0)  # seconds of typing before the kill: varied moments
    progress, killed_at = _type_and_kill(data, kill_after)
    must_have = _must_have(progress, killed_at)
    text = _restart(data)["text"] or ""
    assert len(text) >= must_have, (
        f"lost words: {must_have} chars were typed over {GRACE_S}s before the kill, {len(text)} saved"
    )


@pytest.mark.slow
@pytest.mark.parametrize("run", range(6))
def test_sigkill_while_another_process_holds_the_write_lock(run, seeded_db, tmp_path):
    """An import holds the write lock (here: a child in BEGIN IMMEDIATE, for longer than the
    5 s busy timeout) while the caller types; the app is killed. What was typed over a second
    before is on disk (the journal), and the next start puts it into the database, once."""
    data = _fresh_data(tmp_path, seeded_db)
    rng = random.Random(1000 + run)
    kill_after = rng.uniform(1.5, 6.0)  # into and past the first busy wait of the refused save
    with contextlib.ExitStack() as stack:
        locked: list[Callable[[], None]] = []

        def take_lock() -> None:
            locked.append(stack.enter_context(write_lock_held(data / "winback.sqlite3")))

        progress, killed_at = _type_and_kill(data, kill_after, on_call=take_lock)
        assert locked, "the call never opened"
        must_have = _must_have(progress, killed_at)
        kept = [
            e.save.args["value"]
            for e in owed(data / "recovery.journal")
            if e.save.key.endswith("what_happened")
        ]
        assert kept and len(kept[-1]) >= must_have, (
            f"{must_have} chars were typed over {GRACE_S}s before the kill; the journal has "
            f"{len(kept[-1]) if kept else 0}"
        )
    found = _restart(data)  # the lock holder has gone, as the import ends
    assert any(o.startswith("recovered: ") for o in found["offered"])
    text = found["text"] or ""
    assert len(text) >= must_have
    with sqlite3.connect(data / "winback.sqlite3") as conn:
        [stored] = conn.execute(
            "SELECT value FROM stage_answers WHERE call_id = ? AND field = 'what_happened'",
            (found["call_id"],),
        ).fetchone()
    assert stored == text and len(stored) >= must_have
    assert owed(data / "recovery.journal") == []  # put back once: not offered again
