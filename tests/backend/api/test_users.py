"""People through the API: admins only; every bad input gets its error and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils.accounts import PASSWORD, AccountsBackend, api, served_accounts

__all__ = ["api", "served_accounts"]

SQL = "'; DROP TABLE users; --"


def _people(api: AccountsBackend) -> list[dict[str, Any]]:
    with api.admin() as admin:
        people: list[dict[str, Any]] = admin.get("/api/users").json()
    return people


def _new(**changes: Any) -> dict[str, Any]:
    return {
        "email": "new@example.com",
        "display_name": "New",
        "role": "viewer",
        "password": PASSWORD,
        **changes,
    }


def test_an_admin_creates_changes_resets_and_deletes_people(api: AccountsBackend) -> None:
    with api.admin() as admin:
        created = admin.post("/api/users", json=_new(role="operator"))
        assert created.status_code == 201, created.text
        person = created.json()
        assert "password" not in person and "password_hash" not in person
        path = f"/api/users/{person['id']}"
        assert admin.get(path).json() == person
        changed = admin.patch(path, json={"role": "viewer", "display_name": "Renamed"}).json()
        assert (changed["role"], changed["display_name"]) == ("viewer", "Renamed")
        browser = api.signed_in("new@example.com")
        reset = admin.post(f"{path}/password", json={"password": "a-brand-new-passphrase"})
        assert reset.status_code == 204
        assert browser.get("/api/auth/me").status_code == 401  # sessions end on reset
        api.signed_in("new@example.com", "a-brand-new-passphrase")
        assert admin.delete(path).status_code == 204
        gone = admin.get(path)
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "UNKNOWN_USER")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (_new(email="NEW@example.com"), 409, "EMAIL_TAKEN"),
        (_new(email="new@example.com" + " "), 409, "EMAIL_TAKEN"),
        (_new(email="not an email"), 422, "BAD_REQUEST"),
        (_new(email="x" * 300 + "@example.com"), 422, "BAD_REQUEST"),
        (_new(email="other@example.com", display_name="d" * 101), 422, "BAD_REQUEST"),
        (_new(email="other@example.com", password="p" * 1000), 422, "BAD_REQUEST"),
        (_new(email="other@example.com", password="password1234"), 400, "WEAK_PASSWORD"),
        (_new(email="other@example.com", password="short"), 400, "WEAK_PASSWORD"),
        (_new(email="other@example.com", role="root"), 422, "BAD_REQUEST"),
        (_new(email=f"{SQL}@example.com"), 422, "BAD_REQUEST"),
    ],
)
def test_bad_input_gets_its_error_and_changes_nothing(
    api: AccountsBackend, body: dict[str, Any], status: int, code: str
) -> None:
    api.make_user("viewer", "new@example.com")
    before = _people(api)
    with api.admin() as admin:
        response = admin.post("/api/users", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert _people(api) == before


def test_sql_metacharacters_in_every_field_are_plain_text(api: AccountsBackend) -> None:
    with api.admin() as admin:
        created = admin.post(
            "/api/users",
            json=_new(email="o'reilly+x@example.com", display_name=SQL, password=SQL + "-long"),
        )
        assert created.status_code == 201, created.text
        assert created.json()["display_name"] == SQL
        api.signed_in("O'Reilly+x@example.com", SQL + "-long")
        listed = admin.get("/api/audit", params={"action": SQL}).json()
    assert listed["total"] == 0
    assert len(_people(api)) == 1


def test_operators_and_viewers_cannot_manage_people_or_raise_their_own_role(
    api: AccountsBackend,
) -> None:
    for role in ("operator", "viewer"):
        person = api.make_user(role)
        before = _people(api)
        with api.signed_in(person["email"]) as browser:
            attempts = [
                browser.patch(f"/api/users/{person['id']}", json={"role": "admin"}),
                browser.post("/api/users", json=_new(email=f"sock-{role}@example.com")),
                browser.get("/api/users"),
                browser.delete(f"/api/users/{person['id']}"),
            ]
        for response in attempts:
            assert response.status_code == 403, response.text
            assert response.json()["error"]["code"] == "FORBIDDEN"
        assert _people(api) == before


def test_the_last_admin_cannot_demote_or_disable_themselves(api: AccountsBackend) -> None:
    admin_user = api.make_user("admin", "only@example.com")
    with api.signed_in("only@example.com") as browser:
        demote = browser.patch(f"/api/users/{admin_user['id']}", json={"role": "viewer"})
        disable = browser.patch(f"/api/users/{admin_user['id']}", json={"disabled": True})
    assert demote.json()["error"]["code"] == disable.json()["error"]["code"] == "LAST_ADMIN"
    assert _people(api)[0]["role"] == "admin"


def test_bad_changes_and_a_weak_reset_change_nothing(api: AccountsBackend) -> None:
    person = api.make_user("viewer", "steady@example.com")
    path = f"/api/users/{person['id']}"
    with api.admin() as admin:
        role = admin.patch(path, json={"role": "owner"})
        name = admin.patch(path, json={"display_name": "n" * 101})
        weak = admin.post(f"{path}/password", json={"password": "password1234"})
        missing = admin.patch("/api/users/999999", json={"role": "admin"})
        bad_id = admin.get("/api/users/0")
    assert (role.status_code, role.json()["error"]["code"]) == (422, "BAD_REQUEST")
    assert (name.status_code, name.json()["error"]["code"]) == (422, "BAD_REQUEST")
    assert (weak.status_code, weak.json()["error"]["code"]) == (400, "WEAK_PASSWORD")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "UNKNOWN_USER")
    assert bad_id.status_code == 422
    assert [p for p in _people(api) if p["id"] == person["id"]] == [person]
    api.signed_in("steady@example.com")  # the old password still works
