"""`require(action)` on a real app over a real socket: credentials in, a principal or an
error out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from posestudio_core.auth import SESSION_COOKIE, Credentials, Principal
from posestudio_core.deps import require
from posestudio_core.errors import PoseStudioError
from posestudio_core.permissions import Action
from tests.utils.servers import uvicorn_server


class TableAuthenticator:
    """Tokens and sessions looked up in a table, as a user store would."""

    def __init__(self) -> None:
        self.seen: list[Credentials] = []

    def authenticate(self, credentials: Credentials) -> Principal | None:
        self.seen.append(credentials)
        table = {
            "viewer-token": Principal("user:1", "viewer"),
            "admin-token": Principal("user:2", "admin"),
        }
        sessions = {"viewer-session": Principal("user:1", "viewer")}
        if credentials.token in table:
            return table[credentials.token]
        return sessions.get(credentials.session or "")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, TableAuthenticator]]:
    app = FastAPI()
    authenticator = TableAuthenticator()
    app.state.authenticator = authenticator

    @app.exception_handler(PoseStudioError)
    async def _error(_: Request, exc: PoseStudioError) -> JSONResponse:
        return JSONResponse({"error": exc.to_wire()}, status_code=exc.http_status)

    @app.get("/engines")
    def engines(who: Annotated[Principal, Depends(require(Action.ENGINES_READ))]) -> str:
        return who.subject

    @app.get("/users")
    def users(who: Annotated[Principal, Depends(require(Action.USERS_MANAGE))]) -> str:
        return who.subject

    with uvicorn_server(app) as url:
        yield url, authenticator


def test_the_bearer_header_the_query_and_the_session_cookie_all_authenticate(
    served: tuple[str, TableAuthenticator],
) -> None:
    url, _ = served
    by_header = httpx.get(f"{url}/engines", headers={"Authorization": "Bearer viewer-token"})
    by_query = httpx.get(f"{url}/engines", params={"token": "viewer-token"})
    by_cookie = httpx.get(f"{url}/engines", cookies={SESSION_COOKIE: "viewer-session"})
    for response in (by_header, by_query, by_cookie):
        assert response.status_code == 200, response.text
        assert response.json() == "user:1"


def test_the_header_wins_over_the_query(served: tuple[str, TableAuthenticator]) -> None:
    url, _ = served
    response = httpx.get(
        f"{url}/users",
        params={"token": "viewer-token"},
        headers={"Authorization": "Bearer admin-token"},
    )
    assert response.status_code == 200
    assert response.json() == "user:2"


def test_the_client_address_reaches_the_authenticator(
    served: tuple[str, TableAuthenticator],
) -> None:
    url, authenticator = served
    httpx.get(f"{url}/engines", headers={"Authorization": "Bearer viewer-token"})
    assert authenticator.seen[-1].client == "127.0.0.1"


def test_no_or_wrong_credentials_are_unauthorized(served: tuple[str, TableAuthenticator]) -> None:
    url, _ = served
    for headers in ({}, {"Authorization": "Bearer nobody"}):
        response = httpx.get(f"{url}/engines", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_a_role_below_the_action_is_forbidden(served: tuple[str, TableAuthenticator]) -> None:
    url, _ = served
    response = httpx.get(f"{url}/users", headers={"Authorization": "Bearer viewer-token"})
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "FORBIDDEN",
            "message": "not allowed to users.manage",
            "details": {"action": "users.manage", "role": "viewer"},
        }
    }
