"""/health, /ready and /metrics on a live server."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from posestudio.client import PoseClient
from posestudio.settings import Settings
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.server import LiveServer


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_health_and_ready_need_no_token(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/health").json() == {"status": "ok"}
    ready = httpx.get(f"{server.url}/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert {k: body.pop(k) for k in ("status", "engines")} == {
        "status": "ready",
        "engines": {"mediapipe": True},
    }
    # How close the server is to its budget (tests/backend/pipeline/test_budget.py).
    assert set(body) == {
        "streams",
        "max_streams_total",
        "max_streams_per_person",
        "engine_instances",
        "max_engine_instances",
    }


async def test_metrics_count_what_the_server_did(server: LiveServer) -> None:
    before = samples(httpx.get(f"{server.url}/metrics").text)
    async with PoseClient(server.url, server.token) as client:
        await client.start("metrics")
        for jpeg in video_jpegs(640, 480)[:5]:
            await send_and_wait(client, "metrics", jpeg)
        await client.send("metrics", b"not a jpeg")
        await client.next()
        during = samples(httpx.get(f"{server.url}/metrics").text)
    engine = (("engine", "mediapipe"),)

    def delta(name: str, labels: tuple[tuple[str, str], ...] = ()) -> float:
        return during[(name, labels)] - before.get((name, labels), 0.0)

    assert delta("pose_frames_received_total", engine) == 6
    assert delta("pose_frames_processed_total", engine) == 5
    assert delta("pose_inference_seconds_count", engine) == 5
    assert delta("pose_server_seconds_count", engine) == 5
    assert delta("pose_errors_total", (("code", "BAD_FRAME"),)) == 1
    assert during[("pose_active_streams", engine)] >= 1
    assert during[("pose_active_connections", ())] >= 1
    assert during[("pose_engine_loaded", engine)] == 1
    names = {
        family.name
        for family in text_string_to_metric_families(httpx.get(f"{server.url}/metrics").text)
    }
    assert {"pose_gpu_memory_used_bytes", "pose_gpu_memory_total_bytes"} <= names
    assert all(name.startswith("pose_") for name in names)


def test_metrics_can_be_closed_behind_a_scrape_token() -> None:
    settings = Settings(environment="test", metrics_token=SecretStr("scrape-secret-123456"))
    live = LiveServer(settings).start()
    try:
        assert httpx.get(f"{live.url}/metrics").status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert httpx.get(f"{live.url}/metrics", headers=wrong).status_code == 401
        right = {"Authorization": "Bearer scrape-secret-123456"}
        response = httpx.get(f"{live.url}/metrics", headers=right)
        assert response.status_code == 200
        assert "pose_frames_received_total" in response.text
    finally:
        live.stop()


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/nowhere", 404, "NOT_FOUND"),
        ("POST", "/api/engines", 405, "METHOD_NOT_ALLOWED"),
        ("DELETE", "/health", 405, "METHOD_NOT_ALLOWED"),
    ],
)
def test_fastapis_own_errors_have_the_one_shape(
    server: LiveServer, method: str, path: str, status: int, code: str
) -> None:
    response = httpx.request(method, server.url + path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["details"]["path"] == path
