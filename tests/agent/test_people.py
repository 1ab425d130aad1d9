"""The agent acts as the person who asks: a real backend with accounts, the real agent
service beside it, and a fake model server that calls the backend's tools.

The agent is given a token the backend does NOT accept, so a tool call can succeed only
with the asking person's own credential, forwarded by the job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from posestudio_agent.service import build_service
from posestudio_agent.settings import AgentSettings
from posestudio_core.auth import SESSION_COOKIE
from tests.utils.accounts import BOOTSTRAP_TOKEN, AccountsBackend, accounts_backend
from tests.utils.agent_client import wait_finished
from tests.utils.backend import streaming_test_video
from tests.utils.fake_openai import FakeModelServer, Reply, tool_data, tool_outputs
from tests.utils.servers import uvicorn_server

# Not the backend's bootstrap token: people's jobs must not lean on the agent's own.
AGENT_TOKEN = "agent-own-token-not-the-backends-0123"


class SystemThenAnswer:
    """Ask `tool` (system_info), then answer: the stream names live_streams returned,
    else "done"; `before_tool` runs in between."""

    def __init__(self) -> None:
        self.before_tool: Callable[[], None] | None = None
        self.tool = "system_info"

    def __call__(self, body: dict[str, Any]) -> Reply:
        outputs = tool_outputs(body)
        if not outputs:
            if self.before_tool is not None:
                self.before_tool()
            return Reply(tool_calls=[(self.tool, {})])
        if self.tool == "live_streams":
            try:
                streams = tool_data(outputs[-1])["streams"]
            except (KeyError, ValueError):
                return Reply(content="no data")
            return Reply(content="streams: " + ",".join(s["stream_id"] for s in streams))
        return Reply(content="done")


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsBackend]:
    url = f"sqlite:///{tmp_path_factory.mktemp('agent-people') / 'posestudio.db'}"
    with accounts_backend(url) as served:
        yield served


@pytest.fixture
def api(backend: AccountsBackend) -> AccountsBackend:
    backend.reset()
    return backend


@pytest.fixture
def policy() -> SystemThenAnswer:
    return SystemThenAnswer()


@pytest.fixture
def agent_url(api: AccountsBackend, policy: SystemThenAnswer, tmp_path: Path) -> Iterator[str]:
    with FakeModelServer(policy) as model:
        settings = AgentSettings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            token=AGENT_TOKEN,
            data_dir=tmp_path,
            model="fake-model",
            base_url=model.base_url,
            backend_url=api.url,
            rate_limit_per_minute=2,
            request_timeout_s=20.0,
        )
        with uvicorn_server(build_service(settings, AGENT_TOKEN)) as url:
            yield url


def session_of(api: AccountsBackend, email: str) -> str:
    with api.client() as login:
        response = login.post(
            "/api/auth/login", json={"email": email, "password": "violet-tram-under-rain-7"}
        )
    assert response.status_code == 200, response.text
    cookie: str = response.cookies[SESSION_COOKIE]
    return cookie


def viewer_client(agent_url: str, cookie: str) -> httpx.AsyncClient:
    """A signed-in viewer's browser: the session cookie, no token."""
    return httpx.AsyncClient(base_url=agent_url, cookies={SESSION_COOKIE: cookie}, timeout=10)


