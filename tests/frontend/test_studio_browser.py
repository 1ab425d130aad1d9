"""The web studio in headless Chromium against the real backend, fed by the real person video."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.utils.axe import axe_violations
from tests.utils.overlay import SAMPLE_OVERLAY_FN, assert_skeleton_drawn
from tests.utils.server import wait_for
from tests.utils.studio_backend import Backend
from tests.utils.studio_page import (
    QUESTION,
    open_ask_panel,
    open_studio,
    server_streams,
    tile_number,
)

pytestmark = pytest.mark.browser

# Runs in the page: the overlay's pixels around the landmarks of the pose it drew last,
# against a region far from every landmark (mirrored as the tile's setting says).
SAMPLE_OVERLAY = (
    """
(index) => {"""
    + SAMPLE_OVERLAY_FN
    + """
  const session = window.__poseStudio.sessions[index];
  const tile = document.querySelectorAll('[data-testid=stream-tile]')[index];
  const canvas = tile.querySelector('[data-testid=pose-overlay]');
  const video = tile.querySelector('video');
  const pose = session.drawnPose;
  if (!pose || !pose.persons.length || String(pose.seq) !== canvas.dataset.seq) return null;
  return sampleOverlay(canvas, pose.persons[0].landmarks, video.videoWidth, video.videoHeight,
                       session.settings.mirror);
}
"""
)


# Runs in the page: keeps the first tile's camera track, to look at after the tile let it go.
CAMERA_TRACK = """
() => {
  window.__cameraTrack = document.querySelector('[data-testid=stream-tile] video').srcObject
    .getVideoTracks()[0];
  return window.__cameraTrack.readyState;
}
"""


def _skeleton_pixels_match(page: Page, tile: int) -> dict[str, Any]:
    def sample() -> dict[str, Any] | None:
        result = page.evaluate(SAMPLE_OVERLAY, tile)
        return result if result and result["visible"] >= 8 else None

    result: dict[str, Any] = wait_for(sample, 15, "a drawn pose with visible landmarks")
    assert_skeleton_drawn(result)
    return result


def _rendered_3d_colours(page: Page, tile: int, path: Path) -> int:
    """Pixels of the 3D view's skeleton colours in a screenshot of its canvas."""
    canvas = page.get_by_test_id("stream-tile").nth(tile).get_by_test_id("pose-3d")
    image = cv2.imdecode(
        np.frombuffer(canvas.screenshot(path=str(path)), np.uint8), cv2.IMREAD_COLOR
    )
    left = np.array([0xEE, 0xD3, 0x22])  # --pose-left #22d3ee, as BGR
    right = np.array([0xB6, 0x72, 0xF4])  # --pose-right #f472b6, as BGR
    near = lambda colour: int((np.abs(image.astype(int) - colour).sum(axis=2) < 60).sum())  # noqa: E731
    return min(near(left), near(right))


LAPTOP = {"width": 1440, "height": 900}


def _in_sight(page: Page, tile: int, min_3d_height: float = 200) -> None:
    """The tile's video, 3D view, stats and controls lie inside the window, unscrolled."""
    page.evaluate("window.scrollTo(0, 0)")
    view = page.viewport_size
    assert view is not None
    one = page.get_by_test_id("stream-tile").nth(tile)
    for part in (
        "pose-overlay",
        "pose-3d",
        "pose-fps",
        "stream-toggle",
        "camera-select",
        "bandwidth",
    ):
        box = one.get_by_test_id(part).bounding_box()
        assert box is not None, part
        assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"], (tile, part, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= view["height"], (tile, part, box)
    height = one.get_by_test_id("pose-3d").bounding_box()["height"]  # type: ignore[index]
    assert height >= min_3d_height, (tile, height)


def _apart(page: Page, tile: int, parts: tuple[str, ...]) -> None:
    """The tile's header controls and these parts of its record row do not overlap."""
    one = page.get_by_test_id("stream-tile").nth(tile)
    header = ("tile-name", "stream-status", "stream-toggle", "stream-remove")
    boxes = {p: one.get_by_test_id(p).bounding_box() for p in header + parts}
    for a in header:
        for b in parts:
            x, y = boxes[a], boxes[b]
            assert x is not None and y is not None, (a, b)
            overlap = (
                x["x"] < y["x"] + y["width"]
                and y["x"] < x["x"] + x["width"]
                and x["y"] < y["y"] + y["height"]
                and y["y"] < x["y"] + x["height"]
            )
            assert not overlap, (tile, a, x, b, y)


