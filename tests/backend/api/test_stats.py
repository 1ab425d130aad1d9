"""`GET /api/streams/{id}/stats` and `GET /api/system` on the real backend and test video."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from posestudio.analysis import JOINTS
from tests.utils.backend import real_backend, streaming_test_video

pytestmark = pytest.mark.slow

TOKEN = "backend-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def backend() -> Iterator[str]:
    with real_backend(TOKEN) as url:
        yield url


@pytest.fixture(scope="module")
def poses(backend: str) -> Iterator[list[dict[str, Any]]]:
    with streaming_test_video(backend, TOKEN, "cam-a", frames=30) as received:
        yield received


@pytest.fixture
async def http(backend: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=backend, headers=AUTH, timeout=10) as client:
        yield client


async def stream_ids(http: httpx.AsyncClient, name: str) -> list[str]:
    """The server-wide ids of the running streams with that name, oldest first."""
    streams = (await http.get("/api/streams")).json()["streams"]
    named = sorted((s for s in streams if s["stream_id"] == name), key=lambda s: s["started_at"])
    return [s["id"] for s in named]


async def test_stats_over_the_streamed_video(
    http: httpx.AsyncClient, poses: list[dict[str, Any]]
) -> None:
    (stream,) = await stream_ids(http, "cam-a")
    response = await http.get(f"/api/streams/{stream}/stats", params={"window": 60})
    assert response.status_code == 200
    stats = response.json()
    assert stats["stream_id"] == "cam-a"
    assert stats["id"] == stream
    assert stats["window_s"] == 60
    assert stats["samples"] == stats["samples_with_person"] == 30
    assert stats["in_view_fraction"] == 1.0
    assert stats["out_of_view"] == []
    assert stats["first_ts"] == poses[0]["capture_ts"]
    assert stats["last_ts"] == poses[-1]["capture_ts"]
    assert "note" not in stats
    captured = {pose["capture_ts"] for pose in poses}
    assert set(stats["angles"]) == set(JOINTS)
    for joint in JOINTS:
        angle = stats["angles"][joint]
        assert 0 <= angle["min"] <= angle["mean"] <= angle["max"] <= 180
        assert angle["range_of_motion"] == pytest.approx(angle["max"] - angle["min"], abs=0.11)
        assert angle["min_ts"] in captured and angle["max_ts"] in captured
        assert 0 <= angle["visibility"] <= 1
        assert angle["samples"] == 30
    # Talking head and shoulders: the shoulders are in view, the knees are not.
    assert (
        stats["angles"]["left_shoulder"]["visibility"] > stats["angles"]["left_knee"]["visibility"]
    )


async def test_stats_of_a_window_with_no_frames(
    http: httpx.AsyncClient, poses: list[dict[str, Any]]
) -> None:
    (stream,) = await stream_ids(http, "cam-a")
    stats = (await http.get(f"/api/streams/{stream}/stats", params={"window": 0.001})).json()
    assert stats["samples"] == 0
    assert stats["in_view_fraction"] is None
    assert all(value is None for value in stats["angles"].values())


async def test_stats_errors(
    http: httpx.AsyncClient, backend: str, poses: list[dict[str, Any]]
) -> None:
    missing = await http.get("/api/streams/st_nobody000000/stats")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    (stream,) = await stream_ids(http, "cam-a")
    for window in ("0", "-1", "abc", "100000"):
        bad = await http.get(f"/api/streams/{stream}/stats", params={"window": window})
        assert bad.status_code == 422
    for bad_id in ("bad id!", "cam-a", "st_short"):
        assert (await http.get(f"/api/streams/{bad_id}/stats")).status_code == 422
    async with httpx.AsyncClient(base_url=backend) as anonymous:
        denied = await anonymous.get(f"/api/streams/{stream}/stats")
        assert denied.status_code == 401
        assert (await anonymous.get("/api/system")).status_code == 401


async def test_same_stream_id_on_two_connections_is_two_streams(
    http: httpx.AsyncClient, backend: str
) -> None:
    with (
        streaming_test_video(backend, TOKEN, "cam-dup", frames=8),
        streaming_test_video(backend, TOKEN, "cam-dup", frames=3),
    ):
        first, second = await stream_ids(http, "cam-dup")
        stats = [(await http.get(f"/api/streams/{s}/stats")).json() for s in (first, second)]
    assert [(s["id"], s["stream_id"], s["samples"]) for s in stats] == [
        (first, "cam-dup", 8),
        (second, "cam-dup", 3),
    ]
    assert all("note" not in s for s in stats)


async def test_system(http: httpx.AsyncClient, poses: list[dict[str, Any]]) -> None:
    response = await http.get("/api/system")
    assert response.status_code == 200
    system = response.json()
    assert [(e["name"], e["loaded"]) for e in system["engines"]] == [("mediapipe", True)]
    assert system["cpu"]["count"] == os.cpu_count()
    assert system["cpu"]["load_1m"] >= 0
    assert system["streams"] == 1
    assert system["versions"]["posestudio"]
    assert system["versions"]["mediapipe"] == "0.10.21"
    assert system["memory"]["total_bytes"] > system["memory"]["available_bytes"] > 0
    assert set(system["gpu"]) >= {"available", "devices"}
