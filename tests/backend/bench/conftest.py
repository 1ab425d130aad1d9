"""A fake engine, a tiny workload, and an in-process backend for the bench's tests."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import AsyncIterator

import numpy as np
import pytest
import uvicorn

from posestudio.app import create_app
from posestudio.bench.server import Target
from posestudio.bench.workload import Workload
from posestudio.engines import EngineRegistry, PoseEngine
from posestudio.imaging import encode_jpeg
from posestudio.protocol import NUM_LANDMARKS, Person
from posestudio.runtime import build_runtime
from posestudio.settings import Settings
from posestudio_core.auth import TokenAuthenticator

TOKEN = "bench-test-token-0123456789"


class FakeEngine(PoseEngine):
    """Answers at once with one fixed person; remembers which threads called it."""

    name = "fake"
    description = "test engine"
    instances: list[FakeEngine] = []  # noqa: RUF012 - a registry of instances for assertions

    def __init__(self) -> None:
        self.calls = 0
        self.threads: set[int] = set()
        FakeEngine.instances.append(self)

    def process(self, rgb: np.ndarray) -> list[Person]:
        self.calls += 1
        self.threads.add(threading.get_ident())
        points = np.full((NUM_LANDMARKS, 5), 0.5, dtype=np.float32)
        return [Person(score=0.9, landmarks=points, world=points)]

    def reset(self) -> None:
        pass

    def warm_up(self) -> None:
        """Nothing to warm; skipping it keeps `calls` to the frames a test sent."""


def fake_registry() -> EngineRegistry:
    # Room for every instance a test builds, so that released ones all stay idle.
    registry = EngineRegistry({"fake": (FakeEngine, "test engine")}, max_idle=8)
    registry.load("fake")
    return registry


@pytest.fixture
def workload() -> Workload:
    rng = np.random.default_rng(0)
    frames = tuple(
        encode_jpeg(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8), 70) for _ in range(4)
    )
    return Workload(frames=frames, size=(64, 48), quality=70, source="noise")


@pytest.fixture
async def backend(tmp_path: object) -> AsyncIterator[Target]:
    """The real app with the fake engine, served by uvicorn on this test's event loop.

    The listening socket is bound before serving, so clients can connect at once.
    """
    settings = Settings(
        engines=["fake"], default_engine="fake", workers=2, token=TOKEN, data_dir=str(tmp_path)
    )
    asgi = create_app(
        build_runtime(settings, authenticator=TokenAuthenticator(TOKEN), registry=fake_registry())
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(asgi, log_level="warning", ws="websockets-sansio"))

    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield Target(
            url=f"http://127.0.0.1:{port}",
            token=TOKEN,
            pid=os.getpid(),
            started_here=False,
            workers=2,
        )
    finally:
        server.should_exit = True
        await serving
        sock.close()
