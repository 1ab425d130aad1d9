"""`PoseClient`: a small async client of the `/pose` protocol (the CLI, the tests, the bench).

    async with PoseClient(url, token) as client:
        await client.start("cam0")
        await client.send("cam0", jpeg_bytes)
        async for message in client.results():
            ...

Results and errors arrive on one bounded queue (oldest dropped when a consumer falls
behind). After a dropped connection the client reconnects and restarts its streams.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import socketio

from posestudio.client.credits import Credits

NAMESPACE = "/pose"


class PoseClientError(Exception):
    """A refused start/stop or connection, carrying the server's error object."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error
        self.code = error.get("code")


@dataclass
class Message:
    """`event` is "pose" or "error"; `data` is the payload as sent by the server."""

    event: str
    data: dict[str, Any]
    received: float = field(default_factory=time.time)


class PoseClient:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        reconnect: bool = True,
        max_queue: int = 10_000,
        transports: list[str] | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.transports = transports or ["websocket"]
        self.sio = socketio.AsyncClient(
            reconnection=reconnect,
            reconnection_delay=0.2,
            reconnection_delay_max=2,
        )
        self.streams: dict[str, dict[str, Any]] = {}
        self.limits: dict[str, Any] = {}
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=max_queue)
        self.dropped_results = 0
        self.connects = 0
        self.skipped_disconnected = 0
        self._seq: dict[str, int] = {}
        self.credits: dict[str, Credits] = {}
        """Streams started with `credits`: what the server lets them send."""
        # Set once connected *and* every stream is started again after a reconnect.
        self._ready = asyncio.Event()
        self._changed = asyncio.Condition()
        self._refusal: dict[str, Any] | None = None
        self.sio.on("connect", self._on_connect, namespace=NAMESPACE)
        self.sio.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        self.sio.on("connect_error", self._on_connect_error, namespace=NAMESPACE)
        self.sio.on("pose", self._on_pose, namespace=NAMESPACE)
        self.sio.on("credit", self._on_credit, namespace=NAMESPACE)
        self.sio.on("error", self._on_error, namespace=NAMESPACE)

    async def __aenter__(self) -> PoseClient:
        await self.connect()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- connection -----------------------------------------------------------
    async def connect(self, timeout: float = 10.0) -> None:
        try:
            await self.sio.connect(
                self.url,
                namespaces=[NAMESPACE],
                auth={"token": self.token},
                transports=self.transports,
                wait_timeout=timeout,
            )
        except socketio.exceptions.ConnectionError as exc:
            error = self._refusal or {"code": "CONNECT_FAILED", "message": str(exc)}
            raise PoseClientError(error) from exc
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def wait_connected(self, timeout: float = 30.0, *, connects: int = 1) -> None:
        """Wait until connected (for at least the `connects`-th time) with streams resumed."""

        def ready() -> bool:
            return self._ready.is_set() and self.connects >= connects

        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(ready)

    async def close(self) -> None:
        await self.sio.disconnect()

    @property
    def connected(self) -> bool:
        return self._ready.is_set()

    async def _on_connect(self) -> None:
        self.connects += 1
        if self.connects > 1:
            # A reconnect: the server forgot our streams with the old connection.
            for stream_id, options in list(self.streams.items()):
                try:
                    await self._start(stream_id, options)
                except PoseClientError as exc:
                    self._put(Message("error", {**exc.error, "stream_id": stream_id}))
                except socketio.exceptions.TimeoutError:
                    # Still not answered (an engine still loading): report it and carry
                    # on as connected rather than hang; the caller may start it again.
                    error = {"code": "TIMEOUT", "message": "restarting the stream timed out"}
                    self._put(Message("error", {**error, "stream_id": stream_id}))
        self._ready.set()
        async with self._changed:
            self._changed.notify_all()

    async def _on_connect_error(self, data: Any = None) -> None:
        # The server's refusal ({code, message}) arrives here before connect() raises.
        if isinstance(data, dict):
            body = data.get("data")
            self._refusal = body if isinstance(body, dict) else data

    async def _on_disconnect(self, reason: Any = None) -> None:
        self._ready.clear()
        async with self._changed:
            self._changed.notify_all()

    def _put(self, message: Message) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped_results += 1
        self.queue.put_nowait(message)

    async def _on_pose(self, data: dict[str, Any]) -> None:
        self._grant(data)
        self._put(Message("pose", data))

    async def _on_credit(self, data: dict[str, Any]) -> None:
        self._grant(data)

    def _grant(self, data: dict[str, Any]) -> None:
        credits = self.credits.get(str(data.get("stream_id")))
        granted = data.get("granted")
        if credits is not None and isinstance(granted, int):
            credits.grant(granted)

    async def _on_error(self, data: dict[str, Any]) -> None:
        self._put(Message("error", data))

    # -- streams --------------------------------------------------------------
    async def _start(self, stream_id: str, options: dict[str, Any]) -> dict[str, Any]:
        reply = await self.sio.call(
            "start", {"stream_id": stream_id, **options}, namespace=NAMESPACE, timeout=30
        )
        if not reply.get("ok"):
            raise PoseClientError(reply.get("error", {}))
        self.limits = reply.get("limits", {})
        granted = reply.get("granted")
        if isinstance(granted, int):
            if stream_id in self.credits:
                self.credits[stream_id].reset(granted)
            else:
                self.credits[stream_id] = Credits(granted)
        return dict(reply)

    async def start(
        self,
        stream_id: str,
        *,
        engine: str | None = None,
        smoothing: dict[str, float] | bool | None = None,
        kinematics: bool = False,
        hands: bool = False,
        credits: bool = False,
    ) -> dict[str, Any]:
        """Start a stream. With `credits`, `self.credits[stream_id]` says when a frame may
        go (send through a `LatestFrameSender`, or check `available` before `send`)."""
        options: dict[str, Any] = {}
        if engine is not None:
            options["engine"] = engine
        if smoothing is not None:
            options["smoothing"] = smoothing
        if kinematics:
            options["kinematics"] = True
        if hands:
            options["hands"] = True
        if credits:
            options["credits"] = True
        reply = await self._start(stream_id, options)
        self.streams[stream_id] = options
        self._seq.setdefault(stream_id, 0)
        return reply

    async def stop(self, stream_id: str) -> dict[str, Any]:
        self.streams.pop(stream_id, None)
        self.credits.pop(stream_id, None)
        reply = await self.sio.call(
            "stop", {"stream_id": stream_id}, namespace=NAMESPACE, timeout=30
        )
        if not reply.get("ok"):
            raise PoseClientError(reply.get("error", {}))
        return dict(reply)

    async def calibrate(self, stream_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """A T-pose calibration of a stream started with `kinematics`: the verdict, once
        the server has the frames (keep sending them meanwhile)."""
        reply = await self.sio.call(
            "calibrate", {"stream_id": stream_id}, namespace=NAMESPACE, timeout=timeout
        )
        if not reply.get("ok"):
            raise PoseClientError(reply.get("error", {}))
        return dict(reply)

    async def send(
        self,
        stream_id: str,
        jpeg: bytes,
        *,
        seq: int | None = None,
        capture_ts: float | None = None,
    ) -> int | None:
        """Send one frame and return its sequence number.

        While disconnected (or resuming streams after a reconnect) the frame is skipped
        and None returned: a live camera frame is worth nothing later.
        """
        if not self._ready.is_set():
            self.skipped_disconnected += 1
            return None
        if seq is None:
            seq = self._seq.get(stream_id, 0)
        self._seq[stream_id] = seq + 1
        meta = {
            "stream_id": stream_id,
            "seq": seq,
            "capture_ts": time.time() * 1000 if capture_ts is None else capture_ts,
        }
        await self.sio.emit("frame", (meta, jpeg), namespace=NAMESPACE)
        return seq

    async def emit_raw(self, event: str, *args: Any) -> None:
        """Send anything (the tests use this for malformed messages)."""
        await self.sio.emit(event, args if len(args) != 1 else args[0], namespace=NAMESPACE)

    async def call_raw(self, event: str, data: Any) -> Any:
        return await self.sio.call(event, data, namespace=NAMESPACE, timeout=30)

    async def next(self, timeout: float = 30.0) -> Message:
        return await asyncio.wait_for(self.queue.get(), timeout)

    async def results(self) -> AsyncIterator[Message]:
        while True:
            yield await self.queue.get()
