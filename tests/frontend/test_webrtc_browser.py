"""The studio streams over WebRTC first (Chromium's fake camera as a video track on loopback)
and falls back to Socket.IO by itself when WebRTC does not connect in time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.utils.server import wait_for
from tests.utils.studio_backend import Backend, studio_backend

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def webrtc_backend(
    studio_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    tmp = tmp_path_factory.mktemp("backend-webrtc")
    with studio_backend(tmp, env={"POSE_STUDIO_WEBRTC_ENABLED": "true"}) as server:
        yield server


def _metric(backend: Backend, name: str) -> float:
    text = httpx.get(f"{backend.url}/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def _live_tile(page: Page, index: int, transport: str) -> None:
    tile = page.get_by_test_id("stream-tile").nth(index)
    expect(tile.get_by_test_id("transport")).to_have_text(transport, timeout=15_000)
    expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=20_000)
    expect(tile.get_by_test_id("landmark-count")).to_have_text("33", timeout=10_000)


def test_webrtc_first_and_socketio_when_it_does_not_connect(
    browser: Browser, webrtc_backend: Backend, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    console: list[str] = []
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    try:
        page.goto(f"{webrtc_backend.url}/?token={webrtc_backend.token}")
        page.get_by_test_id("add-stream").click()
        _live_tile(page, 0, "WebRTC")
        # The frames come as a video track: the server decodes them, and the tile shows
        # the upstream bytes the sender counted.
        wait_for(lambda: _metric(webrtc_backend, "pose_webrtc_peers") == 1, 10, "one peer")
        wait_for(lambda: _metric(webrtc_backend, "pose_webrtc_frames_total") >= 10, 15, "10 frames")
        tile = page.get_by_test_id("stream-tile").first
        wait_for(lambda: tile.get_by_test_id("frames-sent").inner_text() != "0", 10, "sent")
        latency = float(tile.get_by_test_id("latency-ms").inner_text())
        assert 0 < latency < 2000, latency
        page.screenshot(path=str(artifacts / "studio-webrtc.png"))

        # An offer that is never answered (as through a tunnel without UDP): after about
        # 3 s the tile streams over Socket.IO by itself and says so.
        def hang(route: Route) -> None:
            """Left unanswered."""

        page.route("**/api/webrtc/offer", hang)
        page.get_by_test_id("add-stream").click()
        asked = time.monotonic()
        _live_tile(page, 1, "Socket.IO")
        assert time.monotonic() - asked < 15
        assert "WebRTC unavailable" in (
            page.get_by_test_id("stream-tile")
            .nth(1)
            .get_by_test_id("transport")
            .locator("xpath=../..")
            .get_attribute("title")
            or ""
        )
        # The first tile stays on WebRTC.
        expect(tile.get_by_test_id("transport")).to_have_text("WebRTC")
        page.get_by_test_id("stream-tile").first.get_by_test_id("stream-remove").click()
        wait_for(lambda: _metric(webrtc_backend, "pose_webrtc_peers") == 0, 15, "the peer closed")
        assert console == []
    finally:
        context.close()
