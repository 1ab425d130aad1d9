"""`connect_principal` on a real Socket.IO server: credentials from the handshake, the
refusal clients read as `{message, data: {code, message}}`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from posestudio_core.auth import SESSION_COOKIE, Credentials, Principal
from posestudio_core.permissions import Action
from posestudio_core.sockets import connect_principal
from tests.utils.servers import uvicorn_server


class TableAuthenticator:
    def __init__(self) -> None:
        self.seen: list[Credentials] = []

    def authenticate(self, credentials: Credentials) -> Principal | None:
        self.seen.append(credentials)
        if credentials.token == "viewer-token" or credentials.session == "viewer-session":
            return Principal("user:1", "viewer")
        return None


class Guarded(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(self, authenticator: TableAuthenticator, action: Action) -> None:
        super().__init__(f"/{action.value}")
        self.authenticator = authenticator
        self.action = action

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        principal = connect_principal(self.authenticator, environ, auth, self.action)
        await self.save_session(sid, {"subject": principal.subject})


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, TableAuthenticator]]:
    authenticator = TableAuthenticator()
    actions = [Action.CONNECT, Action.USERS_MANAGE]
    sio = socketio.AsyncServer(async_mode="asgi", namespaces=[f"/{a.value}" for a in actions])
    for action in actions:
        sio.register_namespace(Guarded(authenticator, action))
    with uvicorn_server(socketio.ASGIApp(sio)) as url:
        yield url, authenticator


async def attempt(
    url: str, namespace: str, auth: Any = None, headers: dict[str, str] | None = None
) -> list[Any]:
    """Connect; the refusals the client saw (empty: it connected)."""
    client = socketio.AsyncClient(reconnection=False)
    refusals: list[Any] = []

    async def refused(data: Any = None) -> None:
        refusals.append(data)

    client.on("connect_error", refused, namespace=namespace)
    try:
        await client.connect(
            url, namespaces=[namespace], auth=auth, headers=headers or {}, wait_timeout=10
        )
    except socketio.exceptions.ConnectionError:
        assert refusals
    finally:
        await client.disconnect()
    return refusals


async def test_a_token_or_a_session_cookie_connects(
    served: tuple[str, TableAuthenticator],
) -> None:
    url, authenticator = served
    assert await attempt(url, "/connect", auth={"token": "viewer-token"}) == []
    assert authenticator.seen[-1].client == "127.0.0.1"
    cookie = {"Cookie": f"{SESSION_COOKIE}=viewer-session"}
    assert await attempt(url, "/connect", headers=cookie) == []
    assert authenticator.seen[-1].session == "viewer-session"


async def test_strangers_are_refused_as_unauthorized(
    served: tuple[str, TableAuthenticator],
) -> None:
    url, _ = served
    for auth in (None, {"token": "wrong"}, {"token": 7}):
        assert await attempt(url, "/connect", auth=auth) == [
            {
                "message": "missing or wrong token",
                "data": {"code": "UNAUTHORIZED", "message": "missing or wrong token"},
            }
        ]


async def test_a_role_below_the_action_is_refused_as_forbidden(
    served: tuple[str, TableAuthenticator],
) -> None:
    url, _ = served
    assert await attempt(url, "/users.manage", auth={"token": "viewer-token"}) == [
        {
            "message": "not allowed to users.manage",
            "data": {"code": "FORBIDDEN", "message": "not allowed to users.manage"},
        }
    ]
