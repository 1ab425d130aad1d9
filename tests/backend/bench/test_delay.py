"""The bench's delay proxy: bytes pass in order, each way held back by the delay."""

from __future__ import annotations

import time

import httpx

from posestudio.bench.delay import DelayProxy
from posestudio.client import PoseClient
from tests.utils.server import LiveServer


def test_requests_pass_through_with_at_least_the_added_round_trip(server: LiveServer) -> None:
    with DelayProxy(server.url, one_way_s=0.05) as url, httpx.Client(base_url=url) as http:
        assert http.get("/health").status_code == 200  # the connection is open from here on
        started = time.monotonic()
        reply = http.get("/api/engines", headers={"Authorization": f"Bearer {server.token}"})
        elapsed = time.monotonic() - started
    assert reply.status_code == 200
    assert reply.json() == server.get("/api/engines").json()
    # A lower bound only: the proxy holds each direction back by 50 ms.
    assert elapsed >= 0.1


async def test_closing_with_connections_open_ends_cleanly_on_the_proxys_loop(
    server: LiveServer,
) -> None:
    """The `window` bench over the proxy left its Socket.IO connections open when the proxy
    closed; closing the listening server from the caller's thread raced its own loop
    (`asyncio.Server._wakeup` ran twice: a `TypeError` iterating its waiters). Now every
    pump ends on the proxy's loop, which reports nothing and closes."""
    proxy = DelayProxy(server.url, one_way_s=0.01)
    problems: list[dict[str, object]] = []
    proxy._loop.set_exception_handler(lambda _, context: problems.append(context))
    with proxy as url:
        clients = [PoseClient(url, server.token, reconnect=False) for _ in range(3)]
        for client in clients:
            await client.connect()
        await clients[0].start("open")
        # The proxy closes here, its connections still open.
    for client in clients:
        await client.close()
    assert not proxy._thread.is_alive()
    assert proxy._loop.is_closed()
    assert problems == []
