"""The batch scheduler with batches in flight at once: each in a worker of its own, never
two batches holding the same stream, and a stream ready beside a running batch served at
once. Real stream manager and scheduler, real JPEGs (paced streams from
`posestudio.bench.inprocess`, or frames submitted one by one)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from posestudio.bench.inprocess import LoadRow, load_settings, run_load
from posestudio.engines import EngineRegistry
from posestudio.engines.base import BatchPoseEngine
from posestudio.metrics import ServerStats
from posestudio.pipeline import StreamManager
from posestudio.pipeline.frames import Frame, FrameMeta
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.schedulers import Workers
from posestudio.pipeline.scheduling import Schedulers
from posestudio.pipeline.stream import Stream
from posestudio.protocol import Person, StartRequest
from posestudio_core.auth import Principal
from tests.utils.frames import video_jpegs

SERVICE_S = 0.025
FPS = 60.0


class State:
    """One stream's tracking state."""


class OverlapEngine(BatchPoseEngine[State]):
    """Counts the batches running at once, and the streams found in two at once. With two
    in flight, its first call waits (up to 10 s) for a second to be running beside it."""

    name = "overlap"

    def __init__(self, in_flight: int) -> None:
        self.batches_in_flight = in_flight
        self.lock = threading.Lock()
        self.running: set[State] = set()
        self.active = 0
        self.most_active = 0
        self.calls = 0
        self.overlaps = 0
        self.second = threading.Event()
        """Set when a call starts while the first is still running."""

    def new_state(self) -> State:
        return State()

    def infer_batch(self, items: Sequence[tuple[State, Any]]) -> list[list[Person]]:
        states = {state for state, _ in items}
        with self.lock:
            self.overlaps += len(states & self.running)
            self.running |= states
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self.calls += 1
            first = self.calls == 1
            if self.active > 1:
                self.second.set()
        try:
            if first and self.batches_in_flight > 1 and not self.second.wait(10):
                raise RuntimeError("no second batch ran beside the first")
            # A service time longer than a frame interval: frames come for streams whose
            # batch is still running, and wait for it.
            time.sleep(SERVICE_S)
        finally:
            with self.lock:
                self.running -= states
                self.active -= 1
        return [[] for _ in items]

    def warm_up(self) -> None:
        pass


async def serve(
    engine: OverlapEngine, *, workers: int, max_batch: int, max_wait_ms: float
) -> LoadRow:
    """Five streams at `FPS` for half a second through the real scheduler and `engine`."""
    registry = EngineRegistry({"overlap": (lambda: engine, "test")}, max_idle=1)
    registry.load("overlap")
    settings = load_settings(
        "overlap", workers=workers, max_batch=max_batch, max_wait_ms=max_wait_ms
    )
    try:
        return await run_load(
            settings,
            registry,
            video_jpegs(320, 240)[:4],
            streams=5,
            fps=FPS,
            seconds=0.5,
            warmup=0.1,
        )
    finally:
        registry.close()


@pytest.mark.parametrize("in_flight", [1, 2])
async def test_batches_run_at_once_and_never_share_a_stream(in_flight: int) -> None:
    engine = OverlapEngine(in_flight)
    row = await serve(engine, workers=2, max_batch=2, max_wait_ms=1000)
    assert row.errors == 0 and row.poses > 0
    assert engine.overlaps == 0
    assert engine.most_active == in_flight


async def test_the_engines_own_cap_bounds_a_batch_below_the_setting() -> None:
    engine = OverlapEngine(1)
    engine.max_batch = 2
    # The setting allows 8 and the wait outlasts the run: only the engine's cap of 2
    # makes a batch due.
    row = await serve(engine, workers=1, max_batch=8, max_wait_ms=5000)
    assert row.errors == 0 and row.batches > 0
    assert row.batch_mean == 2


class GateEngine(BatchPoseEngine[State]):
    """Two batches in flight; its first call holds its worker until `release`."""

    name = "gate"
    batches_in_flight = 2

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls = 0
        self.first_in = threading.Event()
        self.release = threading.Event()

    def new_state(self) -> State:
        return State()

    def infer_batch(self, items: Sequence[tuple[State, Any]]) -> list[list[Person]]:
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            self.first_in.set()
            if not self.release.wait(10):
                raise RuntimeError("the first batch was never released")
        return [[] for _ in items]

    def warm_up(self) -> None:
        pass


class QueueSink:
    name = "results"
    lossless = False
    inline = True

    def __init__(self, out: asyncio.Queue[tuple[str, int]]) -> None:
        self.out = out

    async def deliver(self, result: PoseResult) -> None:
        self.out.put_nowait((result.stream.name, result.meta.seq))

    async def close(self) -> None:
        pass


async def _no_event(event: str, payload: dict[str, Any]) -> None:
    pass


async def test_a_stream_ready_beside_a_running_batch_goes_at_once() -> None:
    """`a` is in a batch that holds its worker, with its next frame queued; `b`'s frame
    then goes on the second worker at once, and `a`'s two results follow in order."""
    engine = GateEngine()
    registry = EngineRegistry({"gate": (lambda: engine, "test")}, max_idle=1)
    registry.load("gate")
    settings = load_settings("gate", workers=2, max_batch=2, max_wait_ms=2)
    stats = ServerStats()
    manager = StreamManager(settings, registry, stats)
    results: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
    manager.add_sink_factory(lambda stream: QueueSink(results))
    executor = ThreadPoolExecutor(max_workers=2)
    schedulers = Schedulers(settings, registry, Workers(executor, 2), stats, manager)
    manager.use(schedulers)
    manager.open_connection("c")
    owner = Principal(subject="test")
    a, b = [
        await manager.start(owner, "c", StartRequest(stream_id=n, engine="gate"), _no_event)
        for n in ("a", "b")
    ]
    jpeg = video_jpegs(320, 240)[0]

    def send(stream: Stream, seq: int) -> None:
        meta = FrameMeta(seq=seq, capture_ts=0.0)
        manager.submit(stream, Frame(meta=meta, received=time.monotonic(), jpeg=jpeg))

    try:
        send(a, 0)
        assert await asyncio.to_thread(engine.first_in.wait, 10)
        send(a, 1)  # queued while its own batch runs: not ready
        # Long past the batch wait, so a scheduler that gave up on the queue then (and
        # waited for the running batch) would be waiting now.
        await asyncio.sleep(20 * settings.batch_max_wait_ms / 1000)
        send(b, 0)
        assert await asyncio.wait_for(results.get(), 10) == ("b", 0)
        assert not engine.release.is_set()
        engine.release.set()
        got = [await asyncio.wait_for(results.get(), 10) for _ in range(2)]
        assert got == [("a", 0), ("a", 1)]
    finally:
        engine.release.set()
        await manager.stop_connection("c")
        await schedulers.close()
        executor.shutdown(wait=True)
        registry.close()
