"""Real faults for the tests: a small disk that fills up (a tmpfs mounted for the test)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_disk(mountpoint: Path, size: str = "64k") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``mountpoint`` for the block: writes past it fail with
    ENOSPC, as on a full disk. Needs root (CI and the dev machines run as root); skips
    the test elsewhere."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mountpoint.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)
