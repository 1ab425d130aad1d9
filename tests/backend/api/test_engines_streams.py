"""/api routes: auth on every one, engines, live streams."""

from __future__ import annotations

import httpx
import pytest

from posestudio.client import PoseClient
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.server import LiveServer, wait_until


@pytest.mark.parametrize("path", ["/api/engines", "/api/streams"])
def test_api_refuses_requests_without_the_token(server: LiveServer, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
        response = httpx.get(f"{server.url}{path}", headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "error": {"code": "UNAUTHORIZED", "message": "missing or wrong token"}
        }
    assert httpx.get(f"{server.url}{path}", params={"token": server.token}).status_code == 200


def test_engines_lists_the_loaded_engine(server: LiveServer) -> None:
    body = server.get("/api/engines").json()
    assert body["default"] == "mediapipe"
    (engine,) = body["engines"]
    assert engine["name"] == "mediapipe"
    assert engine["loaded"] is True
    assert engine["device"] == "cpu"
    assert engine["error"] is None


async def test_streams_shows_live_streams_with_rates_and_drops(server: LiveServer) -> None:
    async with PoseClient(server.url, server.token) as client:
        await client.start("listed")
        for jpeg in video_jpegs(640, 480)[:10]:
            await send_and_wait(client, "listed", jpeg)
        streams = server.get("/api/streams").json()["streams"]
        (listed,) = [s for s in streams if s["stream_id"] == "listed"]
        assert listed["state"] == "running"
        assert listed["engine"] == "mediapipe"
        assert listed["received"] == listed["processed"] == 10
        assert listed["dropped"] == 0
        assert listed["fps"] > 0
        assert listed["server_ms_p50"] > 0
        await client.stop("listed")
        streams = server.get("/api/streams").json()["streams"]
        assert all(s["stream_id"] != "listed" for s in streams)


async def test_disconnect_stops_the_connections_streams(server: LiveServer) -> None:
    async with PoseClient(server.url, server.token) as client:
        await client.start("gone-a")
        await client.start("gone-b")
        ids = {s["stream_id"] for s in server.get("/api/streams").json()["streams"]}
        assert {"gone-a", "gone-b"} <= ids

    def gone() -> bool:
        ids = {s["stream_id"] for s in server.get("/api/streams").json()["streams"]}
        return not ids & {"gone-a", "gone-b"}

    wait_until(gone, timeout=10)


def test_openapi_docs_are_served(server: LiveServer) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert "/api/streams" in spec["paths"]
    assert httpx.get(f"{server.url}/docs").status_code == 200
