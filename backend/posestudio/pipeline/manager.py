"""The stream manager: lifecycle, owners, limits, the latest-frame-wins slot, drops.

It knows no transport: a transport (Socket.IO `/pose`, WebRTC) opens a connection,
starts streams on it with the owner's `Channel`, and submits `Frame`s. Each stream
holds one slot; a frame that arrives while the previous one still waits for a worker
replaces it, and the replaced frame is counted as dropped. Schedulers take frames from
the slot only when a worker is free, so nothing queues anywhere but in that slot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from posestudio.engines import EngineRegistry
from posestudio.errors import (
    FrameTooLarge,
    PoseStudioError,
    RateLimited,
    SinkBehind,
    StreamExists,
    TooManyStreams,
    UnknownStream,
)
from posestudio.history import PoseHistory
from posestudio.metrics import ServerStats
from posestudio.pipeline.access import is_admin, may_see
from posestudio.pipeline.budget import StreamBudget, capacity_defaults
from posestudio.pipeline.frames import Frame
from posestudio.pipeline.ratelimit import TokenBucket
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.schedulers import Scheduler
from posestudio.pipeline.scheduling import Schedulers
from posestudio.pipeline.sinks import Sink, SinkFactory, SinkFeed, SinkSet
from posestudio.pipeline.stages import StageFactory
from posestudio.pipeline.stream import Channel, Stream, StreamState, new_stream_key
from posestudio.protocol import StartRequest
from posestudio.settings import Settings
from posestudio_core.auth import Principal

log = logging.getLogger(__name__)

SINK_CLOSE_TIMEOUT_S = 5.0


class StreamManager:
    """Owns every stream; transports and the HTTP API call into it."""

    def __init__(self, settings: Settings, registry: EngineRegistry, stats: ServerStats) -> None:
        self.settings = settings
        self.registry = registry
        self.stats = stats
        limits = capacity_defaults(
            registry.footprint,
            streams_total=settings.max_streams_total,
            per_person=settings.max_streams_per_person,
            engine_instances=registry.max_instances or settings.max_engine_instances,
            max_idle=settings.max_idle_engines,
        )
        if registry.max_instances is None:
            registry.max_instances = limits.engine_instances
        self.budget = StreamBudget(limits)
        self.schedulers: Schedulers | None = None
        self._stage_factories: list[StageFactory] = []
        self._sink_factories: list[SinkFactory] = []
        self._streams: dict[str, Stream] = {}
        self._by_name: dict[tuple[str | None, str], Stream] = {}
        self._scheduler_of: dict[Stream, Scheduler] = {}
        # Open connections -> starts in progress (awaiting an engine), so that concurrent
        # starts count against the limit and a start that outlives its connection gives
        # its engine back.
        self._starting: dict[str, int] = {}
        self._notices: set[asyncio.Task[None]] = set()

    def use(self, schedulers: Schedulers) -> None:
        self.schedulers = schedulers

    def add_stage_factory(self, factory: StageFactory) -> None:
        self._stage_factories.append(factory)

    def add_sink_factory(self, factory: SinkFactory) -> None:
        self._sink_factories.append(factory)

    # -- reading ---------------------------------------------------------------
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

    def capacity(self) -> dict[str, int]:
        """How close the server is to its budget (for /ready and the metrics)."""
        limits = self.budget.limits
        return {
            "streams": self.budget.used,
            "max_streams_total": limits.streams_total,
            "max_streams_per_person": limits.streams_per_person,
            "engine_instances": self.registry.instances(),
            "max_engine_instances": limits.engine_instances,
        }

    def get(self, stream_id: str) -> Stream:
        """A stream by its server-wide id."""
        stream = self._streams.get(stream_id)
        if stream is None:
            raise UnknownStream(f"no running stream {stream_id!r}")
        return stream

    def find(self, connection: str | None, name: str, *, running: bool = True) -> Stream:
        """A (running) stream by the name its connection gave it."""
        stream = self._by_name.get((connection, name))
        if stream is None or (running and stream.state is not StreamState.RUNNING):
            raise UnknownStream(f"no running stream {name!r} on this connection")
        return stream

    def streams_of(self, connection: str) -> list[Stream]:
        return [st for (conn, _), st in list(self._by_name.items()) if conn == connection]

    def all_streams(self) -> list[Stream]:
        return list(self._streams.values())

    def visible_to(self, principal: Principal) -> list[Stream]:
        """The principal's own streams and those shared with it; every stream for an admin."""
        streams = self.all_streams()
        return streams if is_admin(principal) else [s for s in streams if may_see(principal, s)]

    def active_by_engine(self) -> dict[str, int]:
        counts: dict[str, int] = {name: 0 for name in self.registry.names}
        for st in list(self._streams.values()):  # read at scrape time, off the loop
            if st.state is StreamState.RUNNING:
                counts[st.engine_name] = counts.get(st.engine_name, 0) + 1
        return counts

    # -- lifecycle -------------------------------------------------------------
    def open_connection(self, connection: str) -> None:
        """A connection may start streams from now until `stop_connection`."""
        self._starting[connection] = 0

    async def start(
        self, owner: Principal, connection: str, request: StartRequest, channel: Channel
    ) -> Stream:
        key = (connection, request.stream_id)
        if connection not in self._starting:
            raise UnknownStream(
                "the connection is closed", details={"stream_id": request.stream_id}
            )
        if key in self._by_name:
            raise StreamExists(f"stream {request.stream_id!r} is already running")
        limit = self.settings.max_streams_per_connection
        if len(self.streams_of(connection)) + self._starting[connection] >= limit:
            raise TooManyStreams(
                f"at most {limit} streams per connection", details={"limit": limit}
            )
        engine_name = request.engine or self.settings.default_engine
        self.registry.info(engine_name)  # UnknownEngine before any work
        assert self.schedulers is not None, "the runtime gives the manager its schedulers"
        # The stream's place in the global budget, held from before the engine is
        # acquired (concurrent starts count) until the stream closes.
        self.budget.reserve(owner.subject)
        try:
            return await self._start(owner, connection, request, channel, engine_name)
        except BaseException:
            self.budget.release(owner.subject)
            raise

    async def _start(
        self,
        owner: Principal,
        connection: str,
        request: StartRequest,
        channel: Channel,
        engine_name: str,
    ) -> Stream:
        key = (connection, request.stream_id)
        assert self.schedulers is not None
        s = self.settings
        stream = Stream(
            id=new_stream_key(),
            name=request.stream_id,
            owner=owner,
            connection=connection,
            engine_name=engine_name,
            options=request,
            channel=channel,
            bucket=TokenBucket(rate=s.max_fps, capacity=max(2.0, s.max_fps)),
            history=PoseHistory(s.history_seconds, int(s.history_seconds * s.max_fps) + 1),
            sinks=SinkSet(),
            credit_window=s.credit_window,
            credit_at_turn=s.credit_at_turn,
        )
        self._starting[connection] += 1
        try:
            scheduler = await self.schedulers.for_engine(engine_name)
            await scheduler.attach(stream)
        finally:
            if connection in self._starting:
                self._starting[connection] -= 1
        if connection not in self._starting or key in self._by_name:
            # The connection closed (or the server stopped), or a concurrent start of
            # the same name won the race: give the engine back.
            await scheduler.detach(stream)
            if connection not in self._starting:
                raise UnknownStream("the connection closed while the stream was starting")
            raise StreamExists(f"stream {request.stream_id!r} is already running")
        stream.stages = [st for f in self._stage_factories if (st := f(stream)) is not None]
        for factory in self._sink_factories:
            sink = factory(stream)
            if sink is not None:
                self.attach_sink(stream, sink)
        self._streams[stream.id] = stream
        self._by_name[key] = stream
        self._scheduler_of[stream] = scheduler
        log.info("stream %s (%s) started on %s", stream.id, stream.name, engine_name)
        return stream

    def attach_sink(self, stream: Stream, sink: Sink) -> None:
        s = self.settings
        capacity = s.lossless_sink_buffer if sink.lossless else s.sink_buffer
        feed = SinkFeed(
            sink,
            capacity,
            self.stats.sink(sink.name),
            lambda behind: self._sink_behind(stream, behind),
        )
        stream.sinks.add(feed)

    async def stop(self, stream: Stream) -> None:
        await self._close(stream)

    async def stop_connection(self, connection: str) -> None:
        self._starting.pop(connection, None)
        streams = self.streams_of(connection)
        for stream in streams:
            stream.disconnected = True
        await asyncio.gather(*(self._close(st) for st in streams))

    async def close(self) -> None:
        """Shutdown: drain every stream (finish the frame in hand), then free engines."""
        self._starting.clear()
        await asyncio.gather(*(self._close(st) for st in self.all_streams()))

    async def _close(self, stream: Stream) -> None:
        if stream.state is not StreamState.RUNNING:
            return
        stream.state = StreamState.DRAINING
        if stream.slot is not None:
            stream.slot = None
            stream.drop("closed")
            self.stats.dropped["closed"] += 1
        scheduler = self._scheduler_of.pop(stream, None)
        if scheduler is not None:
            await scheduler.detach(stream)
        # After the last frame: stages that hold resources (the hands' MediaPipe graph and
        # its threads) free them, off the loop.
        for stage in stream.stages:
            close = getattr(stage, "close", None)
            if close is not None:
                try:
                    await asyncio.to_thread(close)
                except Exception:
                    log.exception("stream %s: closing stage %s failed", stream.id, stage.name)
        self._streams.pop(stream.id, None)
        self._by_name.pop((stream.connection, stream.name), None)
        self.budget.release(stream.owner.subject)
        await stream.sinks.close(SINK_CLOSE_TIMEOUT_S)
        stream.state = StreamState.CLOSED
        log.info("stream %s (%s) closed", stream.id, stream.name)

    # -- frames ----------------------------------------------------------------
    def submit(self, stream: Stream, frame: Frame) -> None:
        """Called on the event loop for every frame: checks, slot, and no CPU work."""
        if stream.state is not StreamState.RUNNING:
            raise UnknownStream(f"no running stream {stream.name!r} on this connection")
        self.stats.engine(stream.engine_name).received += 1
        stream.arrived()
        size, limit = frame.nbytes, self.settings.max_frame_bytes
        if frame.jpeg is not None and size > limit:
            stream.consume()
            raise FrameTooLarge(
                f"frame is {size} bytes, the limit is {limit}",
                details={"bytes": size, "limit": limit},
            )
        now = frame.received
        if not stream.bucket.take(now):
            stream.consume()
            stream.drop("rate_limited")
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
            stream.consume()
            stream.drop("superseded")
            self.stats.dropped["superseded"] += 1
        stream.slot = frame
        self._scheduler_of[stream].ready(stream)

    # -- what schedulers hand back (the `Outlet`) --------------------------------
    async def result(self, stream: Stream, result: PoseResult) -> None:
        """On the loop: count, finish the reply, hand the result to every sink."""
        done = time.monotonic()
        server_s = done - result.received
        timing = result.timing
        timing["server_ms"] = round(server_s * 1000, 2)
        if stream.turns is not None:
            # The worker's time on it, for the credits' timing; first, so a grant the
            # result releases is in the pose's `granted`.
            worker_s = (timing["decode_ms"] + timing["infer_ms"]) / 1000
            stream.turns.served(stream, worker_s + sum(result.costs.values()))
        message = result.wire()
        message["dropped"] = stream.dropped
        if stream.options.credits:
            message["granted"] = stream.granted
        counters = self.stats.engine(stream.engine_name)
        counters.processed += 1
        counters.inference.observe(timing["infer_ms"] / 1000)
        counters.queue.observe(timing["queue_ms"] / 1000)
        counters.server.observe(server_s)
        for name, seconds in result.costs.items():
            self.stats.stage(name).observe(seconds)
        stream.processed += 1
        stream.recent.append((done, server_s))
        await stream.sinks.publish(result)

    async def error(self, stream: Stream, exc: PoseStudioError) -> None:
        """A structured `error` to the stream's owner, counted."""
        self.stats.errors[exc.code] += 1
        await stream.channel("error", exc.to_wire(stream.name))

    def _sink_behind(self, stream: Stream, feed: SinkFeed) -> None:
        """A lossless sink's buffer is full: tell the owner, at most once a second."""
        now = time.monotonic()
        if now - feed.last_behind < 1.0:
            return
        feed.last_behind = now
        exc = SinkBehind(
            f"the {feed.sink.name} sink cannot keep up; its oldest results are being dropped",
            details={"sink": feed.sink.name, "dropped": feed.dropped},
        )
        task = asyncio.get_running_loop().create_task(self.error(stream, exc))
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)
