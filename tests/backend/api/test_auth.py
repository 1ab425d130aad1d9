"""Browser sign-in through the real app: cookie, session expiry and revocation, disabled
people, rate limit, no account enumeration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from posestudio.accounts.models import BrowserSession
from tests.utils.accounts import PASSWORD, AccountsBackend, api, served_accounts

__all__ = ["api", "served_accounts"]


def test_sign_in_sets_an_http_only_lax_cookie_and_me_names_the_person(
    api: AccountsBackend,
) -> None:
    user = api.make_user("operator", "Op@Example.com")
    with api.client() as browser:
        response = browser.post(
            "/api/auth/login", json={"email": "op@example.com", "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # the test environment serves plain http on loopback
        assert "password_hash" not in response.text
        me = browser.get("/api/auth/me").json()
    assert me == {
        "subject": f"user:{user['id']}",
        "role": "operator",
        "display_name": "Operator",
        "user": user,
    }


def test_sign_out_revokes_the_session_on_the_server(api: AccountsBackend) -> None:
    api.make_user("viewer", "v@example.com")
    browser = api.signed_in("v@example.com")
    secret = browser.cookies["posestudio_session"]
    logout = browser.post("/api/auth/logout")
    assert logout.status_code == 204
    cleared = logout.headers["set-cookie"]
    assert cleared.startswith('posestudio_session=""') and "Max-Age=0" in cleared
    with api.client(cookies={"posestudio_session": secret}) as replay:
        refused = replay.get("/api/auth/me")
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "UNAUTHORIZED")


def test_an_expired_session_is_refused(api: AccountsBackend) -> None:
    api.make_user("viewer", "late@example.com")
    browser = api.signed_in("late@example.com")
    assert browser.get("/api/auth/me").status_code == 200
    with api.accounts.database.session() as session:
        stored = session.exec(select(BrowserSession)).one()
        stored.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(stored)
        session.commit()
    assert browser.get("/api/auth/me").status_code == 401


def test_a_disabled_persons_session_and_tokens_are_refused_at_once(api: AccountsBackend) -> None:
    person = api.make_user("operator", "gone@example.com")
    token = api.token_for("gone@example.com")
    browser = api.signed_in("gone@example.com")
    bearer = {"Authorization": f"Bearer {token}"}
    with api.client() as script:
        assert script.get("/api/auth/me", headers=bearer).status_code == 200
        with api.admin() as admin:
            changed = admin.patch(f"/api/users/{person['id']}", json={"disabled": True})
            assert changed.status_code == 200 and changed.json()["disabled"] is True
        assert browser.get("/api/auth/me").status_code == 401
        assert script.get("/api/auth/me", headers=bearer).status_code == 401
        again = script.post(
            "/api/auth/login", json={"email": "gone@example.com", "password": PASSWORD}
        )
    assert again.json()["error"]["code"] == "INVALID_CREDENTIALS"


def test_unknown_email_and_wrong_password_get_the_same_answer(api: AccountsBackend) -> None:
    api.make_user("viewer", "known@example.com")
    with api.client() as browser:
        unknown = browser.post(
            "/api/auth/login", json={"email": "unknown@example.com", "password": PASSWORD}
        )
        wrong = browser.post(
            "/api/auth/login", json={"email": "known@example.com", "password": "not-my-password"}
        )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert wrong.json()["error"]["code"] == "INVALID_CREDENTIALS"


def test_repeated_failures_are_rate_limited_even_for_the_right_password(
    api: AccountsBackend,
) -> None:
    api.make_user("viewer", "target@example.com")
    with api.client() as browser:
        for _ in range(3):  # login_failures_per_account in tests/utils/accounts.py
            failed = browser.post(
                "/api/auth/login", json={"email": "target@example.com", "password": "guess-guess"}
            )
            assert failed.status_code == 401
        limited = browser.post(
            "/api/auth/login", json={"email": "target@example.com", "password": PASSWORD}
        )
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert limited.json()["error"]["details"]["retry_after_s"] > 0
    assert "set-cookie" not in limited.headers


def test_the_bootstrap_token_is_an_admin_api_token(api: AccountsBackend) -> None:
    with api.admin() as admin:
        me = admin.get("/api/auth/me").json()
        assert (me["subject"], me["role"], me["user"]) == ("token", "admin", None)
        assert admin.get("/api/users").status_code == 200


def test_a_wrong_token_does_not_fall_back_to_the_cookie(api: AccountsBackend) -> None:
    api.make_user("viewer", "both@example.com")
    browser = api.signed_in("both@example.com")
    refused = browser.get("/api/auth/me", headers={"Authorization": "Bearer pst_wrong"})
    assert refused.status_code == 401


def test_changing_my_password_ends_my_other_sessions(api: AccountsBackend) -> None:
    api.make_user("viewer", "mover@example.com")
    laptop = api.signed_in("mover@example.com")
    phone = api.signed_in("mover@example.com")
    wrong = phone.post(
        "/api/auth/password",
        json={"current_password": "not-it-at-all", "new_password": "a-new-long-passphrase"},
    )
    weak = phone.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "password1234"}
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "INVALID_CREDENTIALS")
    assert (weak.status_code, weak.json()["error"]["code"]) == (400, "WEAK_PASSWORD")
    assert laptop.get("/api/auth/me").status_code == 200  # nothing changed yet
    changed = phone.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a-new-long-passphrase"},
    )
    assert changed.status_code == 204, changed.text
    new_cookie = changed.cookies["posestudio_session"]
    assert laptop.get("/api/auth/me").status_code == 401
    with api.client(cookies={"posestudio_session": new_cookie}) as renewed:
        assert renewed.get("/api/auth/me").status_code == 200
    api.signed_in("mover@example.com", "a-new-long-passphrase")
