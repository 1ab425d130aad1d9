"""Streams: lifecycle, latest-frame-wins flow control, and the worker pump.

Each stream holds one slot. A frame that arrives while the previous one still waits
for a worker replaces it, and the replaced frame is counted as dropped. A global
semaphore sized to the worker pool decides which stream's frame runs next (FIFO, so
streams take turns), and the frame is taken from the slot only when a worker is free:
nothing queues anywhere but in that one slot.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from posestudio.engines import EngineRegistry, PoseEngine
from posestudio.errors import (
    FrameTooLarge,
    PoseStudioError,
    RateLimited,
    StreamExists,
    TooManyStreams,
    UnknownStream,
)
from posestudio.history import PoseHistory, PoseSample
from posestudio.imaging import decode_jpeg
from posestudio.metrics import ServerStats
from posestudio.protocol import SCHEMA, FrameMeta, StartRequest, person_to_wire
from posestudio.settings import Settings
from posestudio.smoothing import PoseSmoother

log = logging.getLogger(__name__)

Emit = Callable[[str, str, dict[str, Any]], Awaitable[None]]
"""emit(sid, event, payload)"""


class StreamState(enum.Enum):
    CREATED = "created"
    RUNNING = "running"
    DRAINING = "draining"
    CLOSED = "closed"


@dataclass
class PendingFrame:
    meta: FrameMeta
    data: bytes
    received: float


@dataclass
class TokenBucket:
    rate: float
    capacity: float
    tokens: float = 0.0
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class Stream:
    sid: str
    stream_id: str
    engine_name: str
    engine: PoseEngine
    smoother: PoseSmoother | None
    history: PoseHistory
    bucket: TokenBucket
    started_at: float = field(default_factory=time.time)
    state: StreamState = StreamState.CREATED
    slot: PendingFrame | None = None
    pump: asyncio.Task[None] | None = None
    received: int = 0
    processed: int = 0
    dropped: int = 0
    last_rate_error: float = 0.0
    # (monotonic done time, server seconds) of recent frames, for fps and latency.
    recent: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=300))

    def summary(self, now: float) -> dict[str, Any]:
        # Called from HTTP threads while the loop appends: copy first (one C call, atomic
        # under the GIL), since iterating the live deque may raise.
        window = [(t, s) for t, s in list(self.recent) if t >= now - 5.0]
        fps = 0.0
        if len(window) >= 2:
            span = max(now - window[0][0], 1e-6)
            fps = len(window) / span if span < 5.0 else len(window) / 5.0
        latencies = sorted(s for _, s in window)
        p50 = latencies[len(latencies) // 2] * 1000 if latencies else None
        return {
            "stream_id": self.stream_id,
            "connection": self.sid[:8],
            "engine": self.engine_name,
            "state": self.state.value,
            "started_at": self.started_at,
            "fps": round(fps, 2),
            "server_ms_p50": round(p50, 2) if p50 is not None else None,
            "received": self.received,
            "processed": self.processed,
            "dropped": self.dropped,
        }


class StreamManager:
    """Owns every stream; the Socket.IO namespace and the HTTP API call into it."""

    def __init__(
        self,
        settings: Settings,
        registry: EngineRegistry,
        stats: ServerStats,
        executor: Executor,
        emit: Emit,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.stats = stats
        self._executor = executor
        self._emit = emit
        self._workers = asyncio.Semaphore(settings.workers)
        self._streams: dict[tuple[str, str], Stream] = {}
        # Open connections -> starts in progress (awaiting an engine instance), so that
        # concurrent starts count against the limit and a start that outlives its
        # connection gives its engine back.
        self._starting: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------
    def limits(self) -> dict[str, Any]:
        s = self.settings
        return {
            "max_frame_bytes": s.max_frame_bytes,
            "max_width": s.max_width,
            "max_height": s.max_height,
            "max_in_flight": s.max_in_flight,
            "max_fps": s.max_fps,
            "max_streams": s.max_streams_per_connection,
        }

    def streams_of(self, sid: str) -> list[Stream]:
        return [st for (owner, _), st in self._streams.items() if owner == sid]

    def all_streams(self) -> list[Stream]:
        return list(self._streams.values())

    def active_by_engine(self) -> dict[str, int]:
        counts: dict[str, int] = {name: 0 for name in self.registry.names}
        for st in list(self._streams.values()):  # read at scrape time, off the loop
            if st.state is StreamState.RUNNING:
                counts[st.engine_name] = counts.get(st.engine_name, 0) + 1
        return counts

    def open_connection(self, sid: str) -> None:
        """A connection may start streams from now until `stop_connection`."""
        self._starting[sid] = 0

    async def start(self, sid: str, request: StartRequest) -> Stream:
        key = (sid, request.stream_id)
        if sid not in self._starting:
            raise UnknownStream(
                "the connection is closed", details={"stream_id": request.stream_id}
            )
        if key in self._streams:
            raise StreamExists(f"stream {request.stream_id!r} is already running")
        limit = self.settings.max_streams_per_connection
        if len(self.streams_of(sid)) + self._starting[sid] >= limit:
            raise TooManyStreams(
                f"at most {limit} streams per connection", details={"limit": limit}
            )
        engine_name = request.engine or self.settings.default_engine
        self.registry.info(engine_name)  # UnknownEngine before any work
        self._starting[sid] += 1
        try:
            # Acquiring may build and warm an instance: keep that off the event loop.
            engine = await asyncio.to_thread(self.registry.acquire, engine_name)
        finally:
            if sid in self._starting:
                self._starting[sid] -= 1
        if sid not in self._starting:  # the connection closed (or the server stopped)
            await asyncio.to_thread(self.registry.release, engine_name, engine)
            raise UnknownStream("the connection closed while the stream was starting")
        if key in self._streams:  # a concurrent start of the same id won the race
            await asyncio.to_thread(self.registry.release, engine_name, engine)
            raise StreamExists(f"stream {request.stream_id!r} is already running")
        config = request.smoothing_config()
        s = self.settings
        stream = Stream(
            sid=sid,
            stream_id=request.stream_id,
            engine_name=engine_name,
            engine=engine,
            smoother=PoseSmoother(config) if config else None,
            history=PoseHistory(s.history_seconds, int(s.history_seconds * s.max_fps) + 1),
            bucket=TokenBucket(rate=s.max_fps, capacity=max(2.0, s.max_fps)),
        )
        stream.state = StreamState.RUNNING
        self._streams[key] = stream
        log.info("stream %s started on %s (connection %s)", request.stream_id, engine_name, sid)
        return stream

    async def stop(self, sid: str, stream_id: str) -> None:
        stream = self._streams.get((sid, stream_id))
        if stream is None:
            raise UnknownStream(f"no stream {stream_id!r} on this connection")
        await self._close(stream)

    async def stop_connection(self, sid: str) -> None:
        self._starting.pop(sid, None)
        await asyncio.gather(*(self._close(st) for st in self.streams_of(sid)))

    async def close(self) -> None:
        """Shutdown: drain every stream (finish the frame in hand), then free engines."""
        self._starting.clear()
        await asyncio.gather(*(self._close(st) for st in self.all_streams()))

    async def _close(self, stream: Stream) -> None:
        if stream.state in (StreamState.DRAINING, StreamState.CLOSED):
            return
        stream.state = StreamState.DRAINING
        if stream.slot is not None:
            stream.slot = None
            stream.dropped += 1
            self.stats.dropped["closed"] += 1
        if stream.pump is not None:
            await asyncio.gather(stream.pump, return_exceptions=True)
        self._streams.pop((stream.sid, stream.stream_id), None)
        stream.state = StreamState.CLOSED
        await asyncio.to_thread(self.registry.release, stream.engine_name, stream.engine)
        log.info("stream %s closed", stream.stream_id)

    # -- frames ----------------------------------------------------------------
    def submit(self, sid: str, meta: FrameMeta, data: bytes) -> None:
        """Called on the event loop for every frame: checks, slot, and no CPU work."""
        stream = self._streams.get((sid, meta.stream_id))
        if stream is None or stream.state is not StreamState.RUNNING:
            raise UnknownStream(f"no running stream {meta.stream_id!r} on this connection")
        counters = self.stats.engine(stream.engine_name)
        counters.received += 1
        stream.received += 1
        now = time.monotonic()
        if len(data) > self.settings.max_frame_bytes:
            raise FrameTooLarge(
                f"frame is {len(data)} bytes, the limit is {self.settings.max_frame_bytes}",
                details={"bytes": len(data), "limit": self.settings.max_frame_bytes},
            )
        if not stream.bucket.take(now):
            stream.dropped += 1
            self.stats.dropped["rate_limited"] += 1
            if now - stream.last_rate_error >= 1.0:
                stream.last_rate_error = now
                raise RateLimited(
                    f"frames arrive faster than max_fps={self.settings.max_fps}; extra "
                    "frames are dropped",
                    details={"max_fps": self.settings.max_fps, "dropped": stream.dropped},
                )
            return
        if stream.slot is not None:
            stream.dropped += 1
            self.stats.dropped["superseded"] += 1
        stream.slot = PendingFrame(meta=meta, data=data, received=now)
        if stream.pump is None or stream.pump.done():
            stream.pump = asyncio.create_task(self._pump(stream))

    async def _pump(self, stream: Stream) -> None:
        loop = asyncio.get_running_loop()
        while stream.slot is not None and stream.state is StreamState.RUNNING:
            async with self._workers:
                frame, stream.slot = stream.slot, None
                if frame is None:
                    break
                started = time.monotonic()
                try:
                    payload = await loop.run_in_executor(
                        self._executor, self._process, stream, frame, started
                    )
                except PoseStudioError as exc:
                    await self.send_error(stream.sid, exc, stream.stream_id)
                    continue
                except Exception as exc:  # an engine bug must not end the stream
                    log.exception("processing failed on stream %s", stream.stream_id)
                    await self.send_error(
                        stream.sid, PoseStudioError(f"internal error: {exc}"), stream.stream_id
                    )
                    continue
            done = time.monotonic()
            server_s = done - frame.received
            timing = payload["timing"]
            timing["server_ms"] = round(server_s * 1000, 2)
            payload["dropped"] = stream.dropped
            counters = self.stats.engine(stream.engine_name)
            counters.processed += 1
            counters.inference.observe(timing["infer_ms"] / 1000)
            counters.queue.observe(timing["queue_ms"] / 1000)
            counters.server.observe(server_s)
            stream.processed += 1
            stream.recent.append((done, server_s))
            await self._emit(stream.sid, "pose", payload)

    def _process(self, stream: Stream, frame: PendingFrame, started: float) -> dict[str, Any]:
        """Worker thread: decode, infer, smooth, build the reply (minus server time)."""
        s = self.settings
        rgb = decode_jpeg(frame.data, max_width=s.max_width, max_height=s.max_height)
        decoded = time.monotonic()
        persons = stream.engine.process(rgb)
        inferred = time.monotonic()
        if stream.smoother is not None:
            if persons:
                p = persons[0]
                lm, world = stream.smoother(p.landmarks, p.world, frame.received)
                persons = [type(p)(score=p.score, landmarks=lm, world=world), *persons[1:]]
            else:
                stream.smoother.reset()
        first = persons[0] if persons else None
        stream.history.append(
            PoseSample(
                time=time.time(),
                capture_ts=float(frame.meta.capture_ts),
                landmarks=first.landmarks if first else None,
                world=first.world if first else None,
            )
        )
        height, width = rgb.shape[:2]
        return {
            "schema": SCHEMA,
            "stream_id": stream.stream_id,
            "seq": frame.meta.seq,
            "capture_ts": frame.meta.capture_ts,
            "engine": stream.engine_name,
            "image": {"width": width, "height": height},
            "persons": [person_to_wire(p) for p in persons],
            "timing": {
                "queue_ms": round((started - frame.received) * 1000, 2),
                "decode_ms": round((decoded - started) * 1000, 2),
                "infer_ms": round((inferred - decoded) * 1000, 2),
            },
        }

    async def send_error(
        self, sid: str, exc: PoseStudioError, stream_id: str | None = None
    ) -> None:
        """Emit a structured `error` to one connection and count it."""
        self.stats.errors[exc.code] += 1
        await self._emit(sid, "error", exc.to_wire(stream_id))
