"""A real PostgreSQL server for a test module, and the migrations' SQL rendered for it.

The server refuses to run as root, so it runs as the ``postgres`` user Debian's package makes,
in a private folder under /tmp, listening on 127.0.0.1 at a free port; ``psql`` talks to it.
The venv has no PostgreSQL driver, so the migrations are rendered offline (``alembic upgrade
--sql`` for the postgresql dialect) and run by ``psql`` with ON_ERROR_STOP: PostgreSQL itself
says whether it takes them.

:class:`Proxy` is a loopback TCP proxy between the app and a server, for real network faults:
``cut()`` drops every connection and refuses new ones (the server gone, the cable pulled),
``restore()`` listens again on the same port; ``delay`` adds that many seconds each way (a
server 30 ms away), as latency: each chunk is passed on ``delay`` after it arrived, in order,
so a burst is not slowed more than one chunk. It runs its own asyncio loop on a daemon thread;
``url(url)`` is the URL through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


# -- a loopback proxy to a server: network faults and latency ---------------------------------
class Proxy:
    """See the module's docstring: ``Proxy.to(url, delay=0.030)``, then ``proxy.url(url)``."""

    def __init__(self, target: tuple[str, int], *, delay: float = 0.0):
        self.target, self.delay = target, delay
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-proxy", daemon=True)
        self._thread.start()
        self._call(self._listen())

    @classmethod
    def to(cls, url: str, *, delay: float = 0.0) -> Proxy:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        return cls((parsed.host or "127.0.0.1", parsed.port or 5432), delay=delay)

    def url(self, url: str) -> str:
        """``url`` through this proxy (same user, database and driver)."""
        from sqlalchemy.engine import make_url

        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    # -- faults -------------------------------------------------------------------------------
    def cut(self) -> None:
        """Every connection dropped, new ones refused."""
        self._call(self._cut())

    def restore(self) -> None:
        """Listening again, on the same port."""
        self._call(self._listen())

    def close(self) -> None:
        self.cut()
        self._call(self._end_tasks())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the loop's side ----------------------------------------------------------------------
    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _listen(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _end_tasks(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()  # a reset, not a polite close: the network is gone
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except asyncio.CancelledError:  # the proxy closed: the connection simply ends
            return

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        sender = asyncio.ensure_future(deliver())
        try:
            while data := await reader.read(65536):
                queue.put_nowait((time.monotonic() + self.delay, data))
        except (ConnectionError, OSError):
            pass
        finally:
            queue.put_nowait((0.0, b""))
            with contextlib.suppress(Exception):
                await sender
            with contextlib.suppress(Exception):
                writer.close()
            self._writers.discard(writer)


@contextlib.contextmanager
def proxied(url: str, *, delay: float = 0.0) -> Iterator[tuple[Proxy, str]]:
    """(the proxy, ``url`` through it), closed after."""
    proxy = Proxy.to(url, delay=delay)
    try:
        yield proxy, proxy.url(url)
    finally:
        proxy.close()
