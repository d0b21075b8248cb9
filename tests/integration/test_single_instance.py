"""One app per data folder: a second start brings the first forward and exits; a stale lock
left by a killed instance does not block the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.paths import ROOT


def _env(data: Path) -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), WINBACK_DATA_DIR=str(data))


def _start(data: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "winback_desktop"],
        env=_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _log(data: Path) -> str:
    log = data / "logs" / "winback.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def test_second_start_raises_first_and_exits_and_stale_lock_is_taken_over(tmp_path):
    data = tmp_path / "data"
    first = _start(data)
    try:
        assert _wait_for(lambda: "listening for other starts" in _log(data)), _log(data)
        second = subprocess.run(
            [sys.executable, "-m", "winback_desktop"],
            env=_env(data),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0
        assert "already open" in second.stdout
        assert _wait_for(lambda: "another start asked for this window" in _log(data))
        assert first.poll() is None, "the first instance must keep running"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert (data / "winback.lock").exists()  # left behind by the killed instance

    third = _start(data)
    try:
        assert _wait_for(lambda: _log(data).count("listening for other starts") == 2), _log(data)
        assert third.poll() is None
    finally:
        third.send_signal(signal.SIGKILL)
        third.wait(timeout=10)
