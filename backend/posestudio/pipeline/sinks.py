"""Sinks: parties that subscribe to a stream's results, each behind its own buffer.

`SinkSet.publish` never waits on a sink: it puts the result into every sink's bounded
buffer, and each sink's own task delivers from it, so a slow sink falls behind alone:
its buffer drops the oldest result and counts it (`pose_sink_dropped_total{sink}`); the
stream and the other sinks go on. A `lossless` sink (the recorder) gets a larger buffer,
and when that is full its owner hears of it (`SINK_BEHIND`, at most once a second)
besides the count.

A sink that is `inline` promises that `deliver` never waits on anyone (it hands one
message to a transport's unbounded queue, or appends under a short lock). While its
buffer is empty it is delivered to at once, in the publishing task, which saves a task
switch per result (the reply then costs what it cost before sinks); with a backlog it
goes through its buffer like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from posestudio.metrics import SinkCounters

if TYPE_CHECKING:
    from posestudio.pipeline.results import PoseResult
    from posestudio.pipeline.stream import Stream

log = logging.getLogger(__name__)


class Sink(Protocol):
    name: str
    lossless: bool
    inline: bool

    async def deliver(self, result: PoseResult) -> None: ...

    async def close(self) -> None: ...


SinkFactory = Callable[["Stream"], "Sink | None"]
"""Called for every new stream; None leaves that stream without this sink."""

OnBehind = Callable[["SinkFeed"], None]


class SinkFeed:
    """One sink, its bounded buffer and the task that delivers from it."""

    def __init__(
        self, sink: Sink, capacity: int, counters: SinkCounters, on_behind: OnBehind
    ) -> None:
        self.sink = sink
        self.capacity = max(1, capacity)
        self.counters = counters
        self._on_behind = on_behind
        self._buffer: deque[PoseResult] = deque()
        self._wake = asyncio.Event()
        self._closing = False
        self._busy = False
        self._inline = sink.inline and not sink.lossless
        self._task = asyncio.create_task(self._run(), name=f"sink-{sink.name}")
        self.dropped = 0
        self.last_behind = 0.0

    @property
    def backlog(self) -> int:
        return len(self._buffer)

    @property
    def immediate(self) -> bool:
        """Whether `deliver_now` may run: an inline sink, idle, with nothing buffered."""
        return self._inline and not self._busy and not self._buffer and not self._closing

    async def deliver_now(self, result: PoseResult) -> None:
        await self._deliver(result)

    async def _deliver(self, result: PoseResult) -> None:
        self._busy = True
        began = time.perf_counter()
        try:
            await self.sink.deliver(result)
        except Exception:  # one sink's failure must not end the stream
            log.exception("sink %s failed on stream %s", self.sink.name, result.stream.id)
        finally:
            self._busy = False
        self.counters.cost.observe(time.perf_counter() - began)
        self.counters.delivered += 1

    def offer(self, result: PoseResult) -> None:
        if len(self._buffer) >= self.capacity:
            self._buffer.popleft()
            self.dropped += 1
            self.counters.dropped += 1
            if self.sink.lossless:
                self.counters.behind += 1
                self._on_behind(self)
        self._buffer.append(result)
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._buffer:
                await self._deliver(self._buffer.popleft())
            if self._closing:
                return

    async def close(self, timeout: float) -> None:
        """Deliver what is buffered (for at most `timeout` seconds), then close the sink."""
        self._closing = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except TimeoutError:
            log.warning(
                "sink %s still busy at close; %d results left", self.sink.name, self.backlog
            )
            self.counters.dropped += len(self._buffer)
            self._buffer.clear()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            await asyncio.wait_for(self.sink.close(), timeout)
        except Exception:
            log.exception("sink %s failed to close", self.sink.name)


class SinkSet:
    """A stream's sinks, in the order they were added."""

    def __init__(self) -> None:
        self.feeds: list[SinkFeed] = []

    def add(self, feed: SinkFeed) -> None:
        self.feeds.append(feed)

    def find(self, name: str) -> Sink | None:
        return next((f.sink for f in self.feeds if f.sink.name == name), None)

    async def publish(self, result: PoseResult) -> None:
        for feed in self.feeds:
            if feed.immediate:
                await feed.deliver_now(result)
            else:
                feed.offer(result)

    async def close(self, timeout: float) -> None:
        await asyncio.gather(*(feed.close(timeout) for feed in self.feeds))
