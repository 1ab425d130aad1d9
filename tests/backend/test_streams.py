"""StreamManager on its own: starts racing a closing connection, and the stream limit."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from posestudio.engines import EngineRegistry, PoseEngine
from posestudio.errors import PoseStudioError, TooManyStreams
from posestudio.history import PoseHistory
from posestudio.metrics import ServerStats
from posestudio.protocol import StartRequest
from posestudio.settings import Settings
from posestudio.streams import Stream, StreamManager, TokenBucket


class CountingEngine(PoseEngine):
    """Finds nobody; counts how often it is handed back (release resets it)."""

    name = "counting"
    resets = 0

    def process(self, rgb: object) -> list:  # type: ignore[override]
        return []

    def warm_up(self) -> None:
        pass

    def reset(self) -> None:
        CountingEngine.resets += 1


class GatedFactory:
    """Builds engines; once `gate()` is called, each build waits until `open()`."""

    def __init__(self) -> None:
        self.building = threading.Event()
        self._proceed = threading.Event()
        self._proceed.set()

    def gate(self) -> None:
        self._proceed.clear()

    def open(self) -> None:
        self._proceed.set()

    def __call__(self) -> PoseEngine:
        self.building.set()
        assert self._proceed.wait(10)
        return CountingEngine()


async def _no_emit(sid: str, event: str, payload: dict[str, Any]) -> None:
    pass


def _manager(factory: GatedFactory, **settings: Any) -> tuple[StreamManager, EngineRegistry]:
    registry = EngineRegistry({"counting": (factory, "test engine")})
    registry.load("counting")
    s = Settings(environment="test", engines=["counting"], default_engine="counting", **settings)
    executor = ThreadPoolExecutor(max_workers=1)
    return StreamManager(s, registry, ServerStats(), executor, _no_emit), registry


async def test_a_start_that_ends_after_its_connection_closed_frees_its_engine() -> None:
    factory = GatedFactory()
    manager, registry = _manager(factory)
    manager.open_connection("sid1")
    await manager.start("sid1", StartRequest(stream_id="a"))  # takes the warm instance
    factory.building.clear()
    factory.gate()
    starting = asyncio.create_task(manager.start("sid1", StartRequest(stream_id="b")))
    assert await asyncio.to_thread(factory.building.wait, 10)  # b is building its engine
    resets_before = CountingEngine.resets
    await manager.stop_connection("sid1")  # the client went away meanwhile
    assert CountingEngine.resets == resets_before + 1  # a's engine
    factory.open()
    with pytest.raises(PoseStudioError):
        await starting
    assert manager.all_streams() == []
    assert CountingEngine.resets == resets_before + 2  # b's engine came back too
    registry.close()


async def test_concurrent_starts_cannot_exceed_the_stream_limit() -> None:
    factory = GatedFactory()
    manager, registry = _manager(factory, max_streams_per_connection=2)
    manager.open_connection("sid1")
    factory.gate()
    starts = [manager.start("sid1", StartRequest(stream_id=f"s{i}")) for i in range(5)]
    pending = asyncio.gather(*starts, return_exceptions=True)
    await asyncio.to_thread(factory.building.wait, 10)
    factory.open()
    results = await pending
    refused = [r for r in results if isinstance(r, TooManyStreams)]
    assert len(manager.streams_of("sid1")) == 2
    assert len(refused) == 3
    await manager.close()
    registry.close()


def test_summary_reads_recent_frames_while_the_loop_appends_to_them() -> None:
    """/api/streams runs on a threadpool thread while the event loop appends to
    `recent`: iterating the live deque there raised "deque mutated during iteration"."""
    stream = Stream(
        sid="sid1",
        stream_id="a",
        engine_name="counting",
        engine=CountingEngine(),
        smoother=None,
        history=PoseHistory(1.0, 1),
        bucket=TokenBucket(rate=1.0, capacity=1.0),
    )
    stop = threading.Event()

    def append() -> None:
        while not stop.is_set():
            stream.recent.append((time.monotonic(), 0.01))

    appender = threading.Thread(target=append)
    appender.start()
    try:
        for _ in range(20_000):
            stream.summary(time.monotonic())
    finally:
        stop.set()
        appender.join()