def _views_keep_the_body_in_sight(page: Page) -> None:
    """Each 3D view button frames the whole body and keeps it framed; arrow keys orbit,
    and zooming in stops where the whole body still fits."""
    canvas = page.get_by_test_id("stream-tile").first.get_by_test_id("pose-3d")

    def rendered_after(frames: int) -> bool:
        return int(canvas.get_attribute("data-frames") or 0) > frames

    for name in ("front", "side", "top", "reset"):
        frames = int(canvas.get_attribute("data-frames") or 0)
        page.get_by_test_id("stream-tile").first.get_by_test_id(f"view3d-{name}").click()
        expect(canvas).to_have_attribute("data-view", name)
        wait_for(lambda f=frames: rendered_after(f), 10, f"a render in the {name} view")  # type: ignore[misc]
        expect(canvas).to_have_attribute("data-body-in-view", "true")
    canvas.focus()
    page.keyboard.press("ArrowLeft")
    expect(canvas).to_have_attribute("data-view", "custom")
    canvas.hover()
    for _ in range(12):
        page.mouse.wheel(0, -400)
    frames = int(canvas.get_attribute("data-frames") or 0)
    wait_for(lambda: rendered_after(frames), 10, "a render after zooming in")
    expect(canvas).to_have_attribute("data-body-in-view", "true")
    page.get_by_test_id("stream-tile").first.get_by_test_id("view3d-reset").click()
    expect(canvas).to_have_attribute("data-view", "reset")


