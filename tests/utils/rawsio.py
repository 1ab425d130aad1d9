"""Socket.IO spoken packet by packet over a raw WebSocket, to send what no client would."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

NAMESPACE = "/pose"


class RawSocket:
    """One Engine.IO session over WebSocket. Pings are answered; everything else is kept."""

    def __init__(self, ws: ClientConnection, handshake: dict[str, Any]) -> None:
        self.ws = ws
        self.handshake = handshake
        self.closed = False
        self.close_reason: str | None = None
        self.close_code: int | None = None
        self._next_id = 1000

    @classmethod
    async def open(cls, base_url: str, headers: dict[str, str] | None = None) -> RawSocket:
        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        ws = await connect(
            url, additional_headers=headers, compression=None, max_size=None, proxy=None
        )
        opening = await asyncio.wait_for(ws.recv(), 10)
        assert isinstance(opening, str) and opening.startswith("0"), opening
        return cls(ws, json.loads(opening[1:]))

    async def send(self, message: str | bytes) -> None:
        await self.ws.send(message)

    async def recv(self, timeout: float = 10.0) -> str | bytes | None:
        """The next non-ping message, or None once the session is closed."""
        while True:
            try:
                message = await asyncio.wait_for(self.ws.recv(), timeout)
            except ConnectionClosed as exc:
                self.closed = True
                self.close_reason = exc.rcvd.reason if exc.rcvd else None
                self.close_code = exc.rcvd.code if exc.rcvd else None
                return None
            if message == "2":
                await self.ws.send("3")
                continue
            if message == "1":
                # Engine.IO CLOSE: the server ended the session.
                self.closed = True
                self.close_reason = self.close_reason or "engine.io close"
                return None
            return message

    async def join(self, token: str) -> str:
        """Connect to /pose; returns the Socket.IO sid, raises with the refusal otherwise."""
        await self.send(f"40{NAMESPACE}," + json.dumps({"token": token}))
        reply = await self.recv()
        assert isinstance(reply, str), reply
        if not reply.startswith(f"40{NAMESPACE},"):
            raise ConnectionRefusedError(reply)
        return str(json.loads(reply.split(",", 1)[1])["sid"])

    def ack_id(self) -> int:
        self._next_id += 1
        return self._next_id

    async def call(self, event: str, data: Any, timeout: float = 10.0) -> tuple[Any, list[Any]]:
        """Emit with an acknowledgement; returns it and whatever arrived before it."""
        ack = self.ack_id()
        await self.send(f"42{NAMESPACE},{ack}" + json.dumps([event, data]))
        return await self.wait_ack(ack, timeout)

    async def wait_ack(self, ack: int, timeout: float = 10.0) -> tuple[Any, list[Any]]:
        before: list[Any] = []
        prefix = f"43{NAMESPACE},{ack}"
        async with asyncio.timeout(timeout):
            while True:
                message = await self.recv(timeout)
                if message is None:
                    raise ConnectionError(f"closed: {self.close_reason}")
                if isinstance(message, str) and message.startswith(prefix):
                    return json.loads(message[len(prefix) :])[0], before
                before.append(decode(message))

    async def close(self) -> None:
        await self.ws.close()


def decode(message: str | bytes) -> Any:
    """An Engine.IO message as (kind, payload): ("event", [name, ...]), ("ack", …), …"""
    if isinstance(message, bytes):
        return ("binary", message)
    if message.startswith(f"42{NAMESPACE},"):
        return ("event", json.loads(message.split(",", 1)[1]))
    if message.startswith(f"44{NAMESPACE},"):
        return ("connect_error", json.loads(message.split(",", 1)[1]))
    return ("other", message)
