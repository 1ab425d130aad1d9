"""Pushing finished results to the person who asked, on the `/agent` Socket.IO namespace.

In-process jobs emit on the API's own `AsyncServer` (from their worker thread, onto the
server's event loop). RQ workers in other processes emit through a write-only
`socketio.RedisManager`; the API's `AsyncRedisManager` on the same channel delivers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import socketio

log = logging.getLogger(__name__)

NAMESPACE = "/agent"
EVENT = "agent_result"
EMIT_TIMEOUT_S = 5.0


def room(subject: str) -> str:
    """Every `/agent` connection of one person joins this room."""
    return f"principal:{subject}"


class Publisher(Protocol):
    def publish(self, subject: str, body: dict[str, Any]) -> None: ...


class ServerPublisher:
    """Emit on an in-process AsyncServer from any thread."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio
        self.loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called at the app's startup with the loop its server runs on."""
        self.loop = loop

    def publish(self, subject: str, body: dict[str, Any]) -> None:
        if self.loop is None:
            raise RuntimeError("the Socket.IO server has not started")
        emitting = self.sio.emit(EVENT, body, room=room(subject), namespace=NAMESPACE)
        future = asyncio.run_coroutine_threadsafe(emitting, self.loop)
        future.result(EMIT_TIMEOUT_S)


class RedisPublisher:
    """Emit from a worker process through Redis pub/sub."""

    def __init__(self, redis_url: str, channel: str) -> None:
        self.manager = socketio.RedisManager(redis_url, channel=channel, write_only=True)

    def publish(self, subject: str, body: dict[str, Any]) -> None:
        self.manager.emit(EVENT, body, room=room(subject), namespace=NAMESPACE)


def channel_name(key_prefix: str) -> str:
    return f"{key_prefix}socketio"
