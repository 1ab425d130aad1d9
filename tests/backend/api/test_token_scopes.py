"""Scoped API tokens: a token limited to `robot.serve` serves robots and does nothing else,
and the robot service runs on one (real accounts, real robots)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backend.posestudio_robot.harness import free_loopback_host, service
from tests.utils.accounts import BOOTSTRAP_TOKEN, AccountsBackend, accounts_backend
from tests.utils.robots import peer
from tests.utils.robots import service as fake_service
from tests.utils.routes import route_actions
from tests.utils.server import free_port

SERVE = ["robot.serve"]
KEY = "00112233445566778899aabbccddeeff"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsBackend]:
    # SQLite only: the column on PostgreSQL is the migration tests' (tests/backend/db/).
    data = tmp_path_factory.mktemp("scopes")
    url = f"sqlite:///{data / 'posestudio.db'}"
    with accounts_backend(url, with_robots=True, data_dir=data) as backend:
        yield backend


@pytest.fixture
def api(served: AccountsBackend) -> AccountsBackend:
    served.reset()
    return served


def _scoped_token(api: AccountsBackend, scopes: list[str] | None = SERVE) -> str:
    admin = api.make_user("admin", "site@example.com")
    with api.signed_in(admin["email"]) as browser:
        made = browser.post("/api/tokens", json={"name": "robot site", "scopes": scopes})
        assert made.status_code == 201, made.text
        assert made.json()["scopes"] == scopes
        assert [t["scopes"] for t in browser.get("/api/tokens").json()] == [scopes]
    token: str = made.json()["token"]
    return token


def test_scopes_are_checked_when_a_token_is_made(api: AccountsBackend) -> None:
    api.make_user("operator", "op@example.com")
    with api.signed_in("op@example.com") as browser:
        for scopes in (["robot.fly"], [], ["connect"]):
            refused = browser.post("/api/tokens", json={"name": "x", "scopes": scopes})
            assert refused.status_code == 422, (scopes, refused.text)
            assert refused.json()["error"]["code"] == "BAD_REQUEST"
        made = browser.post(
            "/api/tokens",
            json={"name": "x", "scopes": ["robot.view", "robot.view", "account.manage"]},
        )
        assert made.json()["scopes"] == ["account.manage", "robot.view"]
    # A scoped token that may make tokens cannot make a wider one.
    with api.client(headers={"Authorization": f"Bearer {made.json()['token']}"}) as script:
        wider = script.post("/api/tokens", json={"name": "wider"})
        assert wider.status_code == 403, wider.text
        narrower = script.post("/api/tokens", json={"name": "n", "scopes": ["robot.view"]})
        assert narrower.status_code == 201, narrower.text


def test_a_robot_serve_token_is_refused_on_every_http_route(api: AccountsBackend) -> None:
    token = _scoped_token(api)
    checked = 0
    with api.client(headers={"Authorization": f"Bearer {token}"}) as client:
        for route, actions in route_actions(api.app).items():
            if actions == ["public"]:
                continue
            method, path = route.split(" ")
            # Every route checks its action before it reads its path.
            path = re.sub(r"\{[^}]+\}", "1", path)
            response = client.request(method, path, json={})
            assert response.status_code == 403, (route, response.text)
            checked += 1
    assert checked >= 30


async def test_on_robots_a_robot_serve_token_serves_and_may_not_drive(
    api: AccountsBackend,
) -> None:
    token = _scoped_token(api)
    with api.admin() as admin:
        rex = admin.post(
            "/api/robots",
            json={"name": "rex", "model": "go2", "method": "local_sta", "address": "127.0.0.1"},
        ).json()["id"]
    async with fake_service(api.url, token) as site:
        robots = await site.hello()
        assert [r["id"] for r in robots] == [rex]
        for event, data in (
            ("robots_list", None),
            ("take_control", {"robot_id": rex}),
            ("estop", {"robot_id": rex}),
        ):
            refused = await site.peer.call(event, data)
            assert refused["error"]["code"] == "FORBIDDEN", (event, refused)


async def test_the_robot_service_runs_on_a_robot_serve_token(
    api: AccountsBackend, tmp_path: Path
) -> None:
    token = _scoped_token(api)
    with api.admin() as admin:
        body = {"name": "rex", "model": "go2", "method": "local_sta", "aes_key": KEY}
        rex = admin.post("/api/robots", json={**body, "address": free_loopback_host()}).json()
    output: list[str] = []
    async with peer(api.url, BOOTSTRAP_TOKEN) as watcher:
        with service(api.url, tmp_path, output, free_port(), token=token):
            # No robot answers at that address: the service says so, through the backend.
            status = await watcher.until(
                "robot_status",
                lambda d: (
                    d["robot_id"] == rex["id"]
                    and str(d.get("detail", "")).startswith("connect failed")
                ),
                30,
            )
            assert status["status"] == "offline"
            sites = [s["site"] for s in api.app.state.robots.hub.services.values()]
            assert sites == ["test-site"]
