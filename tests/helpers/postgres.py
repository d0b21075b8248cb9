"""A real PostgreSQL server for a test module, and the migrations' SQL rendered for it.

The server refuses to run as root, so it runs as the ``postgres`` user Debian's package makes,
in a private folder under /tmp, listening on 127.0.0.1 at a free port; ``psql`` talks to it.
The venv has no PostgreSQL driver, so the migrations are rendered offline (``alembic upgrade
--sql`` for the postgresql dialect) and run by ``psql`` with ON_ERROR_STOP: PostgreSQL itself
says whether it takes them.
"""

from __future__ import annotations

import glob
import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
PG_BIN = Path(_BINS[-1]) if _BINS else None


def _server_user() -> str | None:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return "postgres"


SERVER_USER = _server_user()
needs_postgres = pytest.mark.skipif(
    PG_BIN is None or SERVER_USER is None or shutil.which("psql") is None or os.geteuid() != 0,
    reason="needs PostgreSQL's server binaries, psql, a 'postgres' user and root to start it as "
    "that user (apt-get install postgresql)",
)


def offline_sql(revisions: str) -> str:
    """The SQL of ``alembic upgrade REVISIONS --sql`` for PostgreSQL (e.g. "0005:head")."""
    from alembic import command

    from winback_desktop.store.migrate import alembic_config

    buffer = io.StringIO()
    cfg = alembic_config()
    cfg.output_buffer = buffer
    cfg.set_main_option("sqlalchemy.url", "postgresql://")
    command.upgrade(cfg, revisions, sql=True)
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    folder: Path

    def _as_user(self, *args: str) -> list[str]:
        assert SERVER_USER is not None
        return ["runuser", "-u", SERVER_USER, "--", *args]

    def run(self, sql: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``sql`` with psql (stopping at the first error); raise when it fails, if ``check``."""
        proc = subprocess.run(
            self._as_user("psql", "-h", "127.0.0.1", "-p", str(self.port), "-d", "winback", "-X", "-q")
            + ["-v", "ON_ERROR_STOP=1"],
            input=sql,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"psql failed: {proc.stderr}")
        return proc

    def query(self, sql: str) -> list[tuple[str, ...]]:
        proc = subprocess.run(
            self._as_user("psql", "-h", "127.0.0.1", "-p", str(self.port), "-d", "winback", "-X", "-At")
            + ["-F", "\t", "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return [tuple(line.split("\t")) for line in proc.stdout.splitlines()]


@pytest.fixture(name="postgres")
def postgres_server() -> Iterator[Server]:
    """A fresh server with an empty database ``winback``; stopped and removed afterwards."""
    assert PG_BIN is not None and SERVER_USER is not None
    folder = Path(tempfile.mkdtemp(prefix="winback-pg-"))
    shutil.chown(folder, SERVER_USER)
    data = folder / "data"
    server = Server(_free_port(), folder)
    subprocess.run(
        server._as_user(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-E", "UTF8", "--no-sync"),
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w"]
    subprocess.run(server._as_user(*start, "start"), check=True, capture_output=True, timeout=120)
    try:
        subprocess.run(
            server._as_user("createdb", "-h", "127.0.0.1", "-p", str(server.port), "winback"),
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield server
    finally:
        subprocess.run(server._as_user(*start[:3], "-m", "fast", "stop"), capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
