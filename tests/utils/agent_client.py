"""Talking to the agent service as the studio does: HTTP plus the `/agent` push."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import socketio


class AgentListener:
    """A `/agent` Socket.IO connection collecting `agent_result` events."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url
        self.token = token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.results: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sio.on("agent_result", self._on_result, namespace="/agent")

    async def _on_result(self, data: dict[str, Any]) -> None:
        await self.results.put(data)

    async def connect(self) -> AgentListener:
        await self.sio.connect(
            self.url,
            socketio_path="agent/socket.io",
            namespaces=["/agent"],
            auth={"token": self.token} if self.token else None,
            transports=["websocket"],
            wait_timeout=10,
        )
        return self

    async def result_for(self, request_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """The pushed result of `request_id` (others are skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                result = await self.results.get()
                if result["request_id"] == request_id:
                    return result

    async def close(self) -> None:
        await self.sio.disconnect()


async def wait_finished(
    http: httpx.AsyncClient, request_id: str, timeout: float = 30.0
) -> dict[str, Any]:
    """Poll `GET /agent/result/{id}` until its status is final."""
    deadline = time.monotonic() + timeout
    while True:
        response = await http.get(f"/agent/result/{request_id}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        if body["status"] in ("complete", "failed", "timeout"):
            return body
        if time.monotonic() > deadline:
            raise TimeoutError(f"request {request_id} still {body['status']}")
        await asyncio.sleep(0.05)
