"""Shared fixtures: a live backend with default settings, and real video frames; and the
check, when the session ends, that no server log line of the run holds a test token."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from posestudio.client import PoseClient
from posestudio.settings import Settings
from tests.utils import serverlogs
from tests.utils.server import LiveServer

LEAKS = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    serverlogs.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every log line the run's servers wrote (tests/utils/serverlogs.py), grepped for
    every test token: one found fails the run, whatever the tests said."""
    leaks = list(serverlogs.leaks())
    session.config.stash[LEAKS] = leaks
    serverlogs.finish(keep=bool(leaks))
    if leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    leaks = config.stash.get(LEAKS, [])
    if leaks:
        terminalreporter.section("a test token in the server logs", red=True)
        for leak in leaks:
            terminalreporter.line(leak)


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
