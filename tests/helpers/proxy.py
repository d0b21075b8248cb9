"""A loopback TCP proxy between the app and a PostgreSQL server, for real network faults:
``cut()`` drops every connection and refuses new ones (the server gone, the cable pulled),
``restore()`` listens again on the same port; ``delay`` adds that many seconds each way (a
server 30 ms away), as latency: each chunk is passed on ``delay`` after it arrived, in order,
so a burst is not slowed more than one chunk.

Runs its own asyncio loop on a daemon thread; ``url(admin_url)`` is the URL through it.

    with Proxy(("127.0.0.1", 54329), delay=0.030) as proxy:
        engine = make_engine(proxy.url(url))
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import make_url


class Proxy:
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
        parsed = make_url(url)
        return cls((parsed.host or "127.0.0.1", parsed.port or 5432), delay=delay)

    def url(self, url: str) -> str:
        """``url`` through this proxy (same user, database and driver)."""
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
