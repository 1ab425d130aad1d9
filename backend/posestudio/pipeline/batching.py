"""The batching scheduler: one engine call infers many streams' frames.

Streams with a frame in their slot queue up in arrival order. A batch starts when
`max_batch` streams are waiting, or `max_wait` after the first of them began to wait,
whichever comes first; it then takes a worker permit and the newest frame of up to
`max_batch` streams, and runs decode → `infer_batch` → each stream's stages in one
worker thread. Each stream's tracking state (`BatchPoseEngine.new_state`) stays its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

import numpy as np

from posestudio.engines import EngineRegistry
from posestudio.engines.base import BatchPoseEngine
from posestudio.errors import PoseStudioError
from posestudio.metrics import Histogram
from posestudio.pipeline.frames import Frame
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.schedulers import Outlet, Workers, report_failure
from posestudio.pipeline.stream import Stream, StreamState
from posestudio.pipeline.work import FrameWork

Outcome = PoseResult | BaseException


class BatchScheduler:
    def __init__(
        self,
        engine_name: str,
        engine: BatchPoseEngine,
        registry: EngineRegistry,
        workers: Workers,
        work: FrameWork,
        outlet: Outlet,
        *,
        max_batch: int,
        max_wait: float,
        sizes: Histogram,
    ) -> None:
        self.engine_name = engine_name
        self.engine = engine
        self.max_batch = max(1, max_batch)
        self.max_wait = max(0.0, max_wait)
        self.sizes = sizes
        """Streams per batch (`pose_batch_size`)."""
        self._registry = registry
        self._workers = workers
        self._work = work
        self._outlet = outlet
        self._queue: deque[Stream] = deque()
        self._queued: set[Stream] = set()
        self._since = 0.0
        self._arrived = asyncio.Event()
        self._in_hand: set[Stream] = set()
        self._batch_done = asyncio.Event()
        self._batch_done.set()
        self._loop_task: asyncio.Task[None] | None = None

    async def attach(self, stream: Stream) -> None:
        stream.track = await asyncio.to_thread(self.engine.new_state)
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._run(), name=f"batch-{self.engine_name}")

    def ready(self, stream: Stream) -> None:
        if stream in self._queued:
            return  # already waiting; the slot holds its newest frame
        if not self._queue:
            self._since = time.monotonic()
        self._queue.append(stream)
        self._queued.add(stream)
        self._arrived.set()

    async def detach(self, stream: Stream) -> None:
        if stream in self._queued:
            self._queued.discard(stream)
            self._queue.remove(stream)
        while stream in self._in_hand:
            await self._batch_done.wait()
        if stream.track is not None:
            track, stream.track = stream.track, None
            await asyncio.to_thread(self.engine.release_state, track)

    async def close(self) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        await asyncio.to_thread(self._registry.release, self.engine_name, self.engine)

    async def _gather(self) -> None:
        """Wait until a batch is due: full, or the first waiter has waited `max_wait`."""
        while not self._queue:
            self._arrived.clear()
            await self._arrived.wait()
        while len(self._queue) < self.max_batch:
            remaining = self._since + self.max_wait - time.monotonic()
            if remaining <= 0:
                return
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    def _take(self) -> list[tuple[Stream, Frame]]:
        items: list[tuple[Stream, Frame]] = []
        while self._queue and len(items) < self.max_batch:
            stream = self._queue.popleft()
            self._queued.discard(stream)
            frame, stream.slot = stream.slot, None
            if frame is not None and stream.state is StreamState.RUNNING:
                items.append((stream, frame))
        if self._queue:
            self._since = time.monotonic()
        return items

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._gather()
            async with self._workers.permits:
                items = self._take()
                if not items:
                    continue
                self._in_hand = {stream for stream, _ in items}
                self._batch_done.clear()
                try:
                    outcomes = await loop.run_in_executor(
                        self._workers.executor, self._process, items
                    )
                except Exception as exc:  # infer_batch failed: every frame in it did
                    outcomes = [exc] * len(items)
                finally:
                    self._in_hand = set()
                    self._batch_done.set()
            self.sizes.observe(len(items))
            for (stream, _), outcome in zip(items, outcomes, strict=True):
                if isinstance(outcome, PoseResult):
                    await self._outlet.result(stream, outcome)
                else:
                    await report_failure(self._outlet, stream, outcome)

    def _process(self, items: list[tuple[Stream, Frame]]) -> list[Outcome]:
        """Worker thread: decode each frame, infer them all in one call, then each's stages."""
        outcomes: list[Outcome | None] = [None] * len(items)
        batch: list[tuple[int, np.ndarray, float, float]] = []
        for index, (_, frame) in enumerate(items):
            started = time.monotonic()
            try:
                rgb = self._work.decode(frame)
            except PoseStudioError as exc:  # one bad frame leaves the others in the batch
                outcomes[index] = exc
                continue
            batch.append((index, rgb, started, time.monotonic()))
        if batch:
            decoded = time.monotonic()
            found = self.engine.infer_batch([(items[i][0].track, rgb) for i, rgb, _, _ in batch])
            inferred = time.monotonic()
            for (index, rgb, started, done), persons in zip(batch, found, strict=True):
                stream, frame = items[index]
                # Each frame's own decode; the shared inference call counts for all.
                outcomes[index] = self._work.finish(
                    stream,
                    frame,
                    rgb,
                    persons,
                    started=started,
                    decoded=done,
                    inferred=done + (inferred - decoded),
                )
        return [o if o is not None else RuntimeError("frame not processed") for o in outcomes]
