"""N concurrent clients, each its own connection and stream, sending at a fixed rate.

How a client paces its uploads (`ClientFlow`):
- `credits` (the studio and `posestudio stream`): the stream is started with `credits`; a
  frame goes only against a credit, and between credits only the newest camera frame is
  kept (`posestudio.client.credits`). Like the studio, the client captures the camera's
  current frame when the credit comes (its `capture_ts` is then), rather than send a frame
  held since its capture. Frames replaced before they went count as client-skipped.
- `window` (the clients before credits): a frame is skipped while `max_in_flight` frames
  await their pose (`posestudio.client.flow`); the server's slot drops what is superseded.
- `flood`: every frame is sent; the server's latest-frame-wins slot drops the excess
  (counted by the server and reported in each pose's `dropped`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, get_args

from socketio import packet

from posestudio.bench.workload import Workload
from posestudio.client import NAMESPACE, FlowControl, Message, PoseClient
from posestudio.client.credits import HeldFrame, LatestFrameSender

ClientFlow = Literal["credits", "window", "flood"]


def parse_flow(value: str) -> ClientFlow:
    for flow in get_args(ClientFlow):
        if value == flow:
            return flow  # type: ignore[no-any-return]
    raise ValueError(f"flow must be one of {', '.join(get_args(ClientFlow))}, not {value!r}")


DRAIN_SECONDS = 3.0
"""How long a client waits for the poses of its last frames after it stops sending."""


class PoseTiming(NamedTuple):
    """One pose as the client saw it."""

    arrived: float
    """`time.monotonic()` when it arrived"""
    e2e_ms: float
    """from the frame's `capture_ts` to the pose's arrival"""
    server_ms: float
    """from the frame's arrival at the server to the pose's emit"""
    queue_ms: float
    """waiting in the stream's slot for a worker"""
    decode_ms: float
    infer_ms: float

    @property
    def work_ms(self) -> float:
        """Decode + inference: the part a worker was busy with."""
        return self.decode_ms + self.infer_ms


@dataclass
class ClientLog:
    """What one client saw. Times are `time.monotonic()` unless named otherwise."""

    stream_id: str
    offered: int = 0
    sent: int = 0
    skipped: int = 0
    expired: int = 0
    poses: int = 0
    with_person: int = 0
    server_dropped: int = 0
    up_bytes: int = 0
    down_bytes: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    results: list[PoseTiming] = field(default_factory=list)
    image_sizes: set[tuple[int, int]] = field(default_factory=set)


def upstream_bytes(meta: dict[str, Any], jpeg: bytes) -> int:
    """Bytes of a `frame` message as Socket.IO encodes it (text header + binary part)."""
    encoded = packet.Packet(packet.EVENT, namespace=NAMESPACE, data=["frame", meta, jpeg]).encode()
    header, *attachments = encoded
    # Engine.IO prefixes the text message with its type ("4"); WebSocket framing not counted.
    return 1 + len(header.encode()) + sum(len(a) for a in attachments)


def downstream_bytes(event: str, data: dict[str, Any]) -> int:
    """Bytes of a server message as Socket.IO encodes it (without WebSocket framing)."""
    encoded = packet.Packet(packet.EVENT, namespace=NAMESPACE, data=[event, data]).encode()
    return 1 + len(str(encoded).encode())


def _capture(jpeg: bytes, seq: int) -> HeldFrame:
    """The camera's current frame, stamped now: the workload's frames stand for it."""
    return HeldFrame(jpeg, seq, time.time() * 1000)


