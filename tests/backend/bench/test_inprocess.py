"""The in-process load: paced streams through the real stream manager and batch scheduler."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from posestudio.bench.inprocess import load_settings, markdown, run_load
from posestudio.engines import EngineRegistry
from posestudio.engines.base import BatchPoseEngine
from posestudio.protocol import Person
from tests.utils.frames import video_jpegs

BATCH = 3


class CountingBatchEngine(BatchPoseEngine[None]):
    """Finds nobody; records the size of every batch it is handed."""

    name = "counting-batch"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: list[int] = []

    def new_state(self) -> None:
        return None

    def infer_batch(self, items: Sequence[tuple[None, Any]]) -> list[list[Person]]:
        with self.lock:
            self.batches.append(len(items))
        return [[] for _ in items]

    def warm_up(self) -> None:
        pass


async def test_streams_at_their_rate_are_served_in_full_batches() -> None:
    engines: list[CountingBatchEngine] = []

    def build() -> CountingBatchEngine:
        engines.append(CountingBatchEngine())
        return engines[-1]

    registry = EngineRegistry({"counting-batch": (build, "test")}, max_idle=1)
    registry.load("counting-batch")
    # A batch waits for all three places (the wait is longer than the run), so every
    # batch the scheduler forms is full: the load went through the real BatchScheduler.
    settings = load_settings("counting-batch", workers=1, max_batch=BATCH, max_wait_ms=5000)
    row = await run_load(
        settings,
        registry,
        video_jpegs(320, 240)[:4],
        streams=2 * BATCH,
        fps=40.0,
        seconds=0.5,
        warmup=0.1,
    )
    registry.close()
    assert row.errors == 0
    assert row.submitted > 0 and row.poses > 0
    assert row.batches > 0 and row.batch_mean == BATCH
    assert engines[0].batches.count(BATCH) >= row.batches
    assert row.server_ms_p50 is not None and row.server_ms_p95 is not None
    assert row.server_ms_p50 <= row.server_ms_p95
    assert row.decode_ms_p50 is not None and row.decode_ms_p50 > 0
    assert row.cpu_ms_per_pose is not None and row.cpu_ms_per_pose > 0
    assert row.gpu_peak_mib is None
    assert f"| {2 * BATCH} | {row.poses_per_s:g} |" in markdown([row])
