"""The stream manager in a runtime of its own: starts racing a closing connection, the
stream limit, and summaries read while the loop appends."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from posestudio.engines import EngineRegistry, PoseEngine
from posestudio.errors import PoseStudioError, TooManyStreams
from posestudio.history import PoseHistory
from posestudio.pipeline import Stream
from posestudio.pipeline.ratelimit import TokenBucket
from posestudio.pipeline.sinks import SinkSet
from posestudio.protocol import StartRequest
from posestudio.runtime import Runtime, build_runtime
from posestudio.settings import Settings
from posestudio_core.auth import Principal, TokenAuthenticator

OWNER = Principal(subject="owner")


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


async def _no_emit(event: str, payload: dict[str, Any]) -> None:
    pass


@pytest.fixture
def factory() -> GatedFactory:
    return GatedFactory()


@pytest.fixture
async def runtime(factory: GatedFactory, request: pytest.FixtureRequest) -> AsyncIterator[Runtime]:
    settings: dict[str, Any] = getattr(request, "param", {})
    registry = EngineRegistry({"counting": (factory, "test engine")})
    s = Settings(
        environment="test", engines=["counting"], default_engine="counting", workers=1, **settings
    )
    built = build_runtime(s, authenticator=TokenAuthenticator("t" * 24), registry=registry)
    await built.start()
    assert built.loading is not None
    await built.loading
    yield built
    await built.stop()


async def test_a_start_that_ends_after_its_connection_closed_frees_its_engine(
    runtime: Runtime, factory: GatedFactory
) -> None:
    manager = runtime.manager
    manager.open_connection("sid1")
    await manager.start(OWNER, "sid1", StartRequest(stream_id="a"), _no_emit)  # the warm one
    factory.building.clear()
    factory.gate()
    starting = asyncio.create_task(
        manager.start(OWNER, "sid1", StartRequest(stream_id="b"), _no_emit)
    )
    assert await asyncio.to_thread(factory.building.wait, 10)  # b is building its engine
    resets_before = CountingEngine.resets
    await manager.stop_connection("sid1")  # the client went away meanwhile
    assert CountingEngine.resets == resets_before + 1  # a's engine
    factory.open()
    with pytest.raises(PoseStudioError):
        await starting
    assert manager.all_streams() == []
    assert CountingEngine.resets == resets_before + 2  # b's engine came back too


@pytest.mark.parametrize("runtime", [{"max_streams_per_connection": 2}], indirect=True)
async def test_concurrent_starts_cannot_exceed_the_stream_limit(
    runtime: Runtime, factory: GatedFactory
) -> None:
    manager = runtime.manager
    manager.open_connection("sid1")
    factory.gate()
    starts = [
        manager.start(OWNER, "sid1", StartRequest(stream_id=f"s{i}"), _no_emit) for i in range(5)
    ]
    pending = asyncio.gather(*starts, return_exceptions=True)
    await asyncio.to_thread(factory.building.wait, 10)
    factory.open()
    results = await pending
    refused = [r for r in results if isinstance(r, TooManyStreams)]
    assert len(manager.streams_of("sid1")) == 2
    assert len(refused) == 3


def test_summary_reads_recent_frames_while_the_loop_appends_to_them() -> None:
    """/api/streams runs on a threadpool thread while the event loop appends to
    `recent`: iterating the live deque there raised "deque mutated during iteration"."""
    stream = Stream(
        id="st_0123456789ab",
        name="a",
        owner=OWNER,
        connection="sid1",
        engine_name="counting",
        options=StartRequest(stream_id="a"),
        channel=_no_emit,
        bucket=TokenBucket(rate=1.0, capacity=1.0),
        history=PoseHistory(1.0, 1),
        sinks=SinkSet(),
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
