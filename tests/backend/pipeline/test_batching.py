"""The batch scheduler with batches in flight at once: each in a worker of its own, and
never two batches holding the same stream. Real stream manager, paced streams of real
JPEGs (`posestudio.bench.inprocess`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

from posestudio.bench.inprocess import LoadRow, load_settings, run_load
from posestudio.engines import EngineRegistry
from posestudio.engines.base import BatchPoseEngine
from posestudio.protocol import Person
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
