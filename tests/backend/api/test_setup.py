"""First start: the one-time code creates the first admin, once."""

from __future__ import annotations

from sqlalchemy import delete

from posestudio.accounts.models import User
from tests.utils.accounts import PASSWORD, AccountsBackend, api, served_accounts

__all__ = ["api", "served_accounts"]


def _body(api: AccountsBackend, **changes: str) -> dict[str, str]:
    return {
        "code": api.accounts.setup.code,
        "email": "First.Admin@example.com",
        "password": PASSWORD,
        "display_name": "First Admin",
        **changes,
    }


def test_setup_creates_the_first_admin_signs_them_in_and_is_then_done(
    api: AccountsBackend,
) -> None:
    with api.client() as browser:
        assert browser.get("/api/setup").json() == {"needed": True}
        response = browser.post("/api/setup", json=_body(api))
        assert response.status_code == 201, response.text
        user = response.json()["user"]
        assert (user["email"], user["role"]) == ("first.admin@example.com", "admin")
        cookie = response.headers["set-cookie"]
        assert "posestudio_session=" in cookie
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        me = browser.get("/api/auth/me").json()
        assert (me["role"], me["subject"]) == ("admin", f"user:{user['id']}")
        assert browser.get("/api/setup").json() == {"needed": False}
        again = browser.post("/api/setup", json=_body(api, email="second@example.com"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "SETUP_DONE"
    with api.admin() as admin:
        assert [u["email"] for u in admin.get("/api/users").json()] == ["first.admin@example.com"]


def test_a_wrong_code_or_a_weak_password_creates_nobody(api: AccountsBackend) -> None:
    with api.client() as browser:
        wrong = browser.post("/api/setup", json=_body(api, code="not-the-code"))
        weak = browser.post("/api/setup", json=_body(api, password="password1234"))
        assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "BAD_SETUP_CODE")
        assert (weak.status_code, weak.json()["error"]["code"]) == (400, "WEAK_PASSWORD")
        assert "set-cookie" not in wrong.headers
        assert browser.get("/api/setup").json() == {"needed": True}


def test_the_code_is_spent_once_used(api: AccountsBackend) -> None:
    code = api.accounts.setup.code
    with api.client() as browser:
        assert browser.post("/api/setup", json=_body(api)).status_code == 201
        # Nobody has an account again (the database emptied by hand): the old code is
        # still refused, only the process's new one would do.
        with api.accounts.database.session() as session:
            session.execute(delete(User))
            session.commit()
        assert browser.get("/api/setup").json() == {"needed": True}
        reused = browser.post("/api/setup", json=_body(api, code=code))
    assert reused.json()["error"]["code"] == "BAD_SETUP_CODE"
