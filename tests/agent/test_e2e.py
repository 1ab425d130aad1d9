"""The whole path: a question about a knee, answered from the real backend's pose data.

The real backend runs MediaPipe on the real test video; the model is the fake
OpenAI-protocol server, reached by base URL as vLLM would be. Once through RQ on a real
Redis with `posestudio agent worker` in its own process, once embedded in the backend.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from rq import Worker

from posestudio_agent.service import build_service
from posestudio_agent.settings import AgentSettings
from tests.agent.conftest import TOKEN
from tests.utils.agent_client import AgentListener
from tests.utils.backend import real_backend, streaming_test_video
from tests.utils.fake_openai import FakeModelServer, knee_policy
from tests.utils.processes import clean_environ
from tests.utils.server import wait_until
from tests.utils.servers import uvicorn_server

pytestmark = pytest.mark.slow

STREAM = "cam-e2e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUESTION = "How is my left knee moving?"
WORKER_START_TIMEOUT_S = 60.0


def embedded_settings(model: FakeModelServer, data_dir: Path) -> AgentSettings:
    return AgentSettings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        model="fake-model",
        base_url=model.base_url,
        data_dir=data_dir,
    )


@pytest.fixture(scope="module")
def model() -> Iterator[FakeModelServer]:
    with FakeModelServer(knee_policy()) as server:
        yield server


@pytest.fixture(scope="module")
def backend(model: FakeModelServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The backend with the agent embedded under /agent, as `posestudio serve` runs it."""
    settings = embedded_settings(model, tmp_path_factory.mktemp("embedded"))
    with real_backend(TOKEN, mounts={"/agent": build_service(settings, TOKEN)}) as url:
        settings.backend_url = url
        yield url


@pytest.fixture(scope="module")
def poses(backend: str) -> Iterator[list[dict[str, Any]]]:
    with streaming_test_video(backend, TOKEN, STREAM, frames=60) as received:
        yield received


async def backend_stats(backend: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=backend, headers=AUTH) as http:
        listed = (await http.get("/api/streams")).json()["streams"]
        (key,) = [s["id"] for s in listed if s["stream_id"] == STREAM]
        response = await http.get(f"/api/streams/{key}/stats", params={"window": 60})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def assert_grounded(
    result: dict[str, Any], stats: dict[str, Any], poses: list[dict[str, Any]]
) -> None:
    knee = stats["angles"]["left_knee"]
    assert result["status"] == "complete", result.get("error")
    assert f"moved through {knee['range_of_motion']}°" in result["answer"]
    assert f"from {knee['min']}° to {knee['max']}°" in result["answer"]
    assert result["tool_calls"] == [
        {"name": "pose_stats", "args": {"stream_id": STREAM, "window_s": 60}, "ok": True}
    ]
    captured = {pose["capture_ts"] for pose in poses}
    moments = {(t["label"].split(" ")[2], t["ts"]) for t in result["relevant_timestamps"]}
    assert moments == {("min", knee["min_ts"]), ("max", knee["max_ts"])}
    assert all(
        t["stream_id"] == STREAM and t["ts"] in captured for t in result["relevant_timestamps"]
    )


@pytest.fixture
def worker(
    backend: str, model: FakeModelServer, redis_url: str, tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`posestudio agent worker` in its own process, registered with RQ before use."""
    env = {
        **clean_environ(),
        "POSE_STUDIO_AGENT_ENVIRONMENT": "test",
        "POSE_STUDIO_AGENT_REDIS_URL": redis_url,
        "POSE_STUDIO_AGENT_MODEL": "fake-model",
        "POSE_STUDIO_AGENT_BASE_URL": model.base_url,
        "POSE_STUDIO_AGENT_BACKEND_URL": backend,
        "POSE_STUDIO_AGENT_TOKEN": TOKEN,
        "POSE_STUDIO_AGENT_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "posestudio_cli", "agent", "worker"], env=env, cwd=tmp_path
    )
    connection = redis.Redis.from_url(redis_url)

    def registered() -> bool:
        assert process.poll() is None, "the worker exited"
        return bool(Worker.all(connection=connection))

    # Stopped however the test ends, a start that timed out included: a worker left
    # running would take later tests' jobs from the same queue.
    try:
        wait_until(registered, WORKER_START_TIMEOUT_S)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        finally:
            if process.poll() is None:
                process.kill()
            connection.close()


async def test_question_through_rq_worker_is_answered_from_the_backend(
    backend: str,
    poses: list[dict[str, Any]],
    worker: subprocess.Popen[bytes],
    redis_url: str,
    make_settings: Any,
    record_property: Any,
) -> None:
    settings = make_settings(
        model="fake-model", base_url="http://unused.invalid/v1", redis_url=redis_url
    )
    with uvicorn_server(build_service(settings, TOKEN)) as url:
        listener = await AgentListener(url, TOKEN).connect()
        async with httpx.AsyncClient(base_url=url, headers=AUTH, timeout=10) as http:
            try:
                started = time.monotonic()
                response = await http.post(
                    "/agent/invoke", json={"question": QUESTION, "stream_ids": [STREAM]}
                )
                assert response.status_code == 202
                request_id = response.json()["request_id"]
                pushed = await listener.result_for(request_id, timeout=30)
                elapsed = time.monotonic() - started
            finally:
                await listener.close()
            stored = (await http.get(f"/agent/result/{request_id}")).json()
            metrics = (await http.get("/agent/metrics")).text
    record_property("invoke_to_answer_s", round(elapsed, 3))
    print(f"\ninvoke to pushed answer through RQ: {elapsed * 1000:.0f} ms")
    stats = await backend_stats(backend)
    assert stats["samples"] == len(poses) == 60
    assert stats["in_view_fraction"] == 1.0
    assert_grounded(pushed, stats, poses)
    assert stored == pushed
    assert 'pose_agent_requests_total{status="complete"} 1.0' in metrics
    assert 'pose_agent_tool_calls_total{ok="true",tool="pose_stats"} 1.0' in metrics
    assert elapsed < 10.0
    # The job ran in the worker process, not here: RQ kept its record.
    assert redis.Redis.from_url(redis_url).exists(f"rq:job:{request_id}")


async def test_embedded_agent_answers_on_the_backends_own_port(
    backend: str, poses: list[dict[str, Any]]
) -> None:
    listener = await AgentListener(backend, TOKEN).connect()
    async with httpx.AsyncClient(base_url=backend, headers=AUTH, timeout=10) as http:
        try:
            response = await http.post(
                "/agent/invoke", json={"question": QUESTION, "stream_ids": [STREAM]}
            )
            assert response.status_code == 202
            pushed = await listener.result_for(response.json()["request_id"], timeout=30)
        finally:
            await listener.close()
        health = (await http.get("/agent/health")).json()
        backend_health = (await http.get("/health")).json()
    assert_grounded(pushed, await backend_stats(backend), poses)
    assert health["jobs"] == "in-process"
    assert backend_health == {"status": "ok"}
