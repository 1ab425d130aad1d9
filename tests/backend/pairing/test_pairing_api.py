"""Phone pairing over real HTTPS with the generated local CA: an operator's code, claimed
once by a phone for a token that may start and stop streams and do nothing else."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import socketio

from posestudio.pairing.book import PHONE_SCOPES, PairingBook
from posestudio.pairing.tls import ensure_certificate
from posestudio_core.auth import ROLES, Credentials
from tests.utils.accounts import AccountsBackend, accounts_backend
from tests.utils.routes import route_actions


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tls-data")


@pytest.fixture(scope="module")
def served(tls_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsBackend]:
    tls = ensure_certificate(tls_dir)
    assert tls.ca is not None
    url = f"sqlite:///{tmp_path_factory.mktemp('pairing') / 'posestudio.db'}"
    with accounts_backend(
        url,
        server_options={"ssl_certfile": str(tls.cert)},
        https=True,
        data_dir=tls_dir,
        pairing_claim_failures_per_minute=5,
    ) as backend:
        backend.verify = ssl.create_default_context(cafile=str(tls.ca))
        yield backend


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def tokens(served: AccountsBackend) -> dict[str, str]:
    """An API token of a person of each role (made once: password hashing is slow)."""
    served.reset()
    return {role: served.token_for(served.make_user(role)["email"]) for role in ROLES}


@pytest.fixture
def api(served: AccountsBackend, tokens: dict[str, str]) -> AccountsBackend:
    """A fresh pairing book on a clock the test moves."""
    served.accounts.pairing = PairingBook(
        code_seconds=300, token_hours=1, claim_failures_per_minute=5, clock=Clock()
    )
    served.accounts.authenticator.pairing = served.accounts.pairing
    return served


def _pair(api: AccountsBackend, token: str) -> httpx.Response:
    with api.client(headers={"Authorization": f"Bearer {token}"}) as client:
        return client.post("/api/pairing")


def _claim(api: AccountsBackend, code: str) -> httpx.Response:
    with api.client() as phone:
        return phone.post(f"/api/pairing/{code}/claim")


def test_the_server_speaks_tls_only_with_the_local_ca_trusted(api: AccountsBackend) -> None:
    with httpx.Client(verify=True) as untrusting, pytest.raises(httpx.ConnectError):
        untrusting.get(api.url + "/health")
    with api.client() as trusting:
        assert trusting.get("/health").status_code == 200
        ca = trusting.get("/api/pairing/ca.pem")
    assert ca.status_code == 200
    assert ca.content.startswith(b"-----BEGIN CERTIFICATE-----")


def test_an_operator_pairs_and_the_code_works_once(
    api: AccountsBackend, tokens: dict[str, str]
) -> None:
    made = _pair(api, tokens["operator"])
    assert made.status_code == 201, made.text
    body = made.json()
    assert set(body) == {"code", "url", "expires_at", "secure"}
    assert body["secure"] is True
    assert body["url"].startswith("https://")
    assert body["url"].endswith(f"/#/capture?code={body['code']}")

    claimed = _claim(api, body["code"].lower())
    assert claimed.status_code == 200, claimed.text
    phone = claimed.json()
    assert phone["token"].startswith("psp_")
    assert set(phone["scopes"]) == PHONE_SCOPES
    assert phone["display_name"] == "Operator (phone)"

    again = _claim(api, body["code"])
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "BAD_PAIRING_CODE"
    assert again.json()["error"]["details"] == {"reason": "used"}


def test_an_expired_or_unknown_code_is_refused_with_its_reason(
    api: AccountsBackend, tokens: dict[str, str]
) -> None:
    code = _pair(api, tokens["operator"]).json()["code"]
    clock = api.accounts.pairing._clock
    assert isinstance(clock, Clock)
    clock.now += 301
    expired = _claim(api, code)
    assert (expired.status_code, expired.json()["error"]["details"]) == (400, {"reason": "expired"})
    unknown = _claim(api, "ZZZZZZZZ")
    assert unknown.json()["error"] == {
        "code": "BAD_PAIRING_CODE",
        "message": "no such pairing code: check it, or show a new QR code in the studio",
        "details": {"reason": "unknown"},
    }


def test_wrong_codes_from_one_address_are_rate_limited(
    api: AccountsBackend, tokens: dict[str, str]
) -> None:
    code = _pair(api, tokens["operator"]).json()["code"]
    for _ in range(5):
        assert _claim(api, "WRONG234").status_code == 400
    limited = _claim(api, code)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert limited.json()["error"]["details"]["retry_after_s"] >= 1


def test_viewers_strangers_and_phones_cannot_pair(
    api: AccountsBackend, tokens: dict[str, str]
) -> None:
    assert _pair(api, tokens["viewer"]).status_code == 403
    with api.client() as stranger:
        assert stranger.post("/api/pairing").status_code == 401
    code = _pair(api, tokens["operator"]).json()["code"]
    phone = _claim(api, code).json()["token"]
    # A phone must not mint itself new tokens: pairing is outside its scopes.
    refused = _pair(api, phone)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"] == {"action": "pairing.create", "role": "operator"}


def test_a_phone_token_is_refused_on_every_http_route(
    api: AccountsBackend, tokens: dict[str, str]
) -> None:
    phone = _claim(api, _pair(api, tokens["admin"]).json()["code"]).json()["token"]
    checked = 0
    with api.client(headers={"Authorization": f"Bearer {phone}"}) as client:
        for route, (action,) in route_actions(api.app).items():
            # Streaming over WebRTC (`stream.start`) is what a phone may do.
            if action == "public" or action in PHONE_SCOPES or "{" in route:
                continue
            method, path = route.split(" ")
            response = client.request(method, path, json={})
            assert response.status_code == 403, (route, response.text)
            checked += 1
    assert checked >= 10


async def test_a_phone_streams_over_wss_and_may_do_nothing_else(
    api: AccountsBackend, tokens: dict[str, str]
) -> None:
    phone = _claim(api, _pair(api, tokens["operator"]).json()["code"]).json()["token"]
    connector = aiohttp.TCPConnector(ssl=api.verify)
    async with aiohttp.ClientSession(connector=connector) as session:
        client = socketio.AsyncClient(http_session=session, reconnection=False)
        await client.connect(
            api.url, namespaces=["/pose"], auth={"token": phone}, transports=["websocket"]
        )
        try:
            started: dict[str, Any] = await client.call(
                "start", {"stream_id": "phone"}, namespace="/pose", timeout=60
            )
            assert started["ok"] is True, started
            with api.client(headers={"Authorization": f"Bearer {tokens['operator']}"}) as laptop:
                listed = laptop.get("/api/streams").json()["streams"]
            assert [(s["id"], s["paired"], s["owner"]) for s in listed] == [
                (started["id"], True, "Operator (phone)")
            ]
            watched = await client.call(
                "watch", {"stream": started["id"]}, namespace="/pose", timeout=10
            )
            assert (watched["ok"], watched["error"]["code"]) == (False, "FORBIDDEN")
            stopped = await client.call(
                "stop", {"stream_id": "phone"}, namespace="/pose", timeout=30
            )
            assert stopped == {"ok": True, "stream_id": "phone"}
        finally:
            await client.disconnect()


def test_a_phone_is_the_person_who_paired_it_as_they_are_now(api: AccountsBackend) -> None:
    person = api.make_user("operator")
    made = _pair(api, api.token_for(person["email"]))
    phone = _claim(api, made.json()["code"]).json()["token"]
    authenticator = api.accounts.authenticator

    def role() -> str | None:
        principal = authenticator.authenticate(Credentials(token=phone))
        return None if principal is None else principal.role

    assert role() == "operator"
    with api.admin() as admin:
        demoted = admin.patch(f"/api/users/{person['id']}", json={"role": "viewer"})
        assert demoted.status_code == 200, demoted.text
        assert role() == "viewer"
        disabled = admin.patch(f"/api/users/{person['id']}", json={"disabled": True})
        assert disabled.status_code == 200, disabled.text
    assert role() is None
