"""Schedulers decide which stream's frame runs next, and on what.

- `PumpScheduler`: one engine instance per stream and a pump task per stream; a worker
  permit (an `asyncio.Semaphore` sized to the pool, FIFO, so streams take turns) is
  taken *before* the frame leaves the slot, so nothing queues but in the slot.
- `BatchScheduler` (`batching.py`): one batching engine serves many streams' frames in
  one call, with each stream's tracking state kept apart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from typing import Protocol

from posestudio.engines import EngineRegistry
from posestudio.errors import PoseStudioError
from posestudio.pipeline.frames import Frame
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.stream import Stream, StreamState
from posestudio.pipeline.turns import Turns
from posestudio.pipeline.work import FrameWork

log = logging.getLogger(__name__)


class Scheduler(Protocol):
    async def attach(self, stream: Stream) -> None:
        """Give the stream what it runs on (an engine instance, a tracking state)."""

    def ready(self, stream: Stream) -> None:
        """A frame is in the stream's slot (called on the loop, for every frame)."""

    async def detach(self, stream: Stream) -> None:
        """Finish the frame in hand, then free what `attach` gave."""

    async def close(self) -> None: ...


class Outlet(Protocol):
    """Where schedulers hand what they made (the stream manager)."""

    async def result(self, stream: Stream, result: PoseResult) -> None: ...

    async def error(self, stream: Stream, exc: PoseStudioError) -> None: ...


class Workers:
    """The worker thread pool and its permits, shared by every scheduler."""

    def __init__(self, executor: Executor, count: int) -> None:
        self.executor = executor
        self.count = count
        self.permits = asyncio.Semaphore(count)


async def report_failure(outlet: Outlet, stream: Stream, exc: BaseException) -> None:
    """A failure on one frame goes to the stream's owner; the stream goes on."""
    if isinstance(exc, PoseStudioError):
        await outlet.error(stream, exc)
        return
    log.error("processing failed on stream %s", stream.id, exc_info=exc)
    await outlet.error(stream, PoseStudioError(f"internal error: {exc}"))


class PumpScheduler:
    def __init__(
        self, registry: EngineRegistry, workers: Workers, work: FrameWork, outlet: Outlet
    ) -> None:
        self._registry = registry
        self._workers = workers
        self._work = work
        self._outlet = outlet
        self._pumps: dict[Stream, asyncio.Task[None]] = {}
        self.turns = Turns(workers.count)
        """Credits at each stream's turn for a worker (streams started with `credits`)."""

    async def attach(self, stream: Stream) -> None:
        # Acquiring may build and warm an instance: keep that off the event loop.
        stream.engine = await asyncio.to_thread(self._registry.acquire, stream.engine_name)
        self.turns.adopt(stream)

    def ready(self, stream: Stream) -> None:
        pump = self._pumps.get(stream)
        if pump is None or pump.done():
            self._pumps[stream] = asyncio.create_task(self._pump(stream))

    async def detach(self, stream: Stream) -> None:
        self.turns.leave(stream)
        pump = self._pumps.pop(stream, None)
        if pump is not None:
            await asyncio.gather(pump, return_exceptions=True)
        if stream.engine is not None:
            engine, stream.engine = stream.engine, None
            await asyncio.to_thread(self._registry.release, stream.engine_name, engine)

    async def close(self) -> None:
        await asyncio.gather(*self._pumps.values(), return_exceptions=True)
        self._pumps.clear()
        self.turns.close()

    async def _pump(self, stream: Stream) -> None:
        loop = asyncio.get_running_loop()
        while stream.slot is not None and stream.state is StreamState.RUNNING:
            async with self._workers.permits:
                frame = stream.take()
                if frame is None:
                    break
                try:
                    result = await loop.run_in_executor(
                        self._workers.executor, self._process, stream, frame
                    )
                except Exception as exc:
                    await report_failure(self._outlet, stream, exc)
                    continue
            await self._outlet.result(stream, result)

    def _process(self, stream: Stream, frame: Frame) -> PoseResult:
        """Worker thread: decode, infer on the stream's own instance, stages."""
        assert stream.engine is not None
        started = time.monotonic()
        rgb = self._work.decode(frame)
        decoded = time.monotonic()
        persons = stream.engine.process(rgb)
        inferred = time.monotonic()
        return self._work.finish(
            stream, frame, rgb, persons, started=started, decoded=decoded, inferred=inferred
        )
