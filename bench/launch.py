"""Run a command from a small process and report its own peak memory.

    python bench/launch.py CMD [ARG ...]

Prints the command's output, then ``spawned <epoch>`` (taken just before the spawn) and
``maxrss <KiB>`` (from ``wait4``), and exits with the command's code. Linux carries a process's
peak RSS across fork and exec, so a child spawned straight from the (large) benchmark process
would report the benchmark's own peak; spawned from this small one, it reports its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def main() -> int:
    cmd = sys.argv[1:]
    started = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None
    out = p.stdout.read()
    _pid, status, usage = os.wait4(p.pid, 0)
    p.returncode = code = os.waitstatus_to_exitcode(status)
    p.stdout.close()
    sys.stdout.write(out)
    print(f"spawned {started:.6f}")
    print(f"maxrss {usage.ru_maxrss}")
    return code


if __name__ == "__main__":
    sys.exit(main())
