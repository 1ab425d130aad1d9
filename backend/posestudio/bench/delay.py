"""A TCP proxy that adds a fixed delay each way: a round trip like a Wi-Fi or WAN link's,
for measuring flow control where the network is not loopback (`posestudio bench --rtt-ms`).

Bytes keep their order and are held back by `one_way_s` from when they arrived; bandwidth
is not limited. It runs its own event loop on its own thread, so the clients' loop pays
nothing for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from types import TracebackType
from urllib.parse import urlparse, urlunparse

CHUNK = 256 * 1024


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            if not data:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(deliver())
    try:
        while data := await reader.read(CHUNK):
            queue.put_nowait((time.monotonic() + delay, data))
    finally:
        queue.put_nowait((0.0, b""))
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await sender
        writer.close()


class DelayProxy:
    """`with DelayProxy("http://127.0.0.1:8000", one_way_s=0.025) as url:` connect to `url`."""

    def __init__(self, upstream: str, one_way_s: float) -> None:
        self.upstream = urlparse(upstream)
        self.one_way_s = one_way_s
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = self.upstream.hostname or "127.0.0.1", self.upstream.port or 80
        try:
            up_reader, up_writer = await asyncio.open_connection(host, port)
        except OSError:
            writer.close()
            return
        try:
            await asyncio.gather(
                _pump(reader, up_writer, self.one_way_s),
                _pump(up_reader, writer, self.one_way_s),
                return_exceptions=True,
            )
        except asyncio.CancelledError:
            # The proxy closes with this connection open. End normally: asyncio's
            # connection callback asks a cancelled handler task for its exception, which
            # raises and is reported as "Exception in callback" (Python 3.11).
            up_writer.close()
            writer.close()

    def __enter__(self) -> str:
        self._thread.start()
        start = asyncio.start_server(self._handle, "127.0.0.1", 0)
        self._server = asyncio.run_coroutine_threadsafe(start, self._loop).result(10)
        port = self._server.sockets[0].getsockname()[1]
        return urlunparse(self.upstream._replace(netloc=f"127.0.0.1:{port}"))

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        # Every connection's pumps end here, on their own loop, before the loop closes.
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        with contextlib.suppress(TimeoutError):
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()
