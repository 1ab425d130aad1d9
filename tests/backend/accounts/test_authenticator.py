"""DbAuthenticator: the bootstrap token, API tokens and session cookies, on SQLite and
PostgreSQL; and Socket.IO connections through it on a real server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import socketio

from posestudio.accounts import tokens
from posestudio.accounts.authenticator import DbAuthenticator
from posestudio.accounts.models import ApiTokenCreate
from posestudio.accounts.sessions import create_session, end_session
from posestudio.client import PoseClient, PoseClientError
from posestudio.db.database import Database
from posestudio_core.auth import Credentials, Principal
from tests.backend.accounts.factories import make_user
from tests.utils.accounts import BOOTSTRAP_TOKEN, accounts_backend
from tests.utils.server import wait_until


def test_credentials_name_the_right_principal(database: Database) -> None:
    person = make_user(database, "operator")
    with database.session() as session:
        token = tokens.create_token(
            session=session, owner=person, data=ApiTokenCreate(name="t", role="viewer"), actor="t"
        ).token
        cookie = create_session(session=session, user=person, ttl=timedelta(hours=1))
        session.commit()
    auth = DbAuthenticator(database, bootstrap_token=BOOTSTRAP_TOKEN)
    subject = person.subject
    assert auth.authenticate(Credentials(token=BOOTSTRAP_TOKEN)) == Principal("token", "admin")
    assert auth.authenticate(Credentials(token=token)) == Principal(
        subject, "viewer", person.display_name
    )
    assert auth.authenticate(Credentials(session=cookie)) == Principal(
        subject, "operator", person.display_name
    )
    for wrong in (
        Credentials(),
        Credentials(token="pst_" + "x" * 43),
        Credentials(token="not-a-token"),
        Credentials(session="nope"),
        Credentials(token="pst_wrong", session=cookie),
    ):
        assert auth.authenticate(wrong) is None
    with database.session() as session:
        end_session(session=session, secret=cookie)
        session.commit()
    assert auth.authenticate(Credentials(session=cookie)) is None


def test_without_a_bootstrap_token_only_accounts_get_in(database: Database) -> None:
    auth = DbAuthenticator(database, bootstrap_token=None)
    assert auth.authenticate(Credentials(token=BOOTSTRAP_TOKEN)) is None


async def _connect(url: str, *, token: str | None = None, cookie: str | None = None) -> object:
    """ "connected", or the refusal's `{code, message}`."""
    client = socketio.AsyncClient(reconnection=False)
    refusals: list[object] = []
    client.on("connect_error", refusals.append, namespace="/pose")
    headers = {"Cookie": f"posestudio_session={cookie}"} if cookie else {}
    auth = {"token": token} if token else None
    try:
        await client.connect(
            url, namespaces=["/pose"], transports=["websocket"], headers=headers, auth=auth
        )
    except socketio.exceptions.ConnectionError:
        return refusals[0] if refusals else "refused"
    await client.disconnect()
    return "connected"


@pytest.mark.parametrize("kind", ["cookie", "token"])
async def test_socketio_connects_with_a_session_cookie_or_an_api_token(
    tmp_path: Path, kind: str
) -> None:
    with accounts_backend(f"sqlite:///{tmp_path / 'posestudio.db'}") as backend:
        person = backend.make_user("viewer", "watcher@example.com")
        if kind == "cookie":
            browser = backend.signed_in("watcher@example.com")
            secret = browser.cookies["posestudio_session"]
            credentials = {"cookie": secret}
        else:
            credentials = {"token": backend.token_for("watcher@example.com")}
        assert await _connect(backend.url, **credentials) == "connected"
        with backend.admin() as admin:
            admin.patch(f"/api/users/{person['id']}", json={"disabled": True})
        refused = await _connect(backend.url, **credentials)
    assert refused == {
        "message": "missing or wrong token",
        "data": {"code": "UNAUTHORIZED", "message": "missing or wrong token"},
    }


async def test_a_viewers_token_connects_but_cannot_start_a_stream(tmp_path: Path) -> None:
    with accounts_backend(f"sqlite:///{tmp_path / 'posestudio.db'}") as backend:
        wait_until(lambda: httpx.get(f"{backend.url}/ready").status_code == 200, 120)
        tokens_by_role = {}
        for role in ("viewer", "operator"):
            person = backend.make_user(role)
            tokens_by_role[role] = backend.token_for(person["email"])
        async with PoseClient(backend.url, tokens_by_role["viewer"], reconnect=False) as viewer:
            with pytest.raises(PoseClientError) as refused:
                await viewer.start("cam0")
            assert refused.value.code == "FORBIDDEN"
            assert refused.value.error["details"] == {"action": "stream.start", "role": "viewer"}
        async with PoseClient(backend.url, tokens_by_role["operator"], reconnect=False) as op:
            started = await op.start("cam0")
            assert started["ok"] is True
            await op.stop("cam0")