class ClientFleet:
    """Connects `count` clients, streams the workload from all of them, then closes them."""

    def __init__(
        self,
        url: str,
        token: str,
        workload: Workload,
        *,
        count: int,
        fps: float,
        flow: ClientFlow = "credits",
        prefix: str = "bench",
    ) -> None:
        self.url = url
        self.token = token
        self.workload = workload
        self.count = count
        self.fps = fps
        self.flow = flow
        self.logs = [ClientLog(stream_id=f"{prefix}-{i}") for i in range(count)]
        self._clients: list[PoseClient] = []
        self.max_in_flight = 2

    async def __aenter__(self) -> ClientFleet:
        self._clients = [PoseClient(self.url, self.token, reconnect=False) for _ in self.logs]
        try:
            await asyncio.gather(*(client.connect() for client in self._clients))
            replies = await asyncio.gather(
                *(
                    c.start(log.stream_id, credits=self.flow == "credits")
                    for c, log in zip(self._clients, self.logs, strict=True)
                )
            )
        except BaseException:
            await self.close()
            raise
        self.max_in_flight = int(replies[0]["limits"]["max_in_flight"])
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await asyncio.gather(*(client.close() for client in self._clients), return_exceptions=True)

    async def run(self, duration: float, started: float) -> None:
        """Send for `duration` seconds from `started` (monotonic), then collect the rest."""
        await asyncio.gather(
            *(
                self._run_one(client, log, index, duration, started)
                for index, (client, log) in enumerate(zip(self._clients, self.logs, strict=True))
            )
        )

    async def _run_one(
        self, client: PoseClient, log: ClientLog, index: int, duration: float, started: float
    ) -> None:
        # `flow` keeps account of the frames awaiting a pose (and, in `window`, gates them).
        flow = FlowControl(self.max_in_flight, timeout_s=DRAIN_SECONDS)
        settled = asyncio.Event()
        receiver = asyncio.create_task(self._receive(client, log, flow, settled))
        broken = asyncio.Event()

        async def send(frame: HeldFrame) -> bool:
            meta = {"stream_id": log.stream_id, "seq": frame.seq, "capture_ts": frame.capture_ts}
            try:
                sent = await client.send(
                    log.stream_id, frame.jpeg, seq=frame.seq, capture_ts=frame.capture_ts
                )
            except Exception as exc:
                log.errors[f"SEND_FAILED: {type(exc).__name__}"] += 1
                broken.set()
                return False
            if sent is None:  # the connection dropped; the bench does not reconnect
                log.errors["DISCONNECTED"] += 1
                broken.set()
                return False
            flow.sent(frame.seq, time.monotonic())
            log.sent += 1
            log.up_bytes += upstream_bytes(meta, frame.jpeg)
            return True

        sender = (
            LatestFrameSender(client.credits[log.stream_id], send)
            if self.flow == "credits"
            else None
        )
        frames = self.workload.frames
        interval = 1.0 / self.fps
        # Cameras are not synchronised: spread the clients' send times over one interval.
        first = started + interval * index / self.count
        total = int(duration * self.fps)
        position = index * len(frames) // self.count
        try:
            for k in range(total):
                await asyncio.sleep(max(0.0, first + k * interval - time.monotonic()))
                if broken.is_set():
                    break
                log.offered += 1
                now = time.monotonic()
                jpeg = frames[(position + k) % len(frames)]
                if sender is not None:
                    flow.expire(now)
                    # A camera's current frame, captured when the credit is there.
                    sender.offer(functools.partial(_capture, jpeg, k))
                    continue
                frame = _capture(jpeg, k)
                if self.flow == "flood":
                    flow.expire(now)
                elif not flow.admit(now):
                    continue
                if not await send(frame):
                    break
        finally:
            if sender is not None:
                with contextlib.suppress(TimeoutError):
                    await sender.flush(DRAIN_SECONDS)
                await sender.close()
            settled.clear()
            if len(flow):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(settled.wait(), DRAIN_SECONDS)
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receiver
            log.skipped = flow.skipped + (sender.superseded if sender is not None else 0)
            log.expired = flow.expired + len(flow)

    async def _receive(
        self, client: PoseClient, log: ClientLog, flow: FlowControl, settled: asyncio.Event
    ) -> None:
        """Record every message; set `settled` whenever no frame awaits its pose."""
        while True:
            self._record(log, flow, await client.queue.get())
            if len(flow) == 0:
                settled.set()

    @staticmethod
    def _record(log: ClientLog, flow: FlowControl, message: Message) -> None:
        log.down_bytes += downstream_bytes(message.event, message.data)
        if message.event == "error":
            log.errors[str(message.data.get("code"))] += 1
            if message.data.get("stream_id") == log.stream_id:
                flow.rejected()  # that frame gets no pose
            return
        pose = message.data
        arrived = time.monotonic() - (time.time() - message.received)
        log.poses += 1
        log.with_person += bool(pose["persons"])
        log.server_dropped = max(log.server_dropped, int(pose["dropped"]))
        log.image_sizes.add((pose["image"]["width"], pose["image"]["height"]))
        timing = pose["timing"]
        log.results.append(
            PoseTiming(
                arrived=arrived,
                e2e_ms=message.received * 1000 - pose["capture_ts"],
                server_ms=timing["server_ms"],
                queue_ms=timing["queue_ms"],
                decode_ms=timing["decode_ms"],
                infer_ms=timing["infer_ms"],
            )
        )
        flow.answered(int(pose["seq"]))
