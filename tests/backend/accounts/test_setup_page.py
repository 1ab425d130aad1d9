"""The plain first-admin page in headless Chromium: open the printed URL, create the
admin, land signed in."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from tests.utils.accounts import PASSWORD, accounts_backend

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("POSE_STUDIO_CHROMIUM", "/usr/bin/chromium")


def test_the_plain_setup_page_creates_the_first_admin_and_signs_them_in(tmp_path: Path) -> None:
    # Without a built studio (a headless install) /setup is the plain page.
    with accounts_backend(
        f"sqlite:///{tmp_path / 'posestudio.db'}", frontend_dir=tmp_path / "no-studio"
    ) as backend:
        code = backend.accounts.setup.code
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page()
                page.goto(f"{backend.url}/setup?code=not-the-code")
                page.get_by_label("Display name").fill("Coach")
                page.get_by_label("Email").fill("coach@example.com")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Create admin").click()
                page.get_by_text("wrong setup code").wait_for()
                page.goto(f"{backend.url}/setup?code={code}")
                page.get_by_label("Display name").fill("Coach")
                page.get_by_label("Email").fill("coach@example.com")
                page.get_by_label("Password").fill(PASSWORD)
                with page.expect_navigation(url=f"{backend.url}/"):
                    page.get_by_role("button", name="Create admin").click()
                me = page.request.get(f"{backend.url}/api/auth/me").json()
                assert (me["role"], me["display_name"]) == ("admin", "Coach")
                cookie = next(
                    c for c in page.context.cookies() if c["name"] == "posestudio_session"
                )
                assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
                page.goto(f"{backend.url}/setup")
                page.get_by_text("Setup is done: sign in instead.").wait_for()
            finally:
                browser.close()
        assert httpx.get(f"{backend.url}/api/setup").json() == {"needed": False}
