"""Shared fixtures: a live backend with default settings, and real video frames."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from posestudio.client import PoseClient
from posestudio.settings import Settings
from tests.utils.server import LiveServer


@pytest.fixture(scope="session")
def server() -> Iterator[LiveServer]:
    # Tests send frame after frame as fast as poses come back, faster than a camera:
    # the rate limit is tested on its own server. Many tests check that a wrong token is
    # refused, all from 127.0.0.1: the auth throttle is tested on its own servers too.
    live = LiveServer(
        Settings(environment="test", max_fps=240, auth_failures_per_minute=100_000)
    ).start()
    yield live
    live.stop()


@pytest.fixture
async def client(server: LiveServer) -> AsyncIterator[PoseClient]:
    async with PoseClient(server.url, server.token) as pose_client:
        yield pose_client
