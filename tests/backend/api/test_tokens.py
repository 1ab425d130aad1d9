"""API tokens through the API: shown once, role capped at the owner's, revocable."""

from __future__ import annotations

import pytest

from tests.utils.accounts import AccountsBackend, api, served_accounts

__all__ = ["api", "served_accounts"]


def test_a_token_is_shown_once_works_and_stops_when_revoked(api: AccountsBackend) -> None:
    api.make_user("operator", "op@example.com")
    with api.signed_in("op@example.com") as browser:
        created = browser.post("/api/tokens", json={"name": "camera", "role": "viewer"})
        assert created.status_code == 201, created.text
        secret = created.json()["token"]
        listed = browser.get("/api/tokens").json()
        assert [t["name"] for t in listed] == ["camera"]
        assert "token" not in listed[0] and "token_hash" not in listed[0]
        bearer = {"Authorization": f"Bearer {secret}"}
        with api.client() as script:
            me = script.get("/api/auth/me", headers=bearer).json()
            assert (me["role"], me["display_name"]) == ("viewer", "Operator")
            assert browser.get("/api/tokens").json()[0]["last_used_at"] is not None
            revoked = browser.delete(f"/api/tokens/{created.json()['id']}")
            assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
            assert script.get("/api/auth/me", headers=bearer).status_code == 401


def test_a_token_above_the_owners_role_is_refused_and_nothing_is_made(
    api: AccountsBackend,
) -> None:
    api.make_user("operator", "climb@example.com")
    with api.signed_in("climb@example.com") as browser:
        refused = browser.post("/api/tokens", json={"name": "up", "role": "admin"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "ROLE_TOO_HIGH")
        assert browser.get("/api/tokens").json() == []


def test_a_demoted_owners_token_acts_with_the_lower_role(api: AccountsBackend) -> None:
    person = api.make_user("operator", "demoted@example.com")
    token = api.token_for("demoted@example.com")
    with api.admin() as admin:
        admin.patch(f"/api/users/{person['id']}", json={"role": "viewer"})
        me = admin.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "viewer"


def test_a_deleted_persons_token_is_refused(api: AccountsBackend) -> None:
    person = api.make_user("operator", "deleted@example.com")
    token = api.token_for("deleted@example.com")
    with api.admin() as admin:
        assert admin.delete(f"/api/users/{person['id']}").status_code == 204
        refused = admin.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


def test_only_the_owner_or_an_admin_revokes_and_lists_all(api: AccountsBackend) -> None:
    api.make_user("operator", "owner@example.com")
    api.make_user("operator", "other@example.com")
    api.token_for("owner@example.com")
    with api.admin() as admin:
        token_id = admin.get("/api/tokens/all").json()[0]["id"]
    with api.signed_in("other@example.com") as other:
        refused = other.delete(f"/api/tokens/{token_id}")
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")
        assert other.get("/api/tokens/all").status_code == 403
        missing = other.delete("/api/tokens/999999")
        assert missing.json()["error"]["code"] == "UNKNOWN_TOKEN"
    with api.admin() as admin:
        assert admin.get("/api/tokens/all").json()[0]["revoked_at"] is None
        assert admin.delete(f"/api/tokens/{token_id}").json()["revoked_at"] is not None


def test_the_bootstrap_token_owns_no_tokens(api: AccountsBackend) -> None:
    with api.admin() as admin:
        assert admin.get("/api/tokens").json() == []
        refused = admin.post("/api/tokens", json={"name": "x"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "BAD_REQUEST")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "n" * 101}, 422, "BAD_REQUEST"),
        ({"name": ""}, 422, "BAD_REQUEST"),
        ({"name": "x", "role": "root"}, 422, "BAD_REQUEST"),
        ({"name": "x", "expires_at": "not a time"}, 422, "BAD_REQUEST"),
        ({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, 400, "BAD_REQUEST"),
    ],
)
def test_bad_token_input_gets_its_error_and_makes_nothing(
    api: AccountsBackend, body: dict[str, str], status: int, code: str
) -> None:
    api.make_user("operator", "maker@example.com")
    with api.signed_in("maker@example.com") as browser:
        response = browser.post("/api/tokens", json=body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
        assert browser.get("/api/tokens").json() == []


def test_sql_metacharacters_in_a_token_name_are_plain_text(api: AccountsBackend) -> None:
    api.make_user("viewer", "sql@example.com")
    name = "x'); DELETE FROM api_tokens; --"
    with api.signed_in("sql@example.com") as browser:
        assert browser.post("/api/tokens", json={"name": name}).status_code == 201
        assert [t["name"] for t in browser.get("/api/tokens").json()] == [name]
