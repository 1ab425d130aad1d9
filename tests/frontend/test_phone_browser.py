"""A phone pairs with the studio over HTTPS: the laptop shows a QR code, a phone-sized
touch page opens its URL, streams the fake camera and gets poses; the laptop watches it.
Chromium trusts the certificate `serve --https` made by its key (an SPKI pin)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Browser, Playwright, expect

from tests.utils.axe import axe_violations
from tests.utils.studio_backend import Backend, chromium, studio_backend

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def spki_pin(cert_path: Path) -> str:
    """base64 SHA-256 of the server certificate's public key, as Chromium pins it."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="module")
def https_backend(studio_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    with studio_backend(
        tmp_path_factory.mktemp("backend-https"),
        scheme="https",
        # On every interface, as for a phone: the QR code carries the LAN address.
        args=("--https", "--host", "0.0.0.0"),
        # WebRTC on (the test backends default to off): the phone streams a video track.
        env={"POSE_STUDIO_WEBRTC_ENABLED": "true"},
    ) as server:
        yield server


@pytest.fixture(scope="module")
def trusting_browser(
    playwright_session: Playwright, fake_camera_y4m: Path, https_backend: Backend
) -> Iterator[Browser]:
    pin = spki_pin(https_backend.data_dir / "tls" / "server.pem")
    trust = f"--ignore-certificate-errors-spki-list={pin}"
    with chromium(playwright_session, fake_camera_y4m, trust) as browser:
        yield browser


def test_a_phone_pairs_by_the_qr_code_and_streams_to_the_studio(
    https_backend: Backend, trusting_browser: Browser
) -> None:
    laptop = trusting_browser.new_page(viewport={"width": 1440, "height": 900})
    laptop.goto(f"{https_backend.url}/?token={https_backend.token}")
    opener = laptop.get_by_test_id("pair-phone")
    opener.click()
    dialog = laptop.get_by_test_id("pair-dialog")
    expect(dialog.get_by_role("img")).to_be_visible()
    code = laptop.get_by_test_id("pair-code").inner_text()
    url = laptop.get_by_test_id("pair-url").get_attribute("href")
    assert url is not None and url.startswith("https://") and url.endswith(f"#/capture?code={code}")
    expect(laptop.get_by_test_id("pair-insecure")).to_have_count(0)
    assert axe_violations(laptop) == []
    laptop.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Focus goes back to the button that opened the dialog.
    expect(opener).to_be_focused()

    phone_context = trusting_browser.new_context(**PHONE)
    phone = phone_context.new_page()
    phone.goto(url)
    expect(phone.get_by_test_id("capture-status")).to_have_text("Live", timeout=60_000)
    expect(phone.get_by_test_id("capture-landmarks")).to_have_text("33", timeout=30_000)
    # On the LAN the phone streams a WebRTC video track, as the studio does.
    expect(phone.get_by_test_id("capture-transport")).to_have_text("WebRTC")
    assert "code=" not in phone.url  # spent: a reload must not claim it again
    for name in ("capture-toggle", "capture-switch"):
        box = phone.get_by_test_id(name).bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44, (name, box)
    assert axe_violations(phone) == []

    # The laptop opens the phone's stream under Watch by itself.
    watched = laptop.get_by_test_id("watch-tile")
    expect(watched).to_have_count(1, timeout=15_000)
    expect(laptop.get_by_test_id("watch-landmarks")).to_have_text("33", timeout=30_000)

    # The same code again, from another phone: refused, and the page says why.
    other = trusting_browser.new_context(**PHONE).new_page()
    other.goto(url)
    expect(other.get_by_test_id("capture-problem")).to_contain_text("used already")

    # Stop releases the camera at once; a reload keeps the pairing and streams again.
    phone.get_by_test_id("capture-toggle").tap()
    expect(phone.get_by_test_id("capture-status")).to_have_text("Stopped")
    live_tracks = "() => window.__poseStudio.sessions[0].camera.stream === null"
    assert phone.evaluate(live_tracks) is True
    phone.reload()
    expect(phone.get_by_test_id("capture-status")).to_have_text("Live", timeout=60_000)
    phone_context.close()


def test_the_api_docs_work_offline(https_backend: Backend, trusting_browser: Browser) -> None:
    page = trusting_browser.new_page()
    elsewhere: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(https_backend.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(f"{https_backend.url}/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert page.locator(".opblock").count() >= 20
    expect(page.get_by_text("/api/pairing/{code}/claim")).to_be_visible()
    page.goto(f"{https_backend.url}/redoc")
    expect(page.get_by_text("Create Pairing").first).to_be_attached(timeout=30_000)
    # Nothing else is asked of the internet, and the pages work without it; only ReDoc's
    # "powered by" image (hard-coded in its build, an <img> in the sidebar) would be.
    assert set(elsewhere) <= {"https://cdn.redoc.ly/redoc/logo-mini.svg"}


def test_the_studio_remembers_its_streams_and_offers_them_back_after_a_reload(
    https_backend: Backend, trusting_browser: Browser
) -> None:
    page = trusting_browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{https_backend.url}/?token={https_backend.token}")
    page.get_by_test_id("empty-add-stream").click()
    tile = page.get_by_test_id("stream-tile")
    # Focus goes to the new tile, not back to <body>.
    expect(tile).to_be_focused()
    tile.get_by_test_id("fps-select").select_option("10")
    tile.get_by_test_id("quality-select").select_option("low")
    expect(tile.get_by_test_id("tile-number")).to_have_text("1")
    tile.get_by_test_id("tile-name").fill("Side view")
    expect(tile).to_have_accessible_name("Stream 1: Side view")
    expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=60_000)
    saved = "() => JSON.parse(localStorage.getItem('poseStudio.streams') || '[]')[0]?.settings"
    page.wait_for_function(f"() => ({saved})()?.fps === 10 && ({saved})().name === 'Side view'")
    page.reload()
    offer = page.get_by_test_id("restore-streams")
    expect(offer).to_contain_text("A camera was streaming")
    assert axe_violations(page) == []
    offer.get_by_test_id("restore-streams-yes").click()
    expect(tile).to_be_focused()
    expect(tile.get_by_test_id("fps-select")).to_have_value("10")
    expect(tile.get_by_test_id("quality-select")).to_have_value("low")
    expect(tile.get_by_test_id("tile-name")).to_have_value("Side view")
    expect(tile.get_by_test_id("tile-number")).to_have_text("1")
    expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=60_000)
