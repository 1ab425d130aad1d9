"""The runtime: ordered steps undone in reverse, no engine left open by a load still running
at shutdown, and a frame handed over already decoded (the WebRTC path)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import numpy as np
import pytest

from posestudio.engines import EngineRegistry, PoseEngine
from posestudio.pipeline import Frame, FrameMeta
from posestudio.protocol import NUM_LANDMARKS, Person, StartRequest
from posestudio.runtime import build_runtime
from posestudio.settings import Settings
from posestudio_core.auth import Principal, TokenAuthenticator

OWNER = Principal(subject="user:owner", role="operator")


class TrackedEngine(PoseEngine):
    """Finds one fixed person; records the image sizes it saw and whether it was closed."""

    name = "tracked"

    def __init__(self, gate: threading.Event | None = None) -> None:
        if gate is not None:
            assert gate.wait(30)
        self.closed = False
        self.seen: list[tuple[int, ...]] = []

    def process(self, rgb: np.ndarray) -> list[Person]:
        self.seen.append(rgb.shape)
        points = np.full((NUM_LANDMARKS, 5), 0.5, dtype=np.float32)
        return [Person(score=0.9, landmarks=points, world=points)]

    def reset(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def _settings() -> Settings:
    return Settings(environment="test", engines=["tracked"], default_engine="tracked", workers=1)


async def test_an_engine_loading_at_shutdown_is_closed() -> None:
    gate = threading.Event()
    built: list[TrackedEngine] = []

    def factory() -> PoseEngine:
        engine = TrackedEngine(gate)
        built.append(engine)
        return engine

    registry = EngineRegistry({"tracked": (factory, "test engine")})
    runtime = build_runtime(
        _settings(), authenticator=TokenAuthenticator("t" * 24), registry=registry
    )
    await runtime.start()
    stopping = asyncio.create_task(runtime.stop())
    # The stop cannot end while the load still waits in its thread: it waits for it.
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(asyncio.shield(stopping), 0.5)
    gate.set()
    await stopping
    (engine,) = built
    assert engine.closed


async def test_steps_start_in_order_and_stop_in_reverse() -> None:
    registry = EngineRegistry({"tracked": (TrackedEngine, "test engine")})
    runtime = build_runtime(
        _settings(), authenticator=TokenAuthenticator("t" * 24), registry=registry
    )
    assert [step.name for step in runtime.steps] == [
        "engines",
        "workers",
        "schedulers",
        "sinks",
        "transports",
    ]
    await runtime.start()
    assert runtime.executor is not None and runtime.schedulers is not None
    await runtime.stop()
    assert runtime.executor is None
    assert runtime.draining


async def test_a_decoded_frame_goes_through_the_pipeline() -> None:
    registry = EngineRegistry({"tracked": (TrackedEngine, "test engine")})
    runtime = build_runtime(
        _settings(), authenticator=TokenAuthenticator("t" * 24), registry=registry
    )
    await runtime.start()
    assert runtime.loading is not None
    await runtime.loading
    received: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()

    async def channel(event: str, payload: dict[str, Any]) -> None:
        received.put_nowait((event, payload))

    try:
        manager = runtime.manager
        manager.open_connection("peer-1")
        stream = await manager.start(OWNER, "peer-1", StartRequest(stream_id="rtc"), channel)
        rgb = np.zeros((48, 64, 3), dtype=np.uint8)
        manager.submit(
            stream, Frame(meta=FrameMeta(seq=7, capture_ts=1.5), received=time.monotonic(), rgb=rgb)
        )
        event, pose = await asyncio.wait_for(received.get(), 10)
        assert event == "pose"
        assert (pose["seq"], pose["capture_ts"], pose["image"]) == (
            7,
            1.5,
            {"width": 64, "height": 48},
        )
        assert pose["timing"]["decode_ms"] >= 0 and len(pose["persons"]) == 1
        assert stream.engine is not None and stream.engine.seen[-1] == (48, 64, 3)  # type: ignore[attr-defined]
    finally:
        await runtime.stop()
