"""The audit log through the API: admins only, newest first, paginated."""

from __future__ import annotations

from tests.utils.accounts import PASSWORD, AccountsBackend, api, served_accounts

__all__ = ["api", "served_accounts"]


def test_sign_ins_tokens_and_people_are_logged_newest_first(api: AccountsBackend) -> None:
    person = api.make_user("operator", "logged@example.com")
    with api.client() as browser:
        browser.post(
            "/api/auth/login", json={"email": "logged@example.com", "password": "nope-nope"}
        )
    token = api.token_for("logged@example.com")
    with api.admin() as admin:
        admin.patch(f"/api/users/{person['id']}", json={"role": "viewer"})
        admin.patch(f"/api/users/{person['id']}", json={"disabled": True})
        page = admin.get("/api/audit").json()
    actions = [event["action"] for event in page["events"]]
    assert actions == [
        "user.disabled",
        "user.role_changed",
        "token.created",
        "auth.login.success",
        "auth.login.failure",
        "user.created",
    ]
    assert page["total"] == 6
    failure = page["events"][4]
    assert (failure["target"], failure["client"]) == ("logged@example.com", "127.0.0.1")
    assert failure["details"] == {"reason": "wrong_password"}
    assert page["events"][1]["details"] == {"from": "operator", "to": "viewer"}
    assert token not in str(page)
    assert PASSWORD not in str(page)


def test_pages_and_the_action_filter(api: AccountsBackend) -> None:
    for _ in range(5):
        api.make_user("viewer")
    with api.admin() as admin:
        first = admin.get("/api/audit", params={"limit": 2}).json()
        rest = admin.get("/api/audit", params={"limit": 2, "offset": 2}).json()
        created = admin.get("/api/audit", params={"action": "user.created"}).json()
        bad = admin.get("/api/audit", params={"limit": 0})
    assert (first["total"], len(first["events"]), first["limit"]) == (5, 2, 2)
    assert first["events"][0]["id"] > first["events"][1]["id"] > rest["events"][0]["id"]
    assert created["total"] == 5
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "BAD_REQUEST")


def test_only_admins_read_the_audit_log(api: AccountsBackend) -> None:
    api.make_user("operator", "curious@example.com")
    with api.signed_in("curious@example.com") as browser:
        refused = browser.get("/api/audit")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")
    with api.client() as anonymous:
        assert anonymous.get("/api/audit").status_code == 401
