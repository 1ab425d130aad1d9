"""Fixtures for the agent tests: a Redis DB emptied around each test, settings, servers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from posestudio_agent.settings import AgentSettings

TOKEN = "agent-test-token-0123456789"
# The agent tests own this Redis DB and empty it around each test.
REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture(autouse=True)
def no_agent_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from each test, not from a developer's POSE_STUDIO_AGENT_* variables."""
    for name in [n for n in os.environ if n.startswith("POSE_STUDIO_AGENT_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def redis_url() -> Iterator[str]:
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()
    connection.close()


@pytest.fixture
def make_settings(tmp_path: Any) -> Callable[..., AgentSettings]:
    """AgentSettings for a test: nothing from the environment or a .env file."""

    def make(**overrides: Any) -> AgentSettings:
        values: dict[str, Any] = {
            "environment": "test",
            "token": TOKEN,
            "data_dir": tmp_path,
            "request_timeout_s": 20.0,
            **overrides,
        }
        return AgentSettings(_env_file=None, **values)  # type: ignore[call-arg]

    return make
