"""Serving a backend for a bench: a free loopback port, waiting until it is ready, and an
app served by uvicorn on the bench's own event loop."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn


def free_port() -> int:
    """A loopback port free now (for a server started in another process)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, timeout: float = 120.0) -> None:
    """Poll `url`/ready until it answers 200 (the engines are loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling the server's start
    raise RuntimeError("the server did not become ready")


@asynccontextmanager
async def served(asgi: Any) -> AsyncIterator[str]:
    """Serve `asgi` with uvicorn on this event loop on a free loopback port; yield its URL
    once ready, and stop the server after."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(asgi, log_level="warning", ws="websockets-sansio"))
    sock.listen(128)  # bound and listening first: clients may connect at once
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await asyncio.to_thread(wait_ready, url)
        yield url
    finally:
        server.should_exit = True
        await serving
