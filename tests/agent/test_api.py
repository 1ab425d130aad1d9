"""The `/agent` HTTP API and push: auth, errors, bad bodies, limits, one full in-process run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import socketio

from posestudio_agent.service import build_service
from posestudio_agent.settings import AgentSettings
from tests.agent.conftest import TOKEN
from tests.utils.agent_client import AgentListener, wait_finished
from tests.utils.fake_openai import FakeModelServer, Reply, tool_data, tool_outputs
from tests.utils.servers import uvicorn_server
from tests.utils.stub_backend import StubBackend

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def streams_then_answer(body: dict[str, Any]) -> Reply:
    """Ask live_streams, then answer with the fps it returned."""
    outputs = tool_outputs(body)
    if not outputs:
        return Reply(tool_calls=[("live_streams", {})])
    stream = tool_data(outputs[-1])["streams"][0]
    return Reply(content=f"Stream {stream['stream_id']} runs at {stream['fps']} fps.")


@pytest.fixture
def stub() -> Iterator[StubBackend]:
    with StubBackend(TOKEN) as backend:
        backend.streams = [{"stream_id": "cam0", "fps": 14.5, "engine": "mediapipe"}]
        yield backend


@pytest.fixture
def model() -> Iterator[FakeModelServer]:
    with FakeModelServer(streams_then_answer) as server:
        yield server


@pytest.fixture
async def agent(
    make_settings: Callable[..., AgentSettings], stub: StubBackend, model: FakeModelServer
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        model="fake-model",
        base_url=model.base_url,
        backend_url=stub.url,
        rate_limit_per_minute=3,
    )
    with uvicorn_server(build_service(settings, TOKEN)) as url:
        async with httpx.AsyncClient(base_url=url, headers=AUTH, timeout=10) as http:
            yield http


async def test_invoke_runs_in_process_and_pushes_the_result(
    agent: httpx.AsyncClient, model: FakeModelServer, stub: StubBackend
) -> None:
    listener = await AgentListener(str(agent.base_url), TOKEN).connect()
    try:
        response = await agent.post(
            "/agent/invoke", json={"question": "How fast is my camera?", "session_id": "s1"}
        )
        assert response.status_code == 202
        request_id = response.json()["request_id"]
        pushed = await listener.result_for(request_id)
    finally:
        await listener.close()
    assert pushed["status"] == "complete"
    assert pushed["answer"] == "Stream cam0 runs at 14.5 fps."
    assert pushed["tool_calls"] == [{"name": "live_streams", "args": {}, "ok": True}]
    assert pushed["session_id"] == "s1"
    assert (await agent.get(f"/agent/result/{request_id}")).json() == pushed
    assert stub.hits == ["/api/streams"]
    # The tool result reached the model marked as data.
    assert '"tool_output": "live_streams"' in tool_outputs(model.requests[-1])[0]["content"]


async def test_unconfigured_model_answers_at_once_with_how_to_configure(
    make_settings: Callable[..., AgentSettings],
) -> None:
    with uvicorn_server(build_service(make_settings(), TOKEN)) as url:
        async with httpx.AsyncClient(base_url=url, headers=AUTH) as http:
            response = await http.post("/agent/invoke", json={"question": "Am I in frame?"})
            health = (await http.get("/agent/health")).json()
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "AGENT_NOT_CONFIGURED"
    assert "POSE_STUDIO_AGENT_MODEL" in error["message"]
    assert "POSE_STUDIO_AGENT_BASE_URL" in error["message"]
    assert health["configured"] is False


async def test_requests_need_the_token(agent: httpx.AsyncClient) -> None:
    base = str(agent.base_url)
    async with httpx.AsyncClient(base_url=base) as anonymous:
        missing = await anonymous.post("/agent/invoke", json={"question": "hi"})
        wrong = await anonymous.get(
            "/agent/result/x", headers={"Authorization": "Bearer not-the-token"}
        )
        by_query = await anonymous.get("/agent/result/x", params={"token": TOKEN})
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "UNAUTHORIZED"
    assert wrong.status_code == 401
    assert by_query.status_code == 404  # authenticated, and the id is unknown
    for token in ("not-the-token", None):
        listener = AgentListener(base, token)
        refusals: list[Any] = []

        async def refused(data: Any = None, into: list[Any] = refusals) -> None:
            into.append(data)

        listener.sio.on("connect_error", refused, namespace="/agent")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await listener.connect()
        # The same shape as /pose's refusal: a readable message, the error body as data.
        assert refusals == [
            {
                "message": "missing or wrong token",
                "data": {"code": "UNAUTHORIZED", "message": "missing or wrong token"},
            }
        ]


async def test_unknown_request_id_is_not_found(agent: httpx.AsyncClient) -> None:
    response = await agent.get("/agent/result/0123456789abcdef")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert (await agent.get("/agent/nothing-here")).json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.question"),
        ({"question": 5}, "body.question"),
        ({"question": ""}, "body.question"),
        ({"question": "hi", "extra": 1}, "body.extra"),
        ({"question": "hi", "stream_ids": ["no spaces allowed"]}, "body.stream_ids.0"),
        ({"question": "hi", "stream_ids": "cam0"}, "body.stream_ids"),
        ({"question": "hi", "session_id": "a/b"}, "body.session_id"),
        ([1, 2], "body"),
    ],
)
async def test_bad_bodies_get_one_error_shape(
    agent: httpx.AsyncClient, body: Any, field: str
) -> None:
    response = await agent.post("/agent/invoke", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "BAD_REQUEST"
    assert field in [problem["field"] for problem in error["details"]["errors"]]


async def test_malformed_json_and_overlong_questions_are_bad_requests(
    agent: httpx.AsyncClient, model: FakeModelServer
) -> None:
    broken = await agent.post(
        "/agent/invoke", content=b'{"question": ', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.json()["error"]["code"] == "BAD_REQUEST"
    long = await agent.post("/agent/invoke", json={"question": "x" * 1001})
    blank = await agent.post("/agent/invoke", json={"question": "   "})
    assert long.status_code == blank.status_code == 400
    assert long.json()["error"]["details"] == {"max_question_chars": 1000}
    assert model.requests == []


async def test_rate_limit_per_person(agent: httpx.AsyncClient) -> None:
    accepted = [await agent.post("/agent/invoke", json={"question": "hi"}) for _ in range(3)]
    assert [r.status_code for r in accepted] == [202, 202, 202]
    refused = await agent.post("/agent/invoke", json={"question": "hi"})
    assert refused.status_code == 429
    assert refused.json()["error"] == {
        "code": "RATE_LIMITED",
        "message": "at most 3 questions a minute",
        "details": {"limit_per_minute": 3},
    }
    for response in accepted:
        assert (await wait_finished(agent, response.json()["request_id"]))["status"] == "complete"
    metrics = (await agent.get("/agent/metrics")).text
    assert 'pose_agent_requests_total{status="rate_limited"} 1.0' in metrics
    assert 'pose_agent_requests_total{status="complete"} 3.0' in metrics
    assert 'pose_agent_tool_calls_total{ok="true",tool="live_streams"} 3.0' in metrics
    assert "pose_agent_request_seconds_count 3.0" in metrics
    assert "pose_agent_queue_depth 0.0" in metrics


async def test_health_fails_while_redis_does_not_answer(
    make_settings: Callable[..., AgentSettings],
) -> None:
    # Port 9 (discard) has no Redis: the API starts, and says it cannot work.
    settings = make_settings(redis_url="redis://127.0.0.1:9/0")
    with uvicorn_server(build_service(settings, TOKEN)) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.get("/agent/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["jobs"] == "rq"


async def test_fastapis_own_errors_have_the_one_shape(agent: httpx.AsyncClient) -> None:
    unknown = await agent.get("/agent/nowhere")
    wrong_method = await agent.get("/agent/invoke")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "NOT_FOUND"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == {
        "code": "METHOD_NOT_ALLOWED",
        "message": "Method Not Allowed",
        "details": {"path": "/agent/invoke", "method": "GET", "allowed": ["POST"]},
    }
