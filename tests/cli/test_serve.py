"""`posestudio serve` with the agent embedded, and `posestudio agent serve`, as processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.utils.agent_client import wait_finished
from tests.utils.fake_openai import FakeModelServer, Reply, tool_data, tool_outputs
from tests.utils.processes import posestudio

pytestmark = pytest.mark.slow

TOKEN = "cli-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def count_streams(body: dict[str, Any]) -> Reply:
    outputs = tool_outputs(body)
    if not outputs:
        return Reply(tool_calls=[("live_streams", {})])
    return Reply(content=f"{len(tool_data(outputs[-1])['streams'])} streams are live.")


async def test_serve_embeds_the_agent_which_reads_the_backend_it_runs_in(
    tmp_path: Path,
) -> None:
    with FakeModelServer(count_streams) as model:
        env = {
            "POSE_STUDIO_TOKEN": TOKEN,
            "POSE_STUDIO_ENGINES": "mediapipe",
            "POSE_STUDIO_WORKERS": "1",
            "POSE_STUDIO_AGENT_MODEL": "fake-model",
            "POSE_STUDIO_AGENT_BASE_URL": model.base_url,
        }
        args = ["serve", "--port", "0"]
        with posestudio(args, env, tmp_path, r"(http://127\.0\.0\.1:\d+)/\?token=") as match:
            async with httpx.AsyncClient(base_url=match.group(1), headers=AUTH) as http:
                health = (await http.get("/agent/health")).json()
                response = await http.post("/agent/invoke", json={"question": "Any streams?"})
                result = await wait_finished(http, response.json()["request_id"])
    assert health["configured"] is True
    assert health["jobs"] == "in-process"
    # Port 0: the agent's tools found the backend at the port it was given.
    assert result["tool_calls"] == [{"name": "live_streams", "args": {}, "ok": True}]
    assert result["answer"] == "0 streams are live."


async def test_serve_keeps_the_token_out_of_its_access_log(tmp_path: Path) -> None:
    env = {"POSE_STUDIO_TOKEN": TOKEN, "POSE_STUDIO_ENVIRONMENT": "staging"}
    output: list[str] = []
    # Outside development the URL it prints carries no token.
    with posestudio(
        ["serve", "--port", "0"], env, tmp_path, r"(http://127\.0\.0\.1:\d+)/$", output=output
    ) as match:
        async with httpx.AsyncClient(base_url=match.group(1)) as http:
            response = await http.get("/api/engines", params={"token": TOKEN, "x": "1"})
            assert response.status_code == 200
    logged = "".join(output)
    assert "GET /api/engines?" in logged
    assert TOKEN not in logged


async def test_serve_without_the_embedded_agent(tmp_path: Path) -> None:
    env = {"POSE_STUDIO_TOKEN": TOKEN, "POSE_STUDIO_AGENT_EMBEDDED": "false"}
    args = ["serve", "--port", "0"]
    with posestudio(args, env, tmp_path, r"(http://127\.0\.0\.1:\d+)/\?token=") as match:
        async with httpx.AsyncClient(base_url=match.group(1), headers=AUTH) as http:
            assert (await http.get("/agent/health")).status_code == 404
            assert (await http.get("/health")).status_code == 200


async def test_agent_serve_on_its_own_says_how_to_configure_a_model(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "token").write_text(TOKEN + "\n")
    env = {"POSE_STUDIO_AGENT_PORT": "0"}
    ready = r"Uvicorn running on (http://127\.0\.0\.1:\d+)"
    with posestudio(["agent", "serve"], env, tmp_path, ready) as match:
        async with httpx.AsyncClient(base_url=match.group(1), headers=AUTH) as http:
            response = await http.post("/agent/invoke", json={"question": "Am I in frame?"})
    # The token came from the backend's data/token, as the backend's own would.
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "AGENT_NOT_CONFIGURED"
