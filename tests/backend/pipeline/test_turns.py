"""Credits at each stream's turn: at saturation only about one round trip's worth of
frames waits on the server, in turn order, instead of one frame of every stream; with a
batching engine, enough to fill the next batch (its size is the scheduler's `parallel`).

Real Socket.IO clients over real sockets; the engine is gated, so the test decides when
each frame is done and counts credits, frames and slots rather than timing anything."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest

from posestudio.client import PoseClient
from posestudio.engines import BatchPoseEngine, EngineRegistry, PoseEngine
from posestudio.pipeline.stream import Stream
from posestudio.pipeline.turns import Turns
from posestudio.protocol import Person
from posestudio.settings import Settings
from tests.utils.frames import video_jpegs
from tests.utils.server import LiveServer

STREAMS = 10
PAUSED = 8
BATCH = 3
BATCH_STREAMS = 12


class Gate:
    """Each frame an engine processes waits for one `release`."""

    def __init__(self) -> None:
        self.entered = 0
        self._permits = threading.Semaphore(0)
        self._lock = threading.Lock()
        self.open = False
        self.work_s = 0.0

    def pass_through(self) -> None:
        with self._lock:
            self.entered += 1
        if self.open:
            time.sleep(self.work_s)  # the engine's work, not synchronisation
        else:
            assert self._permits.acquire(timeout=30), "the test never released the frame"

    def release(self, count: int = 1) -> None:
        self._permits.release(count)


GATE = Gate()


class GatedEngine(PoseEngine):
    name = "gated"

    def process(self, rgb: np.ndarray) -> list[Person]:
        GATE.pass_through()
        return []

    def reset(self) -> None:
        pass

    def warm_up(self) -> None:
        pass


BATCHES: list[int] = []
"""Frames in each `infer_batch` call of the gated batching engine."""


class GatedBatchEngine(BatchPoseEngine[None]):
    """A batching engine: each batch waits for one `release`."""

    name = "gated-batch"

    def new_state(self) -> None:
        return None

    def infer_batch(self, items: Sequence[tuple[None, np.ndarray]]) -> list[list[Person]]:
        BATCHES.append(len(items))
        GATE.pass_through()
        return [[] for _ in items]

    def warm_up(self) -> None:
        pass


@pytest.fixture
def live() -> Iterator[LiveServer]:
    global GATE
    GATE = Gate()
    BATCHES.clear()
    registry = EngineRegistry(
        {
            "gated": (GatedEngine, "waits for the test"),
            "gated-batch": (GatedBatchEngine, "batches, each waiting for the test"),
        },
        max_idle=8,
    )
    settings = Settings(
        environment="test",
        engines=["gated", "gated-batch"],
        default_engine="gated",
        workers=1,
        batch_max_size=BATCH,
        # A batch waits this long to fill: the credits, not the timer, must fill it.
        batch_max_wait_ms=10_000,
    )
    server = LiveServer(settings, registry=registry).start()
    yield server
    GATE.open = True
    GATE.release(100)
    server.stop()


def server_streams(live: LiveServer) -> list[Stream]:
    assert live.runtime is not None
    return live.runtime.manager.all_streams()


def turns_of(live: LiveServer) -> Turns:
    assert live.runtime is not None and live.runtime.manager.schedulers is not None
    return live.runtime.manager.schedulers.pump.turns


def settled(live: LiveServer, entered: int) -> Callable[[], bool]:
    """The engine holds its `entered`-th frame (or batch), and every credit granted was
    used and its frame has arrived: nothing moves until the test releases a frame."""

    def check() -> bool:
        streams = server_streams(live)
        return GATE.entered == entered and sum(s.received for s in streams) == sum(
            s.granted for s in streams
        )

    return check


async def until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll a condition (state on the server thread) until it holds."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - the state lives on the server's thread
            await asyncio.sleep(0.005)
    assert condition(), what


async def keep_sending(client: PoseClient, name: str, jpeg: bytes) -> None:
    """A camera that always has a frame: one goes out whenever the stream holds a credit."""
    credits = client.credits[name]
    credits.stall_s = 600.0  # every credit must come from the server
    seq = 0
    while True:
        await credits.wait()
        assert await client.send(name, jpeg, seq=seq) is not None
        credits.spend()
        seq += 1


async def count_poses(client: PoseClient, poses: Counter[str]) -> None:
    while True:
        message = await client.queue.get()
        assert message.event == "pose", message.data
        poses[message.data["stream_id"]] += 1


async def test_at_saturation_credits_go_at_each_streams_turn(live: LiveServer) -> None:
    jpeg = video_jpegs(160, 120)[0]
    poses: Counter[str] = Counter()
    async with PoseClient(live.url, live.token) as client:
        names = [f"cam{i}" for i in range(STREAMS)]
        for name in names:
            ack = await client.start(name, credits=True)
            assert ack["granted"] == 1
        tasks = [asyncio.ensure_future(keep_sending(client, n, jpeg)) for n in names]
        tasks.append(asyncio.ensure_future(count_poses(client, poses)))
        try:
            # Each start granted one frame: one is in the worker, the rest in their slots.
            await until(settled(live, 1), "the first frames")
            assert sum(s.slot is not None for s in server_streams(live)) == STREAMS - 1
            turns = turns_of(live)
            waiting: list[int] = []
            targets: list[int] = []
            rounds = 4 * STREAMS
            for k in range(1, rounds + 1):
                GATE.release()
                await until(settled(live, k + 1), f"frame {k + 1} in the worker")
                await until(lambda k=k: sum(poses.values()) == k, f"pose {k}")  # type: ignore[misc]
                waiting.append(sum(s.slot is not None for s in server_streams(live)))
                targets.append(turns.granted_under)
            # The frames from the starts drain first; from then on only `target` frames
            # wait (granting at each take would keep one of every other stream waiting).
            # The target follows the round trip measured against the worker's time, so
            # each count is held to the target its last grant saw.
            # (On a quiet machine it is 2: one worker, a round trip shorter than a frame.)
            assert all(w <= t for w, t in zip(waiting[STREAMS:], targets[STREAMS:], strict=True)), (
                waiting,
                targets,
            )
            assert max(targets[STREAMS:]) < STREAMS - 1, (waiting, targets)
            # Turns go round: every stream got its share, none was dropped.
            assert min(poses.values()) >= rounds // STREAMS - 1, poses
            assert all(s.dropped == 0 for s in server_streams(live))
            assert all(client.credits[n].stalls == 0 for n in names)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task


async def test_unused_grants_hold_no_other_stream_back(live: LiveServer) -> None:
    """Paused cameras hold a credit each, more than the target: once their grants go
    stale the stream that does send still gets its turns."""
    GATE.open = True
    GATE.work_s = 0.1  # each frame takes a worker 100 ms: the target stays small
    jpeg = video_jpegs(160, 120)[1]
    poses: Counter[str] = Counter()
    async with PoseClient(live.url, live.token) as client:
        for i in range(PAUSED):
            await client.start(f"paused{i}", credits=True)  # never sends
        await client.start("live", credits=True)
        tasks = [
            asyncio.ensure_future(keep_sending(client, "live", jpeg)),
            asyncio.ensure_future(count_poses(client, poses)),
        ]
        try:
            await until(lambda: poses["live"] >= 5, "five poses of the live stream")
            assert turns_of(live).target < PAUSED
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task


async def test_with_a_batching_engine_the_turns_keep_the_next_batch_full(
    live: LiveServer,
) -> None:
    """The batch scheduler's turns count a batch as its `parallel`: at saturation a full
    batch waits in the slots (every batch after the first is full, never one the timer
    sent part-filled), and no more than the target, not a frame of every stream."""
    jpeg = video_jpegs(160, 120)[2]
    poses: Counter[str] = Counter()
    # Two connections: more streams than one connection may start.
    async with (
        PoseClient(live.url, live.token) as one,
        PoseClient(live.url, live.token) as other,
    ):
        clients = {f"batch{i}": (one, other)[i % 2] for i in range(BATCH_STREAMS)}
        tasks = [asyncio.ensure_future(count_poses(c, poses)) for c in (one, other)]
        try:
            for name, client in clients.items():
                ack = await client.start(name, engine="gated-batch", credits=True)
                assert ack["engine"] == "gated-batch" and ack["granted"] == 1
                # Sending from its start, as a camera does: the first grant's round trip
                # is one round trip, not the time all the other streams took to start.
                tasks.append(asyncio.ensure_future(keep_sending(client, name, jpeg)))

            await until(settled(live, 1), "the first batch")
            turns = server_streams(live)[0].turns
            assert turns is not None and turns.parallel == BATCH
            waiting: list[int] = []
            targets: list[int] = []
            rounds = 4 * BATCH_STREAMS // BATCH
            for k in range(1, rounds + 1):
                GATE.release()
                await until(settled(live, k + 1), f"batch {k + 1} in the engine")
                await until(
                    lambda k=k: sum(poses.values()) == k * BATCH,  # type: ignore[misc]
                    f"the poses of batch {k}",
                )
                waiting.append(sum(s.slot is not None for s in server_streams(live)))
                # The target moves with the measured round trip (more so on a loaded
                # machine); what binds the waiting frames is the one the last grant saw.
                targets.append(turns.granted_under)
            # The frames from the starts drain first (a batch at a time); from then on a
            # full batch is ready at every release, and no more than the target waits.
            drained = BATCH_STREAMS // BATCH
            assert min(waiting[drained:]) >= BATCH, (waiting, targets)
            assert all(w <= t for w, t in zip(waiting[drained:], targets[drained:], strict=True)), (
                waiting,
                targets,
            )
            assert max(waiting[drained:]) < BATCH_STREAMS - BATCH, (waiting, targets)
            assert BATCHES[1 : rounds + 1] == [BATCH] * rounds, BATCHES
            assert min(poses.values()) >= rounds * BATCH // BATCH_STREAMS - 1, poses
            assert all(s.dropped == 0 for s in server_streams(live))
            assert all(c.credits[n].stalls == 0 for n, c in clients.items())
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
