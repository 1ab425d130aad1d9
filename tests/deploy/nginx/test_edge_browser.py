"""The real studio in headless Chromium through the edge nginx: its CSP lets the page,
its worker and both WebSockets through, and a camera streams to pose and back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from posestudio.client.sources import read_frames
from posestudio.client.sources import test_video_path as video_path
from tests.deploy.helpers import Backend
from tests.deploy.nginx.conftest import HOST
from tests.deploy.nginx.edge import Edge
from tests.utils.studio_backend import chromium

pytestmark = pytest.mark.browser

# Records every CSP violation the page (or its workers) reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def _camera(path: Path) -> Path:
    """The packaged real video as the Y4M Chromium's fake camera plays in a loop."""
    frames = list(read_frames(video_path(), limit=60))
    height, width = frames[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    camera = _camera(tmp_path_factory.mktemp("camera") / "person.y4m")
    with sync_playwright() as pw, chromium(pw, camera) as browser:
        yield browser


def test_the_studio_streams_a_camera_through_the_edge_within_its_csp(
    browser: Browser,
    edge: Edge,
    backend: Backend,
) -> None:
    port = edge.https_port
    # The certificate is the test's own; everything else is as in production.
    context = browser.new_context(ignore_https_errors=True)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(f"https://{HOST}:{port}/?token={backend.token}")
        expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=20_000)
        page.get_by_test_id("add-stream").click()
        tile = page.get_by_test_id("stream-tile").first
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        expect(tile.get_by_test_id("landmark-count")).to_have_text("33", timeout=20_000)
        violations = page.evaluate("window.__cspViolations")
    finally:
        context.close()
    assert violations == [], violations
    assert not [text for text in console if "Content Security Policy" in text], console
    assert any(url.startswith(f"wss://{HOST}:{port}/socket.io/") for url in sockets), sockets