def test_studio_streams_camera_and_recovers(
    browser: Browser, backend: Backend, artifacts: Path
) -> None:
    started = time.monotonic()
    context = browser.new_context(viewport=LAPTOP, color_scheme="dark")
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    try:
        open_studio(page, backend)
        assert "token" not in page.url, "the token must leave the address bar"

        page.get_by_test_id("add-stream").click()
        tile = page.get_by_test_id("stream-tile").first
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        expect(tile.get_by_test_id("landmark-count")).to_have_text("33", timeout=10_000)
        stream_id_one = tile.get_attribute("data-stream-id")
        wait_for(lambda: tile_number(page, 0, "pose-fps") > 0, 10, "poses per second > 0")
        wait_for(lambda: tile_number(page, 0, "latency-ms") > 0, 10, "a latency figure")
        overlay = _skeleton_pixels_match(page, 0)
        frames_3d = wait_for(
            lambda: int(tile.get_by_test_id("pose-3d").get_attribute("data-frames") or 0) > 1,
            10,
            "the 3D view rendering poses",
        )
        assert frames_3d
        assert tile.get_by_test_id("pose-3d").get_attribute("data-webgl") == "ok"
        # A few seconds of streaming, so the stats in the screenshot are steady ones.
        wait_for(lambda: tile_number(page, 0, "frames-sent") >= 40, 30, "40 frames sent")
        page.screenshot(path=str(artifacts / "studio-one-stream.png"))
        assert _rendered_3d_colours(page, 0, artifacts / "studio-3d.png") > 20
        fps_one = tile_number(page, 0, "pose-fps")
        latency_one = tile_number(page, 0, "latency-ms")
        _views_keep_the_body_in_sight(page)
        assert axe_violations(page) == []

        # A second stream from the same (only) fake camera, then removed again.
        page.get_by_test_id("add-stream").click()
        expect(page.get_by_test_id("stream-tile")).to_have_count(2)
        second = page.get_by_test_id("stream-tile").nth(1)
        expect(second.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        expect(second.get_by_test_id("landmark-count")).to_have_text("33", timeout=10_000)
        expect(second.get_by_test_id("tile-number")).to_have_text("2")
        # Two tiles on a laptop screen: each whole in sight, its overlay on its video.
        _in_sight(page, 0)
        _in_sight(page, 1)
        _skeleton_pixels_match(page, 0)
        _skeleton_pixels_match(page, 1)
        page.screenshot(path=str(artifacts / "studio-two-streams.png"))
        assert len(server_streams(backend)) == 2

        # Four tiles on a laptop screen: two rows of two, every tile whole in sight.
        for count in (3, 4):
            page.get_by_test_id("add-stream").click()
            expect(page.get_by_test_id("stream-tile")).to_have_count(count)
            added = page.get_by_test_id("stream-tile").nth(count - 1)
            expect(added.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        for index in range(4):
            _in_sight(page, index, min_3d_height=150)
        page.screenshot(path=str(artifacts / "studio-four-streams.png"))
        assert axe_violations(page) == []
        _apart(page, 0, ("record-start", "record-options"))
        # A recording's badge, and the longer one it leaves, keep clear of the header.
        first = page.get_by_test_id("stream-tile").first
        first.get_by_test_id("record-start").click()
        recorded = first.get_by_test_id("recording-frames")
        wait_for(lambda: int(recorded.inner_text()) >= 3, 20, "frames recorded")
        _apart(page, 0, ("record-stop", "recording-indicator"))
        first.get_by_test_id("record-stop").click()
        expect(first.get_by_test_id("recording-ended")).to_be_visible(timeout=15_000)
        _apart(page, 0, ("record-start", "recording-ended"))
        page.screenshot(path=str(artifacts / "studio-four-streams-recorded.png"))
        for index in (3, 2):
            page.get_by_test_id("stream-tile").nth(index).get_by_test_id("stream-remove").click()
        expect(page.get_by_test_id("stream-tile")).to_have_count(2)
        wait_for(lambda: len(server_streams(backend)) == 2, 10, "the server to close two")

        # The Ask panel (no model here) shows each stream's pose statistics.
        page.get_by_test_id("ask-button").click()
        expect(page.get_by_test_id("ask-not-set-up")).to_be_visible()
        expect(page.get_by_test_id("pose-stats-stream")).to_have_count(2)
        stats = page.get_by_test_id("pose-stats-stream").first
        expect(stats.get_by_test_id("pose-stats-joint")).to_have_count(8, timeout=10_000)
        expect(stats.get_by_test_id("pose-stats-in-view")).to_contain_text("In view")
        (key,) = [s["id"] for s in server_streams(backend) if s["stream_id"] == stream_id_one]
        backend_stats = httpx.get(
            f"{backend.url}/api/streams/{key}/stats",
            params={"window": 60},
            headers={"Authorization": f"Bearer {backend.token}"},
        ).json()
        knee = stats.locator("[data-joint=left_knee]").get_by_test_id("pose-stats-range")
        # Fetched a moment before: the range can only have widened since.
        assert (
            float(knee.inner_text().rstrip("°"))
            <= backend_stats["angles"]["left_knee"]["range_of_motion"] + 0.5
        )
        assert axe_violations(page) == []
        page.screenshot(path=str(artifacts / "studio-ask-stats.png"))
        page.get_by_role("button", name="Close the Ask panel").click()
        expect(page.get_by_test_id("ask-button")).to_be_focused()
        second.get_by_test_id("stream-remove").click()
        expect(page.get_by_test_id("stream-tile")).to_have_count(1)
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=10_000)
        wait_for(lambda: len(server_streams(backend)) == 1, 10, "the server to close it")

        # Stop releases the camera at once and clears the overlay; Start opens it again.
        page.evaluate(CAMERA_TRACK)
        tile.get_by_test_id("stream-toggle").click()
        expect(tile.get_by_test_id("stream-status")).to_have_text("stopped")
        expect(tile.get_by_test_id("stream-hint")).to_contain_text("Stopped: the camera is off")
        assert page.evaluate("() => window.__cameraTrack.readyState") == "ended"
        assert page.evaluate("() => document.querySelector('video').srcObject") is None
        expect(tile.get_by_test_id("pose-overlay")).to_have_attribute("data-seq", "")
        assert tile_number(page, 0, "landmark-count") == 0
        wait_for(lambda: not server_streams(backend), 10, "the server to stop the stream")
        tile.get_by_test_id("stream-toggle").click()
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        expect(tile.get_by_test_id("stream-hint")).to_have_count(0)
        assert page.evaluate(CAMERA_TRACK) == "live"

        # The server goes away and comes back: the page reconnects and resumes by itself.
        backend.stop()
        expect(page.get_by_test_id("connection-status")).to_have_text(
            "reconnecting", timeout=15_000
        )
        expect(tile.get_by_test_id("stream-status")).not_to_have_text("live", timeout=10_000)
        page.screenshot(path=str(artifacts / "studio-reconnecting.png"))
        backend.start()
        expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=30_000)
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=60_000)
        expect(tile.get_by_test_id("landmark-count")).to_have_text("33", timeout=10_000)
        _skeleton_pixels_match(page, 0)
        page.screenshot(path=str(artifacts / "studio-recovered.png"))

        page.get_by_role("button", name="Switch to light theme").click()
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        page.screenshot(path=str(artifacts / "studio-light.png"))
        assert axe_violations(page) == []
        print(
            f"\nbrowser e2e: {time.monotonic() - started:.1f} s; after 40 frames at 15 FPS: "
            f"{fps_one:.1f} poses/s, latency p50 {latency_one:.0f} ms; "
            f"overlay {overlay['hits']}/{overlay['visible']} landmarks painted; after the "
            f"restart: latency p50 {tile_number(page, 0, 'latency-ms'):.0f} ms (browser encode p50 "
            f"{tile_number(page, 0, 'encode-ms'):.0f} ms, "
            f"server p50 {tile_number(page, 0, 'server-ms'):.0f} ms)"
        )
    except Exception:
        page.screenshot(path=str(artifacts / "studio-failure.png"))
        print("\n".join(console[-40:]))
        raise
    finally:
        context.close()


