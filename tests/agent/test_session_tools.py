"""The agent over recorded sessions, held out: a real backend with a recorded (synthetic)
session, the real agent service, and a fake OpenAI-protocol model over real HTTP that
reads the session named in its system prompt with the new tools and quotes them.

The agent holds a token the backend refuses, so the tools read as the asking person.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from posestudio.sessions.synthetic import Squats, write_session
from posestudio_agent.service import build_service
from posestudio_agent.settings import AgentSettings
from tests.utils.agent_client import wait_finished
from tests.utils.fake_openai import FakeModelServer, Reply, tool_data, tool_outputs
from tests.utils.principals import ALICE_TOKEN, BOB_TOKEN, two_people
from tests.utils.servers import uvicorn_server
from tests.utils.sessions import SessionsBackend, sessions_backend

AGENT_TOKEN = "agent-own-token-not-the-backends-0456"
REPS = [(2.0, 2.4), (5.5, 2.0), (9.0, 2.8), (13.0, 2.2)]
SPEC = Squats(duration_s=20.0, reps=REPS, away=[(16.0, 18.0)])
QUESTION = "Summarise this session: how many squats, and when did my form break down?"


def coach(body: dict[str, Any]) -> Reply:
    """List the sessions, then read the one the system prompt names, then answer from it."""
    system = next(m["content"] for m in body["messages"] if m["role"] == "system")
    named = re.search(r"recorded session (se_[A-Za-z0-9_-]+) at ([\d.]+) s", system)
    outputs = tool_outputs(body)
    if not named:
        return Reply(content="no session in the prompt")
    session_id = named.group(1)
    if not outputs:
        return Reply(tool_calls=[("list_sessions", {})])
    if len(outputs) == 1:
        return Reply(
            tool_calls=[
                ("session_stats", {"session_id": session_id}),
                ("session_events", {"session_id": session_id}),
            ]
        )
    try:
        stats = tool_data(outputs[-2])
        events = tool_data(outputs[-1])["events"]
    except (KeyError, ValueError):
        return Reply(content="the session could not be read")
    reps = stats["repetitions"]
    shallow = min(reps, key=lambda r: r["depth_deg"])
    knee = stats["range_of_motion"][reps[0]["joint"]]
    out = stats["in_view"]["spans_out"][0]
    notes = [e for e in events if e["kind"] == "annotation"]
    return Reply(
        content=f"You did {len(reps)} squats. Your knee moved through {knee['range_deg']}° "
        f"(from {knee['min_deg']}° to {knee['max_deg']}°). The shallowest was rep "
        f"{shallow['n']} at {shallow['ts']} s, {shallow['depth_deg']}° deep. You were out of "
        f"view from {out['ts']} s to {out['end_ts']} s. You marked '{notes[0]['label']}'."
    )


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionsBackend]:
    tmp = tmp_path_factory.mktemp("agent-sessions")
    with sessions_backend(f"sqlite:///{tmp / 'posestudio.db'}", tmp) as served:
        yield served


@pytest.fixture(scope="module")
def session_id(backend: SessionsBackend) -> str:
    sid = write_session(backend.sessions.database, backend.storage, SPEC, owner="user:alice")
    made = backend.request(
        "POST", f"/api/sessions/{sid}/annotations", json={"ts": 9.5, "label": "felt heavy"}
    )
    assert made.status_code == 201, made.text
    return sid


@pytest.fixture(scope="module")
def agent_url(backend: SessionsBackend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with FakeModelServer(coach) as model:
        settings = AgentSettings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            token=AGENT_TOKEN,
            data_dir=tmp_path_factory.mktemp("agent"),
            model="fake-model",
            base_url=model.base_url,
            backend_url=backend.url,
            request_timeout_s=20.0,
        )
        # People are recognised as the backend recognises them; the tools then present
        # the asking person's own token to the backend.
        service = build_service(settings, AGENT_TOKEN, authenticator=two_people())
        with uvicorn_server(service) as url:
            yield url


async def ask(agent_url: str, token: str, session_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=agent_url, headers=headers, timeout=10) as http:
        response = await http.post(
            "/agent/invoke",
            json={"question": QUESTION, "context": {"session_id": session_id, "ts": 4.2}},
        )
        assert response.status_code == 202, response.text
        return await wait_finished(http, response.json()["request_id"])


async def test_the_coach_answers_from_the_sessions_own_figures(
    backend: SessionsBackend, session_id: str, agent_url: str
) -> None:
    result = await ask(agent_url, ALICE_TOKEN, session_id)
    assert result["status"] == "complete", result
    assert result["context"] == {"session_id": session_id, "ts": 4.2}
    assert [(c["name"], c["ok"]) for c in result["tool_calls"]] == [
        ("list_sessions", True),
        ("session_stats", True),
        ("session_events", True),
    ]
    # The figures the backend computed, read independently of the agent.
    figures = backend.get(f"/api/sessions/{session_id}/analytics").json()
    reps = figures["repetitions"]
    assert len(reps) == len(REPS)
    knee = figures["range_of_motion"][reps[0]["joint"]]
    shallow_n, shallow = min(enumerate(reps, start=1), key=lambda nr: nr[1]["depth_deg"])
    answer = result["answer"]
    assert f"You did {len(reps)} squats" in answer
    assert f"through {knee['range_deg']}° (from {knee['min_deg']}° to {knee['max_deg']}°)" in answer
    assert f"rep {shallow_n} at {shallow['ts']} s, {shallow['depth_deg']}° deep" in answer
    assert "out of view from 16.0 s to 18.0 s" in answer and "'felt heavy'" in answer

    moments = {(t["ts"], t["label"]) for t in result["relevant_timestamps"]}
    for n, rep in enumerate(reps, start=1):
        assert (rep["ts"], f"rep {n} ({rep['depth_deg']:.0f}°)") in moments
    assert (16.0, "out of view") in moments and (9.5, "felt heavy") in moments
    # Session seconds, every one of them inside the session.
    assert all(0 <= t["ts"] <= SPEC.duration_s for t in result["relevant_timestamps"])


async def test_someone_elses_session_is_not_read(session_id: str, agent_url: str) -> None:
    result = await ask(agent_url, BOB_TOKEN, session_id)
    assert result["status"] == "complete"
    assert [(c["name"], c["ok"]) for c in result["tool_calls"]] == [
        ("list_sessions", True),
        ("session_stats", False),
        ("session_events", False),
    ]
    assert result["answer"] == "the session could not be read"
    assert result["relevant_timestamps"] == []
