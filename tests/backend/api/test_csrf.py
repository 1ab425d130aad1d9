"""CSRF: unsafe cookie-authenticated requests need this studio's Origin."""

from __future__ import annotations

from tests.utils.accounts import AccountsBackend, api, served_accounts

__all__ = ["api", "served_accounts"]


def test_a_foreign_or_missing_origin_is_refused_for_a_cookie_session(
    api: AccountsBackend,
) -> None:
    api.make_user("operator", "csrf@example.com")
    browser = api.signed_in("csrf@example.com")
    cookie = {"posestudio_session": browser.cookies["posestudio_session"]}
    body = {"name": "from a form"}
    with api.client(cookies=cookie, headers={"Origin": "https://evil.example"}) as evil:
        foreign = evil.post("/api/tokens", json=body)
        logout = evil.post("/api/auth/logout")
    with api.client(cookies=cookie) as same_site:
        same_site.headers.pop("Origin")
        missing = same_site.post("/api/tokens", json=body)
    for refused in (foreign, logout, missing):
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "CSRF_REFUSED"
    assert browser.get("/api/tokens").json() == []  # nothing made, still signed in
    assert browser.post("/api/tokens", json=body).status_code == 201


def test_a_foreign_origin_cannot_sign_in_or_set_up(api: AccountsBackend) -> None:
    api.make_user("viewer", "x@example.com")
    with api.client(headers={"Origin": "http://127.0.0.1:1"}) as evil:
        login = evil.post("/api/auth/login", json={"email": "x@example.com", "password": "p"})
        setup = evil.post("/api/setup", json={})
    assert login.json()["error"]["code"] == setup.json()["error"]["code"] == "CSRF_REFUSED"


def test_bearer_clients_without_origin_are_not_affected(api: AccountsBackend) -> None:
    api.make_user("viewer", "bearer@example.com")
    token = api.token_for("bearer@example.com")
    with api.client(headers={"Authorization": f"Bearer {token}"}) as script:
        script.headers.pop("Origin")
        created = script.post("/api/tokens", json={"name": "scripted"})
    assert created.status_code == 201