def test_ask_without_a_model_says_how_to_configure_one(
    browser: Browser, backend: Backend, artifacts: Path
) -> None:
    """The embedded agent, with no model configured, answers the studio with its hint."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        open_studio(page, backend)
        open_ask_panel(page)
        page.get_by_test_id("ask-input").fill(QUESTION)
        with page.expect_response("**/agent/invoke") as invoked:
            page.get_by_test_id("ask-submit").click()
        assert invoked.value.status == 503
        assert invoked.value.json()["error"]["code"] == "AGENT_NOT_CONFIGURED"
        error = page.get_by_test_id("ask-error")
        expect(error).to_contain_text("No language model is configured")
        expect(error).to_contain_text("POSE_STUDIO_AGENT_MODEL")
        expect(error).to_contain_text("POSE_STUDIO_AGENT_BASE_URL")
        # The hint's long setting names wrap inside the panel instead of running out of it.
        assert error.evaluate("e => e.scrollWidth <= e.clientWidth")
        assert page.get_by_test_id("ask-panel").evaluate("e => e.scrollWidth <= e.clientWidth")
        page.screenshot(path=str(artifacts / "studio-ask-not-configured.png"))
    finally:
        context.close()


def test_no_one_in_view_is_said_so(
    browser_without_person: Browser, backend: Backend, artifacts: Path
) -> None:
    """A camera on an empty scene: poses come back without a person, and the tile says so
    instead of LIVE with 0 landmarks."""
    context = browser_without_person.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{backend.url}/?token={backend.token}")
        page.get_by_test_id("add-stream").click()
        tile = page.get_by_test_id("stream-tile").first
        expect(tile.get_by_test_id("stream-status")).to_have_text("no one", timeout=30_000)
        expect(tile.get_by_test_id("stream-hint")).to_have_text(
            "No one in view: step back so your whole body is visible"
        )
        wait_for(lambda: tile_number(page, 0, "pose-fps") > 0, 10, "poses per second > 0")
        assert tile_number(page, 0, "landmark-count") == 0
        expect(tile.get_by_test_id("pose-overlay")).to_have_attribute("data-seq", "")
        page.screenshot(path=str(artifacts / "studio-no-one.png"))
        assert axe_violations(page) == []
    finally:
        context.close()


def test_poses_well_under_the_chosen_rate_say_saturated(
    browser_with_slow_camera: Browser, backend: Backend, artifacts: Path
) -> None:
    """A camera giving 5 frames a second at a chosen 15 FPS: poses come back at a third of
    the rate, and the tile says so with the achieved rate; the bandwidth line multiplies
    by the rate sent, not the chosen one."""
    context = browser_with_slow_camera.new_context(viewport=LAPTOP)
    page = context.new_page()
    try:
        page.goto(f"{backend.url}/?token={backend.token}")
        page.get_by_test_id("add-stream").click()
        tile = page.get_by_test_id("stream-tile").first
        expect(tile.get_by_test_id("fps-select")).to_have_value("15")
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        saturated = tile.get_by_test_id("stream-saturated")
        expect(saturated).to_contain_text(
            re.compile(r"Saturated: [0-9.]+ of 15 poses/s"), timeout=20_000
        )
        expect(saturated).to_contain_text("Lower the rate or the quality")
        achieved = float(re.search(r"Saturated: ([0-9.]+)", saturated.inner_text()).group(1))  # type: ignore[union-attr]
        assert 0 < achieved <= 6, achieved
        assert float(tile.get_by_test_id("sent-fps").inner_text()) <= 6
        expect(tile.get_by_test_id("bandwidth")).to_contain_text("FPS sent")
        assert axe_violations(page) == []
        page.screenshot(path=str(artifacts / "studio-saturated.png"))
    finally:
        context.close()


def test_wrong_token_is_refused_and_can_be_replaced(browser: Browser, backend: Backend) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{backend.url}/?token=not-the-token")
        expect(page.get_by_test_id("connection-status")).to_have_text("unauthorized")
        assert "token" not in page.url
        assert axe_violations(page) == []
        page.get_by_label("Access token").fill(backend.token)
        page.get_by_role("button", name="Use this token").click()
        expect(page.get_by_test_id("connection-status")).to_have_text("connected")
        page.reload()
        expect(page.get_by_test_id("connection-status")).to_have_text("connected")
    finally:
        context.close()
