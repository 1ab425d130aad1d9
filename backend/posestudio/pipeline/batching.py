"""The batching scheduler: one engine call infers many streams' frames.

Streams with a frame in their slot queue up in arrival order. A batch starts when
`max_batch` streams are waiting, or `max_wait` after the first of them began to wait,
whichever comes first; it then takes a worker permit and the newest frame of up to
`max_batch` streams, and runs decode → `infer_batch` → each stream's stages in one
worker thread. Each stream's tracking state (`BatchPoseEngine.new_state`) stays its own.

Up to `in_flight` batches run at once (the engine's `batches_in_flight`, at most one per
worker), never two holding the same stream: a stream whose frame is in a batch waits in
the queue, and goes into the next batch formed after its own has finished, so each
stream's frames are served one at a time and in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

import numpy as np

from posestudio.engines import EngineRegistry
from posestudio.engines.base import BatchPoseEngine
from posestudio.errors import PoseStudioError
from posestudio.metrics import Histogram
from posestudio.pipeline.frames import Frame
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.schedulers import Outlet, Workers, report_failure
from posestudio.pipeline.stream import Stream, StreamState
from posestudio.pipeline.turns import Turns
from posestudio.pipeline.work import FrameWork
from posestudio_core.waits import wait_event

Outcome = PoseResult | BaseException

log = logging.getLogger(__name__)


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
        self.max_batch = max(1, min(max_batch, engine.max_batch or max_batch))
        self.max_wait = max(0.0, max_wait)
        self.sizes = sizes
        """Streams per batch (`pose_batch_size`)."""
        self.in_flight = max(1, min(engine.batches_in_flight, workers.count))
        """Batches that may run at once."""
        self._registry = registry
        self._workers = workers
        self._work = work
        self._outlet = outlet
        self._queue: deque[Stream] = deque()
        self._queued: set[Stream] = set()
        self._since = 0.0
        self._arrived = asyncio.Event()
        self._in_hand: set[Stream] = set()
        """Streams whose frame is in a running batch."""
        self._freed = asyncio.Event()
        """Set whenever a batch finishes."""
        self._slots = asyncio.Semaphore(self.in_flight)
        self._batches: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        # `in_flight` batches at a time, of up to `max_batch` frames: credits at each
        # stream's turn.
        self.turns = Turns(self.max_batch * self.in_flight)
        self.device_decode_faults = 0
        """Frames the device decoder refused and the CPU decoded (a device fault, not the
        frame's)."""

    async def attach(self, stream: Stream) -> None:
        stream.track = await asyncio.to_thread(self.engine.new_state)
        self.turns.adopt(stream)
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
        self.turns.leave(stream)
        if stream in self._queued:
            self._queued.discard(stream)
            self._queue.remove(stream)
        while stream in self._in_hand:
            self._freed.clear()
            await self._freed.wait()
        if stream.track is not None:
            track, stream.track = stream.track, None
            await asyncio.to_thread(self.engine.release_state, track)

    async def close(self) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        # A running batch's thread cannot be stopped: the engine goes back after it, and
        # the credits close after its results (which would arm their timers again).
        await asyncio.gather(*self._batches, return_exceptions=True)
        self.turns.close()
        await asyncio.to_thread(self._registry.release, self.engine_name, self.engine)

    def _ready_count(self) -> int:
        """Queued streams that a batch could take now (not in a running batch)."""
        return len(self._queue) - len(self._queued & self._in_hand)

    async def _gather(self) -> None:
        """Wait until a batch is due: full, or the first waiter has waited `max_wait`.
        `_arrived` is set when a stream joins the queue and when a batch lets its
        streams go, so a stream queued while in hand is ready at once when it may be."""
        while self._ready_count() == 0:
            self._arrived.clear()
            await self._arrived.wait()
        while self._ready_count() < self.max_batch:
            remaining = self._since + self.max_wait - time.monotonic()
            if remaining <= 0:
                return
            self._arrived.clear()
            await wait_event(self._arrived, remaining)

    def _take(self) -> list[tuple[Stream, Frame]]:
        """Up to `max_batch` queued streams' frames, in queue order; a stream in a running
        batch keeps its place for the next."""
        items: list[tuple[Stream, Frame]] = []
        kept: list[Stream] = []
        while self._queue and len(items) < self.max_batch:
            stream = self._queue.popleft()
            if stream in self._in_hand:
                kept.append(stream)
                continue
            self._queued.discard(stream)
            frame = stream.take()
            if frame is not None and stream.state is StreamState.RUNNING:
                items.append((stream, frame))
        self._queue.extendleft(reversed(kept))
        if self._queue:
            self._since = time.monotonic()
        return items

    async def _run(self) -> None:
        while True:
            await self._gather()
            await self._slots.acquire()
            try:
                await self._workers.permits.acquire()
            except BaseException:  # cancelled (closing): the slot is not kept
                self._slots.release()
                raise
            items = self._take()
            if not items:  # the streams it found had closed
                self._workers.permits.release()
                self._slots.release()
                continue
            self._in_hand.update(stream for stream, _ in items)
            task = asyncio.create_task(self._batch(items), name=f"batch-{self.engine_name}")
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _batch(self, items: list[tuple[Stream, Frame]]) -> None:
        """One batch in a worker, then its results published, each stream let go (free
        for another batch, and for `detach`) only once its result is out, so a stream's
        results leave in order. The slot is free once all are, so with one batch in
        flight the next is formed after the grants that these results release (the
        credits' timing relies on it)."""
        loop = asyncio.get_running_loop()
        held = {stream for stream, _ in items}
        try:
            try:
                outcomes = await loop.run_in_executor(self._workers.executor, self._process, items)
            except Exception as exc:  # infer_batch failed: every frame in it did
                outcomes = [exc] * len(items)
            finally:
                self._workers.permits.release()
            self.sizes.observe(len(items))
            for (stream, _), outcome in zip(items, outcomes, strict=True):
                try:
                    if isinstance(outcome, PoseResult):
                        await self._outlet.result(stream, outcome)
                    else:
                        await report_failure(self._outlet, stream, outcome)
                except Exception:  # one stream's failure to publish leaves the others'
                    log.exception("publishing a result of stream %s failed", stream.id)
                finally:
                    self._let_go({stream})
                    held.discard(stream)
        finally:
            self._let_go(held)  # cancelled: none stays in hand
            self._slots.release()

    def _let_go(self, streams: set[Stream]) -> None:
        self._in_hand.difference_update(streams)
        self._freed.set()
        self._arrived.set()  # those queued meanwhile are ready now

    def _process(self, items: list[tuple[Stream, Frame]]) -> list[Outcome]:
        """Worker thread: decode each frame, infer them all in one call, then each's stages.

        With an engine that decodes on its device, the JPEG frames of streams whose stages
        need no CPU pixels are decoded there in one call; the rest on the CPU."""
        outcomes: list[Outcome | None] = [None] * len(items)
        batch: list[tuple[int, Any, float, float]] = []
        on_device = (
            [
                i
                for i, (stream, frame) in enumerate(items)
                if frame.jpeg is not None and not any(s.needs_pixels for s in stream.stages)
            ]
            if self.engine.decodes_on_device
            else []
        )
        if on_device:
            batch.extend(self._decode_on_device(items, on_device, outcomes))
        skip = set(on_device)
        for index, (_, frame) in enumerate(items):
            if index in skip:
                continue
            started = time.monotonic()
            try:
                rgb = self._work.decode(frame)
            except PoseStudioError as exc:  # one bad frame leaves the others in the batch
                outcomes[index] = exc
                continue
            batch.append((index, rgb, started, time.monotonic()))
        if batch:
            decoded = time.monotonic()
            found = self.engine.infer_batch(
                [(items[i][0].track, image) for i, image, _, _ in batch]
            )
            inferred = time.monotonic()
            for (index, image, started, done), persons in zip(batch, found, strict=True):
                stream, frame = items[index]
                # Each frame's own decode; the shared inference call counts for all.
                outcomes[index] = self._work.finish(
                    stream,
                    frame,
                    image if isinstance(image, np.ndarray) else None,
                    persons,
                    size=(int(image.shape[1]), int(image.shape[0])),
                    started=started,
                    decoded=done,
                    inferred=done + (inferred - decoded),
                )
        return [o if o is not None else RuntimeError("frame not processed") for o in outcomes]

    def _decode_on_device(
        self,
        items: list[tuple[Stream, Frame]],
        indices: list[int],
        outcomes: list[Outcome | None],
    ) -> list[tuple[int, Any, float, float]]:
        """One device decode of the JPEGs at `indices` (sizes checked from the headers
        first); a batch that fails is decoded frame by frame, so one corrupt frame is
        refused alone. A frame the device will not decode goes to the CPU decoder: a
        corrupt JPEG is refused there (`BAD_FRAME`), and a device fault (out of memory,
        a driver error) costs speed, not the frame. Refusals go into `outcomes`."""
        started = time.monotonic()
        checked: list[int] = []
        for index in indices:
            try:
                self._work.check_jpeg(items[index][1])
            except PoseStudioError as exc:
                outcomes[index] = exc
            else:
                checked.append(index)
        jpegs = [items[i][1].jpeg or b"" for i in checked]
        try:
            images = self.engine.decode_jpegs(jpegs) if jpegs else []
        except Exception:
            images = []
            for index, jpeg in zip(checked, jpegs, strict=True):
                try:
                    (image,) = self.engine.decode_jpegs([jpeg])
                except Exception as exc:  # the device decoder's own error type
                    image = self._decode_on_cpu(items[index][1], exc, outcomes, index)
                images.append(image)
        done = time.monotonic()
        return [
            (index, image, started, done)
            for index, image in zip(checked, images, strict=True)
            if image is not None
        ]

    def _decode_on_cpu(
        self, frame: Frame, device_error: Exception, outcomes: list[Outcome | None], index: int
    ) -> np.ndarray | None:
        """The CPU decode of a frame the device refused; its refusal, if the CPU refuses it
        too, goes into `outcomes`."""
        try:
            rgb = self._work.decode(frame)
        except PoseStudioError as exc:
            outcomes[index] = exc
            return None
        self.device_decode_faults += 1
        log.warning("device JPEG decode failed on a frame the CPU decodes: %s", device_error)
        return rgb