def token_client(agent_url: str, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=agent_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


async def ask(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.post("/agent/invoke", json={"question": "How is my machine?"})
    assert response.status_code == 202, response.text
    return await wait_finished(http, response.json()["request_id"])


async def test_a_viewer_and_an_operator_ask_and_the_tools_read_as_them(
    api: AccountsBackend, agent_url: str
) -> None:
    viewer = api.make_user("viewer")
    operator = api.make_user("operator")
    operator_token = api.token_for(operator["email"])
    async with (
        viewer_client(agent_url, session_of(api, viewer["email"])) as as_viewer,
        token_client(agent_url, operator_token) as as_operator,
    ):
        viewer_result = await ask(as_viewer)
        operator_result = await ask(as_operator)
        # Results are per person, keyed by the real subject.
        other = await as_viewer.get(f"/agent/result/{operator_result['request_id']}")
    for result in (viewer_result, operator_result):
        assert result["status"] == "complete", result
        # The backend refuses the agent's own token: the call ran with the person's.
        assert result["tool_calls"] == [{"name": "system_info", "args": {}, "ok": True}]
    assert other.status_code == 404


async def test_the_backend_sees_the_person_a_disabled_one_is_refused_at_once(
    api: AccountsBackend, agent_url: str, policy: SystemThenAnswer
) -> None:
    viewer = api.make_user("viewer")
    cookie = session_of(api, viewer["email"])

    def disable() -> None:
        with api.admin() as admin:
            response = admin.patch(f"/api/users/{viewer['id']}", json={"disabled": True})
        assert response.status_code == 200, response.text

    # Disabled after the invoke was accepted, before the tool ran: the backend, asked
    # as the viewer, refuses the tool call.
    policy.before_tool = disable
    async with viewer_client(agent_url, cookie) as as_viewer:
        result = await ask(as_viewer)
        assert result["tool_calls"] == [{"name": "system_info", "args": {}, "ok": False}]
        # The agent had the viewer cached as signed in; an invoke still asks afresh.
        again = await as_viewer.post("/agent/invoke", json={"question": "And now?"})
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "UNAUTHORIZED"


async def test_two_people_have_separate_rate_limits(api: AccountsBackend, agent_url: str) -> None:
    first = api.token_for(api.make_user("viewer")["email"])
    second = api.token_for(api.make_user("viewer")["email"])
    async with token_client(agent_url, first) as one, token_client(agent_url, second) as two:
        codes = [
            (await one.post("/agent/invoke", json={"question": "q"})).status_code for _ in range(3)
        ]
        other = await two.post("/agent/invoke", json={"question": "q"})
    assert codes == [202, 202, 429]
    assert other.status_code == 202


async def test_unknown_credentials_and_the_bootstrap_token(
    api: AccountsBackend, agent_url: str
) -> None:
    async with token_client(agent_url, "pst_not-a-real-token") as stranger:
        refused = await stranger.post("/agent/invoke", json={"question": "q"})
    async with httpx.AsyncClient(base_url=agent_url, timeout=10) as anonymous:
        nobody = await anonymous.post("/agent/invoke", json={"question": "q"})
    async with token_client(agent_url, AGENT_TOKEN) as bootstrap:
        accepted = await bootstrap.post("/agent/invoke", json={"question": "q"})
    assert refused.status_code == nobody.status_code == 401
    assert accepted.status_code == 202


def test_the_backend_refuses_the_agents_own_token(api: AccountsBackend) -> None:
    """The premise of these tests: the agent's token alone reads nothing."""
    with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {AGENT_TOKEN}"}) as c:
        assert c.get("/api/system").status_code == 401
    assert BOOTSTRAP_TOKEN != AGENT_TOKEN


async def test_live_streams_lists_only_the_asking_persons_own_streams(
    api: AccountsBackend, agent_url: str, policy: SystemThenAnswer
) -> None:
    policy.tool = "live_streams"
    operator = api.token_for(api.make_user("operator")["email"])
    viewer = api.make_user("viewer")
    with streaming_test_video(api.url, operator, "opcam", frames=5):
        async with (
            token_client(agent_url, operator) as as_operator,
            viewer_client(agent_url, session_of(api, viewer["email"])) as as_viewer,
        ):
            mine = await ask(as_operator)
            theirs = await ask(as_viewer)
    assert mine["answer"] == "streams: opcam", mine
    # The backend answered the viewer as the viewer: not the operator's stream.
    assert theirs["answer"] == "streams:", theirs
