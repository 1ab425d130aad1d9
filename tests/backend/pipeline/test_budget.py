"""The global stream budget over a real server: per person across connections, for the
whole server, under concurrent starts, freed when streams stop, reported by /ready."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from posestudio.client import PoseClient
from posestudio.pipeline.budget import capacity_defaults
from posestudio.settings import Settings
from tests.utils.principals import ALICE_TOKEN, BOB_TOKEN, two_people
from tests.utils.server import LiveServer, wait_until

TOTAL, PER_PERSON = 3, 2


@pytest.fixture(scope="module")
def budgeted() -> Iterator[LiveServer]:
    settings = Settings(
        environment="test", workers=1, max_streams_total=TOTAL, max_streams_per_person=PER_PERSON
    )
    live = LiveServer(settings, authenticator=two_people()).start()
    yield live
    live.stop()


def _ready(server: LiveServer) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{server.url}/ready", timeout=5).json()
    return body


@pytest.fixture
def idle(budgeted: LiveServer) -> LiveServer:
    """Every stream of the previous test has closed (its connections are gone)."""
    wait_until(lambda: _ready(budgeted)["streams"] == 0)
    return budgeted


async def _start(client: PoseClient, name: str) -> dict[str, Any]:
    reply: dict[str, Any] = await client.call_raw("start", {"stream_id": name})
    return reply


def _refused(reply: dict[str, Any], scope: str, limit: int) -> bool:
    error = reply.get("error", {})
    return bool(
        error.get("code") == "CAPACITY" and error.get("details") == {"limit": limit, "scope": scope}
    )


async def test_one_person_is_capped_across_connections(idle: LiveServer) -> None:
    async with (
        PoseClient(idle.url, ALICE_TOKEN) as first,
        PoseClient(idle.url, ALICE_TOKEN) as second,
    ):
        assert (await _start(first, "a"))["ok"]
        assert (await _start(second, "b"))["ok"]
        third = await _start(second, "c")
        assert _refused(third, "person", PER_PERSON), third
        # Another person still may start, up to the server's budget.
        async with PoseClient(idle.url, BOB_TOKEN) as bob:
            assert (await _start(bob, "a"))["ok"]


async def test_the_server_is_capped_across_people_and_frees_on_stop(idle: LiveServer) -> None:
    async with (
        PoseClient(idle.url, ALICE_TOKEN) as alice,
        PoseClient(idle.url, BOB_TOKEN) as bob,
    ):
        assert (await _start(alice, "a"))["ok"]
        assert (await _start(alice, "b"))["ok"]
        assert (await _start(bob, "a"))["ok"]
        assert _ready(idle)["streams"] == TOTAL
        refused = await _start(bob, "b")
        assert _refused(refused, "server", TOTAL), refused
        assert (await alice.stop("b"))["ok"]
        assert (await _start(bob, "b"))["ok"]


async def test_concurrent_starts_do_not_overshoot(idle: LiveServer) -> None:
    async with (
        PoseClient(idle.url, ALICE_TOKEN) as a1,
        PoseClient(idle.url, ALICE_TOKEN) as a2,
        PoseClient(idle.url, BOB_TOKEN) as b1,
        PoseClient(idle.url, BOB_TOKEN) as b2,
    ):
        clients = [a1, a2, b1, b2]
        replies = await asyncio.gather(*(_start(c, f"s{i}") for c in clients for i in range(3)))
        started = [r for r in replies if r.get("ok")]
        refused = [r for r in replies if not r.get("ok")]
        assert len(started) == TOTAL
        assert all(r["error"]["code"] == "CAPACITY" for r in refused), refused
        assert _ready(idle)["streams"] == TOTAL


async def test_ready_and_metrics_say_how_close_the_server_is(idle: LiveServer) -> None:
    ready = _ready(idle)
    assert ready["streams"] == 0
    assert ready["max_streams_total"] == TOTAL
    assert ready["max_streams_per_person"] == PER_PERSON
    assert ready["max_engine_instances"] >= 1
    async with PoseClient(idle.url, ALICE_TOKEN) as alice:
        assert (await _start(alice, "a"))["ok"]
        assert _ready(idle)["streams"] == 1
        text = httpx.get(f"{idle.url}/metrics", timeout=5).text
        assert 'pose_capacity_streams{kind="used"} 1.0' in text
        assert f'pose_capacity_streams{{kind="limit"}} {float(TOTAL)}' in text


def test_defaults_come_from_memory_and_the_footprint() -> None:
    gib = 1 << 30
    limits = capacity_defaults(
        110_000_000,
        streams_total=None,
        per_person=8,
        engine_instances=None,
        max_idle=2,
        total_memory=24 * gib,
    )
    assert limits.engine_instances == (12 * gib) // 110_000_000
    assert limits.streams_total == limits.engine_instances - 2
    assert limits.streams_per_person == 8
    set_by_hand = capacity_defaults(
        110_000_000,
        streams_total=5,
        per_person=8,
        engine_instances=7,
        max_idle=2,
        total_memory=gib,
    )
    assert (set_by_hand.streams_total, set_by_hand.engine_instances) == (5, 7)
