"""Every HTTP route of the app with accounts installed (read from the app) declares one
action, refuses a caller without credentials, refuses a role below its action's and
lets the role it needs through. A new route without a permission fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from posestudio_core.auth import ROLES, role_rank
from posestudio_core.permissions import LOWEST_ROLE, Action
from tests.utils.accounts import AccountsBackend, accounts_backend
from tests.utils.routes import route_actions

ACCOUNT_ROUTES = {
    "POST /api/auth/login": ["public"],
    "POST /api/auth/logout": ["public"],
    "GET /api/auth/me": ["account.manage"],
    "POST /api/auth/password": ["account.manage"],
    "GET /api/setup": ["public"],
    "GET /setup": ["public"],
    "POST /api/setup": ["public"],
    "GET /api/users": ["users.manage"],
    "POST /api/users": ["users.manage"],
    "GET /api/users/{user_id}": ["users.manage"],
    "PATCH /api/users/{user_id}": ["users.manage"],
    "POST /api/users/{user_id}/password": ["users.manage"],
    "DELETE /api/users/{user_id}": ["users.manage"],
    "GET /api/tokens": ["account.manage"],
    "GET /api/tokens/all": ["tokens.manage"],
    "POST /api/tokens": ["account.manage"],
    "DELETE /api/tokens/{token_id}": ["account.manage"],
    "GET /api/audit": ["audit.read"],
    "PUT /api/streams/{stream}/share": ["stream.start"],
    "POST /api/pairing": ["pairing.create"],
    "POST /api/pairing/{code}/claim": ["public"],
    "GET /api/pairing/ca.pem": ["public"],
}
# Ids nobody has: an allowed request then ends in 404 or 422, never changes anything.
PLACEHOLDERS = {
    "user_id": "999999",
    "token_id": "999999",
    "stream": "st_000000000000",
    "code": "NOCODE22",
}


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsBackend]:
    url = f"sqlite:///{tmp_path_factory.mktemp('perm') / 'posestudio.db'}"
    with accounts_backend(url) as served:
        yield served


@pytest.fixture(scope="module")
def role_tokens(backend: AccountsBackend) -> dict[str, str]:
    """An API token of a person of each role."""
    tokens = {}
    for role in ROLES:
        person = backend.make_user(role)
        tokens[role] = backend.token_for(person["email"])
    return tokens


def _routes(backend: AccountsBackend) -> dict[str, list[str]]:
    return route_actions(backend.app)


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PLACEHOLDERS[m.group(1)], path)


def test_every_route_declares_one_action_and_the_account_routes_theirs(
    backend: AccountsBackend,
) -> None:
    actions = _routes(backend)
    assert {route: found for route, found in actions.items() if len(found) != 1} == {}
    assert {route: actions.get(route) for route in ACCOUNT_ROUTES} == ACCOUNT_ROUTES


def test_every_guarded_route_refuses_strangers_and_lower_roles_and_admits_its_role(
    backend: AccountsBackend, role_tokens: dict[str, str]
) -> None:
    checked = 0
    for route, (action,) in _routes(backend).items():
        if action == "public":
            continue
        method, path = route.split(" ")
        needed = LOWEST_ROLE[Action(action)]

        def call(token: str | None, method: str = method, path: str = path) -> httpx.Response:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return httpx.request(
                method, backend.url + _url(path), headers=headers, json={}, timeout=30
            )

        stranger = call(None)
        assert (stranger.status_code, stranger.json()["error"]["code"]) == (
            401,
            "UNAUTHORIZED",
        ), route
        for role in ROLES:
            response = call(role_tokens[role])
            if role_rank(role) < role_rank(needed):
                assert response.status_code == 403, (route, role)
                assert response.json()["error"]["code"] == "FORBIDDEN", (route, role)
            else:
                assert response.status_code not in (401, 403), (route, role, response.text)
        checked += 1
    assert checked >= len([a for a in ACCOUNT_ROUTES.values() if a != ["public"]])


def test_the_permission_table_covers_every_declared_action(backend: AccountsBackend) -> None:
    declared = {found[0] for found in _routes(backend).values()} - {"public"}
    assert declared <= {action.value for action in LOWEST_ROLE}
