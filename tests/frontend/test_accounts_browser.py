"""People and roles in the studio, in headless Chromium against the real backend with
accounts on a fresh SQLite database: the first admin from the printed setup URL, sign-in,
people made on the admin page, an operator streaming and sharing the stream, a viewer
watching it without camera controls, and a viewer's API token refused a stream."""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import socketio
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.utils.axe import axe_violations
from tests.utils.studio_backend import Backend

pytestmark = pytest.mark.browser

ADMIN = ("coach@example.com", "Coach", "violet-tram-under-rain-7")
OPERATOR = ("op@example.com", "Olga Operator", "amber-kite-over-field-3")
VIEWER = ("viewer@example.com", "Vic Viewer", "silent-harbour-lamp-9")
SETUP_URL = re.compile(r"(http://\S+/setup\?code=\S+)")


def _printed_setup_url(backend: Backend, timeout: float = 30.0) -> str:
    """The setup URL `posestudio serve` printed (it prints it just after it starts serving)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = SETUP_URL.search(backend.log_path.read_text(errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.1)  # polling the log, not standing in for synchronisation
    raise AssertionError(f"no setup URL printed: {backend.log_path.read_text()[-2000:]}")


def _ensure_first_admin(backend: Backend) -> None:
    """The first admin through the API, unless a test before made them in the studio."""
    if httpx.get(f"{backend.url}/api/setup").json()["needed"]:
        code = parse_qs(urlsplit(_printed_setup_url(backend)).query)["code"][0]
        body = {"code": code, "email": ADMIN[0], "display_name": ADMIN[1], "password": ADMIN[2]}
        made = httpx.post(f"{backend.url}/api/setup", json=body, headers={"Origin": backend.url})
        assert made.status_code == 201, made.text


def _sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _signed_in_context(browser: Browser, backend: Backend, who: tuple[str, str, str]) -> Page:
    context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{backend.url}/")
    expect(page.get_by_test_id("signin-page")).to_be_visible()
    _sign_in(page, who[0], who[2])
    expect(page.get_by_test_id("account-name")).to_have_text(who[1])
    return page


def _add_person(page: Page, who: tuple[str, str, str], role: str) -> None:
    page.get_by_test_id("user-email").fill(who[0])
    page.get_by_test_id("user-name").fill(who[1])
    page.get_by_test_id("user-role").select_option(role)
    page.get_by_test_id("user-password").fill(who[2])
    page.get_by_test_id("user-create").click()
    row = page.locator(f'[data-testid=user-row][data-email="{who[0]}"]')
    expect(row.get_by_test_id("user-row-role")).to_have_value(role)
    expect(row.get_by_test_id("user-state")).to_have_text("active")


async def _start_with_token(url: str, token: str) -> dict[str, Any]:
    """Connect to /pose with an API token and ask for a stream: the `start` reply."""
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, namespaces=["/pose"], transports=["websocket"], auth={"token": token})
    try:
        reply: dict[str, Any] = await client.call(
            "start", {"stream_id": "cam0"}, namespace="/pose", timeout=15
        )
        return reply
    finally:
        await client.disconnect()


def test_people_and_roles_from_setup_to_streaming(
    browser: Browser, accounts_backend: Backend, artifacts: Path
) -> None:
    backend = accounts_backend
    printed = _printed_setup_url(backend)
    assert printed.startswith(f"{backend.url}/setup?code=")

    # First start: the printed URL's code opens the studio's setup page; a wrong one is refused.
    admin_context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = admin_context.new_page()
    page.goto(f"{backend.url}/#/setup?code=not-the-code")
    expect(page.get_by_test_id("setup-page")).to_be_visible()
    page.get_by_label("Display name").fill(ADMIN[1])
    page.get_by_label("Email").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[2])
    page.get_by_role("button", name="Create admin").click()
    expect(page.get_by_test_id("setup-error")).to_contain_text("Wrong setup code")

    # The printed URL as it is: /setup serves the studio, which moves the code into its route.
    page.goto(printed)
    expect(page.get_by_test_id("setup-page")).to_be_visible()
    assert "/#/setup?code=" in page.url
    page.get_by_label("Display name").fill(ADMIN[1])
    page.get_by_label("Email").fill(ADMIN[0])
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create admin").click()
    # The browser's own minlength check stops it first; past it, the server's rule speaks.
    page.get_by_label("Password").fill("password1234")
    page.get_by_role("button", name="Create admin").click()
    expect(page.get_by_test_id("setup-error")).to_contain_text("Choose another password")
    assert axe_violations(page) == []
    page.get_by_label("Password").fill(ADMIN[2])
    page.screenshot(path=str(artifacts / "accounts-setup.png"))
    page.get_by_role("button", name="Create admin").click()
    expect(page.get_by_test_id("account-name")).to_have_text(ADMIN[1])
    expect(page.get_by_test_id("empty-add-stream")).to_be_visible()
    assert "code=" not in page.url
    cookie = next(c for c in admin_context.cookies() if c["name"] == "posestudio_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert httpx.get(f"{backend.url}/api/setup").json() == {"needed": False}

    # Sign out, then in again: a wrong password is said readably, the right one lets in.
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("signin-page")).to_be_visible()
    _sign_in(page, ADMIN[0], "not-the-password-at-all")
    expect(page.get_by_test_id("signin-error")).to_have_text("Wrong email or password.")
    page.screenshot(path=str(artifacts / "accounts-signin.png"))
    assert axe_violations(page) == []
    _sign_in(page, ADMIN[0], ADMIN[2])
    expect(page.get_by_test_id("account-name")).to_have_text(ADMIN[1])
    page.reload()
    expect(page.get_by_test_id("account-name")).to_have_text(ADMIN[1])

    # The admin page: an operator and a viewer; the route survives a reload.
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("menu-admin").click()
    expect(page.get_by_test_id("admin-page")).to_be_visible()
    assert page.url.endswith("#/admin/users")
    _add_person(page, OPERATOR, "operator")
    _add_person(page, VIEWER, "viewer")
    page.reload()
    expect(page.locator("[data-testid=user-row]")).to_have_count(3)
    page.screenshot(path=str(artifacts / "accounts-admin-people.png"), full_page=True)
    assert axe_violations(page) == []
    page.get_by_test_id("admin-tab-audit").click()
    expect(page.locator("[data-testid=audit-row][data-action='user.created']")).to_have_count(3)
    expect(page.locator("[data-testid=audit-row][data-action='auth.login.failure']")).to_have_count(
        1
    )
    page.screenshot(path=str(artifacts / "accounts-admin-audit.png"), full_page=True)
    assert axe_violations(page) == []

    # The operator streams the fake camera.
    operator = _signed_in_context(browser, backend, OPERATOR)
    operator.get_by_test_id("empty-add-stream").click()
    expect(operator.get_by_test_id("stream-status")).to_have_text("live", timeout=90_000)
    expect(operator.get_by_test_id("landmark-count")).to_have_text("33", timeout=30_000)
    operator.screenshot(path=str(artifacts / "accounts-operator-streaming.png"))

    # The viewer signs in in a second browser context: no camera controls, no admin page.
    viewer = _signed_in_context(browser, backend, VIEWER)
    expect(viewer.get_by_test_id("connection-status")).to_have_text("connected")
    expect(viewer.get_by_test_id("viewer-empty")).to_be_visible()
    expect(viewer.get_by_test_id("empty-add-stream")).to_have_count(0)
    expect(viewer.get_by_test_id("add-stream")).to_have_count(0)
    expect(viewer.get_by_test_id("watch-empty")).to_be_visible()

    # The operator shares the live stream with the viewer, who watches it read-only.
    operator.get_by_test_id("share-toggle").click()
    operator.get_by_test_id("share-emails").fill(f"{VIEWER[0]}, ")
    operator.get_by_test_id("share-submit").click()
    expect(operator.get_by_test_id("share-message")).to_have_text(f"Shared with {VIEWER[0]}")
    item = viewer.get_by_test_id("watch-item")
    expect(item).to_have_count(1, timeout=15_000)
    expect(item).to_contain_text(OPERATOR[1])
    item.get_by_test_id("watch-open").click()
    tile = viewer.get_by_test_id("watch-tile")
    expect(tile.get_by_test_id("watch-status")).to_have_text("watching")
    expect(tile.get_by_test_id("watch-landmarks")).to_have_text("33", timeout=30_000)
    expect(tile.get_by_test_id("pose-overlay")).to_have_attribute(
        "data-seq", re.compile(r"^\d+$"), timeout=30_000
    )
    expect(viewer.get_by_test_id("empty-add-stream")).to_have_count(0)
    expect(viewer.get_by_test_id("stream-toggle")).to_have_count(0)
    expect(viewer.get_by_test_id("share-toggle")).to_have_count(0)
    viewer.screenshot(path=str(artifacts / "accounts-viewer-watching.png"), full_page=True)
    assert axe_violations(viewer) == []
    tile.get_by_test_id("watch-close").click()
    expect(viewer.get_by_test_id("watch-tile")).to_have_count(0)
    viewer.get_by_test_id("account-menu").click()
    expect(viewer.get_by_test_id("menu-admin")).to_have_count(0)
    viewer.screenshot(path=str(artifacts / "accounts-viewer.png"))
    viewer.goto(f"{backend.url}/#/admin/users")
    expect(viewer.get_by_test_id("viewer-empty")).to_be_visible()
    expect(viewer.get_by_test_id("admin-page")).to_have_count(0)

    # The viewer's own API token: a role no higher than theirs, shown once.
    viewer.goto(f"{backend.url}/#/tokens")
    expect(viewer.get_by_test_id("tokens-page")).to_be_visible()
    roles = viewer.get_by_test_id("token-role").locator("option").all_inner_texts()
    assert roles == ["viewer"]
    limits = viewer.get_by_test_id("token-limit").locator("option").all_inner_texts()
    assert limits == ["everything its role allows"]
    viewer.get_by_test_id("token-name").fill("viewer script")
    viewer.get_by_test_id("token-expiry").select_option("7")
    viewer.get_by_test_id("token-create").click()
    secret = viewer.get_by_test_id("new-token-secret").input_value()
    assert secret.startswith("pst_")
    viewer.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=backend.url)
    viewer.get_by_test_id("copy-token").click()
    expect(viewer.get_by_test_id("copy-token")).to_have_text("Copied")
    assert viewer.evaluate("navigator.clipboard.readText()") == secret
    expect(viewer.locator("[data-testid=token-row][data-state=active]")).to_have_count(1)
    expect(viewer.get_by_test_id("token-scopes")).to_have_text("all of its role")
    viewer.screenshot(path=str(artifacts / "accounts-viewer-tokens.png"), full_page=True)
    assert axe_violations(viewer) == []
    viewer.get_by_role("button", name="Done").click()
    expect(viewer.get_by_test_id("new-token")).to_have_count(0)

    me = httpx.get(f"{backend.url}/api/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["role"] == "viewer"

    # The admin sees the viewer's token among everyone's and revokes it: it stops working.
    page.get_by_test_id("admin-tab-tokens").click()
    row = page.locator("[data-testid=token-row][data-token-name='viewer script']")
    expect(row).to_contain_text(VIEWER[0])
    page.screenshot(path=str(artifacts / "accounts-admin-tokens.png"), full_page=True)
    row.get_by_role("button", name="Revoke viewer script").click()
    expect(row).to_have_attribute("data-state", "revoked")
    refused = httpx.get(f"{backend.url}/api/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401

    # The operator is still live throughout.
    expect(operator.get_by_test_id("stream-status")).to_have_text("live")

    # Disabling the viewer ends their session; a new password ends the operator's.
    page.get_by_test_id("admin-tab-users").click()
    viewer_row = page.locator(f'[data-testid=user-row][data-email="{VIEWER[0]}"]')
    viewer_row.get_by_test_id("user-toggle-disabled").click()
    expect(viewer_row.get_by_test_id("user-state")).to_have_text("disabled")
    viewer.reload()
    expect(viewer.get_by_test_id("signin-page")).to_be_visible()
    _sign_in(viewer, VIEWER[0], VIEWER[2])
    expect(viewer.get_by_test_id("signin-error")).to_have_text("Wrong email or password.")
    operator_row = page.locator(f'[data-testid=user-row][data-email="{OPERATOR[0]}"]')
    operator_row.get_by_test_id("user-reset").click()
    operator_row.get_by_placeholder("new password").fill("copper-fern-beside-dam-5")
    operator_row.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("admin-done")).to_contain_text("has a new password")
    # The operator's open page: its connection drops (as on a Wi-Fi blip) and the server
    # refuses it back; the page says the sign-in ended, the tile says signed out (not
    # reconnecting forever), and one button leads to the sign-in page.
    operator.evaluate("window.__poseStudio.connection.socket.io.engine.close()")
    ended = operator.get_by_test_id("session-ended")
    expect(ended).to_contain_text("Your session has ended", timeout=30_000)
    expect(operator.get_by_test_id("connection-status")).to_have_text("unauthorized")
    expect(operator.get_by_test_id("stream-status")).to_have_text("signed out")
    operator.screenshot(path=str(artifacts / "accounts-signed-out.png"))
    assert axe_violations(operator) == []
    ended.get_by_role("button", name="Sign in again").click()
    expect(operator.get_by_test_id("signin-page")).to_be_visible()
    _sign_in(operator, OPERATOR[0], "copper-fern-beside-dam-5")
    expect(operator.get_by_test_id("account-name")).to_have_text(OPERATOR[1])
    page.get_by_test_id("admin-tab-audit").click()
    for action in ("user.disabled", "user.password_reset", "token.created", "token.revoked"):
        expect(page.locator(f"[data-testid=audit-row][data-action='{action}']")).to_have_count(1)
    for context in (admin_context, operator.context, viewer.context):
        context.close()


def _token_of(backend: Backend, email: str, role: str) -> str:
    """An API token of `role` for a person with that role, made as they would make it."""
    with httpx.Client(base_url=backend.url, headers={"Origin": backend.url}) as person:
        made = httpx.post(
            f"{backend.url}/api/users",
            json={"email": email, "display_name": role.title(), "role": role, "password": ADMIN[2]},
            headers={"Authorization": f"Bearer {backend.token}"},
        )
        assert made.status_code in (201, 409), made.text
        signed_in = person.post("/api/auth/login", json={"email": email, "password": ADMIN[2]})
        assert signed_in.status_code == 200, signed_in.text
        token = person.post("/api/tokens", json={"name": f"{role} script"})
        assert token.status_code == 201, token.text
        secret: str = token.json()["token"]
        return secret


def test_a_viewers_api_token_cannot_start_a_stream(accounts_backend: Backend) -> None:
    backend = accounts_backend
    _ensure_first_admin(backend)
    viewer = _token_of(backend, "script-viewer@example.com", "viewer")
    operator = _token_of(backend, "script-operator@example.com", "operator")
    # Playwright's sync API may hold this thread's event loop: the client runs in another.
    with ThreadPoolExecutor(1) as pool:
        refused = pool.submit(asyncio.run, _start_with_token(backend.url, viewer)).result()
        started = pool.submit(asyncio.run, _start_with_token(backend.url, operator)).result()
    assert refused["ok"] is False and refused["error"]["code"] == "FORBIDDEN", refused
    assert started["ok"] is True, started


def test_too_many_failed_sign_ins_say_when_to_try_again(
    browser: Browser, accounts_backend: Backend
) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        _ensure_first_admin(accounts_backend)
        page.goto(f"{accounts_backend.url}/#/signin")
        expect(page.get_by_test_id("signin-page")).to_be_visible()
        # Five failures per account are allowed (the default); the sixth attempt waits.
        for _ in range(5):
            with page.expect_response(re.compile(r"/api/auth/login$")) as response:
                _sign_in(page, "nobody@example.com", "not-a-password-anyone-has")
            assert response.value.status == 401
            expect(page.get_by_test_id("signin-error")).to_have_text("Wrong email or password.")
        with page.expect_response(re.compile(r"/api/auth/login$")) as response:
            _sign_in(page, "nobody@example.com", "not-a-password-anyone-has")
        assert response.value.status == 429
        expect(page.get_by_test_id("signin-error")).to_have_text(
            re.compile(r"^Too many sign-in attempts\. Try again in \d+ (minutes|s)\.$")
        )
    finally:
        context.close()
