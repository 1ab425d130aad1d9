"""Record in the studio, then find, rename, tag, export and delete the session in the
library: headless Chromium against the real backend, fed by the real person video. The
library also on a 390x844 touch screen (thumb-sized controls, a screenshot), and the
service worker keeping the static shell only. A recording survives a reconnect of the
page: the server records on into the same session and the page shows it again."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from posestudio.protocol import LANDMARK_NAMES
from tests.utils.axe import axe_violations
from tests.utils.server import wait_for
from tests.utils.studio_backend import Backend
from tests.utils.studio_page import open_studio

pytestmark = pytest.mark.browser

RECORD_SECONDS = 5.0
NAME = "browser squats"

# Runs in the page: every cached request's URL, once the service worker controls the page.
CACHED_URLS = """
async () => {
  const registration = await navigator.serviceWorker.ready;
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(request.url);
  }
  return { scope: registration.scope, controlled: !!navigator.serviceWorker.controller, urls };
}
"""

# Runs in the page: the smallest visible button or input of these, by its box.
SMALLEST_TARGET = """
(selector) => {
  const boxes = [...document.querySelectorAll(selector)]
    .filter((el) => el.offsetParent !== null)
    .map((el) => { const r = el.getBoundingClientRect();
      return { w: r.width, h: r.height, what: el.dataset.testid || el.textContent.trim() }; });
  boxes.sort((a, b) => Math.min(a.w, a.h) - Math.min(b.w, b.h));
  return { count: boxes.length, smallest: boxes[0] || null };
}
"""


def _item(page: Page, session_id: str) -> Any:
    return page.locator(f'[data-testid=library-item][data-session-id="{session_id}"]')


def _record(page: Page, artifacts: Path) -> str:
    """Start the camera, record it (pose + video) for RECORD_SECONDS, stop; the session id."""
    page.get_by_test_id("empty-add-stream").click()
    tile = page.get_by_test_id("stream-tile").first
    expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
    expect(tile.get_by_test_id("landmark-count")).to_have_text("33", timeout=10_000)
    tile.get_by_test_id("record-options").click()
    tile.get_by_test_id("record-name").fill(NAME)
    tile.get_by_test_id("record-tags").fill("squat, test")
    tile.get_by_test_id("record-video").check()
    tile.get_by_test_id("record-submit").click()
    indicator = tile.get_by_test_id("recording-indicator")
    expect(indicator).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("record-all-stop")).to_be_visible()
    started = time.monotonic()
    # The indicator follows the server's `recording` updates (about once a second).
    wait_for(
        lambda: int(tile.get_by_test_id("recording-frames").inner_text()) >= 10,
        20,
        "recorded frames counted by the server",
    )
    wait_for(lambda: time.monotonic() - started >= RECORD_SECONDS, 20, "the recording's length")
    assert tile.get_by_test_id("recording-bytes").inner_text().endswith("B")
    page.screenshot(path=str(artifacts / "studio-recording.png"))
    tile.get_by_test_id("record-stop").click()
    ended = tile.get_by_test_id("recording-ended")
    expect(ended).to_be_visible(timeout=15_000)
    assert ended.get_attribute("data-status") == "complete"
    href = ended.get_by_role("link").get_attribute("href") or ""
    assert href.startswith("#/sessions/se_"), href
    return href.removeprefix("#/sessions/")


def test_record_then_find_rename_tag_export_and_delete_in_the_library(
    browser: Browser, backend: Backend, artifacts: Path
) -> None:
    started = time.monotonic()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        open_studio(page, backend)
        session_id = _record(page, artifacts)
        recorded = backend.api("GET", f"/api/sessions/{session_id}").json()
        assert (recorded["name"], recorded["tags"], recorded["video"]) == (
            NAME,
            ["squat", "test"],
            True,
        )
        assert recorded["status"] == "complete" and recorded["duration_s"] >= RECORD_SECONDS - 1
        (stream,) = recorded["streams"]
        assert stream["frames"] >= 10

        # The library: newest first, with the first frame as its thumbnail.
        page.get_by_test_id("library-link").click()
        expect(page).to_have_url(f"{backend.url}/#/library")
        item = _item(page, session_id)
        expect(item.get_by_test_id("library-name")).to_have_text(NAME)
        expect(item.get_by_test_id("library-status")).to_have_text("complete")
        thumb = item.get_by_test_id("library-thumb")
        expect(thumb).to_have_attribute("data-kind", "frame", timeout=10_000)
        wait_for(
            lambda: thumb.evaluate("(img) => img.complete && img.naturalWidth") == 640,
            10,
            "the first recorded frame as the thumbnail",
        )
        page.screenshot(path=str(artifacts / "library-desktop.png"))
        assert axe_violations(page) == []

        # Rename and tag.
        item.get_by_test_id("library-rename").click()
        item.get_by_test_id("library-edit-input").fill("browser best")
        item.get_by_test_id("library-edit-save").click()
        expect(item.get_by_test_id("library-name")).to_have_text("browser best")
        item.get_by_test_id("library-edit-tags").click()
        item.get_by_test_id("library-edit-input").fill("squat, best")
        item.get_by_test_id("library-edit-save").click()
        expect(item.get_by_test_id("library-tag")).to_have_text(["#squat", "#best"])
        changed = backend.api("GET", f"/api/sessions/{session_id}").json()
        assert (changed["name"], changed["tags"]) == ("browser best", ["squat", "best"])

        # Filter by a tag (a link of its own), search by name, and clear.
        item.get_by_test_id("library-tag").nth(1).click()
        expect(page).to_have_url(f"{backend.url}/#/library?tag=best")
        expect(_item(page, session_id)).to_be_visible()
        page.get_by_test_id("library-search").fill("nothing like it")
        page.get_by_test_id("library-search-submit").click()
        expect(page.get_by_test_id("library-total")).to_have_text("No session matches.")
        page.get_by_test_id("library-search").fill("BROWSER")
        page.get_by_test_id("library-search-submit").click()
        expect(page).to_have_url(f"{backend.url}/#/library?q=BROWSER&tag=best")
        expect(_item(page, session_id)).to_be_visible()
        page.get_by_test_id("library-clear").click()
        expect(page).to_have_url(f"{backend.url}/#/library")
        item = _item(page, session_id)

        # Export CSV through the menu and read the file back.
        item.get_by_test_id("export-toggle").click()
        with page.expect_download() as download_info:
            item.get_by_test_id("export-csv").click()
        download = download_info.value
        assert download.suggested_filename == f"{session_id}.csv"
        rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
        header, body = rows[0], rows[1:]
        assert header[:3] == ["ts", "stream", "person"]
        assert header[3:7] == [f"{LANDMARK_NAMES[0]}_{c}" for c in ("x", "y", "z", "visibility")]
        # One row per recorded frame with the person in view, at that frame's time.
        poses = backend.api("GET", f"/api/sessions/{session_id}/streams/{stream['key']}/poses")
        seen = [json.loads(line) for line in poses.text.splitlines()]
        assert len(seen) == stream["frames"]
        in_view = [round(f["ts"], 6) for f in seen if f["pose"]["persons"]]
        assert len(in_view) >= 0.8 * len(seen)
        assert [round(float(r[0]), 6) for r in body] == in_view
        assert all(0 <= float(r[3]) <= 1 for r in body)
        expect(item.get_by_test_id("export-message")).to_contain_text(f"Saved {session_id}.csv")

        # The static shell only in the service worker's cache (thumbnails, exports: never).
        cached = wait_for(
            lambda: (c := page.evaluate(CACHED_URLS)) and c["controlled"] and c,
            15,
            "the service worker controlling the page",
        )
        assert cached["scope"] == f"{backend.url}/"
        assert cached["urls"], cached
        for url in cached["urls"]:
            path = url.removeprefix(backend.url)
            assert not path.startswith(("/api", "/socket.io", "/agent", "/share")), url
            assert "token" not in url, url

        # On a phone: the library with thumb-sized controls.
        phone = browser.new_context(
            viewport={"width": 390, "height": 844},
            has_touch=True,
            is_mobile=True,
            color_scheme="dark",
        )
        try:
            mobile = phone.new_page()
            mobile.goto(f"{backend.url}/?token={backend.token}#/library")
            expect(_item(mobile, session_id)).to_be_visible(timeout=15_000)
            expect(_item(mobile, session_id).get_by_test_id("library-thumb")).to_have_attribute(
                "data-kind", "frame", timeout=10_000
            )
            width = mobile.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the library scrolls sideways on a phone ({width} px)"
            targets = mobile.evaluate(
                SMALLEST_TARGET, ".library .btn, .library input, .session-card .tag"
            )
            assert targets["count"] >= 6 and targets["smallest"]["h"] >= 44, targets
            assert targets["smallest"]["w"] >= 44, targets
            mobile.screenshot(path=str(artifacts / "library-phone-390x844.png"))
            # And the studio's record controls on the same phone.
            mobile.get_by_role("link", name="← Streams").click()
            mobile.get_by_test_id("empty-add-stream").click()
            expect(mobile.get_by_test_id("record-start")).to_be_enabled(timeout=30_000)
            targets = mobile.evaluate(SMALLEST_TARGET, ".record .btn, .topbar .btn")
            assert targets["count"] >= 4 and targets["smallest"]["h"] >= 44, targets
            assert targets["smallest"]["w"] >= 44, targets
            width = mobile.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the studio scrolls sideways on a phone ({width} px)"
            mobile.screenshot(path=str(artifacts / "studio-phone-390x844.png"))
        finally:
            phone.close()

        # Delete, with a confirmation: first kept, then deleted.
        item.get_by_test_id("library-delete").click()
        expect(item.get_by_role("alertdialog")).to_contain_text("cannot be undone")
        item.get_by_test_id("library-delete-cancel").click()
        expect(item.get_by_role("alertdialog")).to_have_count(0)
        assert backend.api("GET", f"/api/sessions/{session_id}").status_code == 200
        item.get_by_test_id("library-delete").click()
        item.get_by_test_id("library-delete-confirm").click()
        expect(_item(page, session_id)).to_have_count(0)
        assert backend.api("GET", f"/api/sessions/{session_id}").status_code == 404
        assert errors == []
    finally:
        context.close()
    print(f"record + library flow: {time.monotonic() - started:.1f} s")


def test_a_recording_survives_a_reconnect_of_the_page(
    browser: Browser, backend: Backend, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        open_studio(page, backend)
        page.get_by_test_id("empty-add-stream").click()
        tile = page.get_by_test_id("stream-tile").first
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        tile.get_by_test_id("record-start").click()
        indicator = tile.get_by_test_id("recording-indicator")
        frames = tile.get_by_test_id("recording-frames")
        wait_for(lambda: int(frames.inner_text()) >= 5, 20, "frames recorded")
        (before,) = backend.api("GET", "/api/streams").json()["streams"]
        session_id = page.evaluate("window.__poseStudio.recorder.recordings()[0].sessionId")

        # The transport drops (as on a network change); Socket.IO reconnects by itself and
        # the studio starts its stream again, a new stream on the server.
        page.evaluate("window.__poseStudio.connection.socket.io.engine.close()")
        wait_for(
            lambda: (
                [s["id"] for s in backend.api("GET", "/api/streams").json()["streams"]]
                not in ([], [before["id"]])
            ),
            30,
            "the stream to start again on the new connection",
        )
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        recorded = backend.api("GET", f"/api/sessions/{session_id}").json()
        assert recorded["status"] == "recording", recorded
        # The page shows the same session again, its figures from the new connection's events.
        at_reconnect = recorded["streams"][0]["frames"]
        wait_for(lambda: int(frames.inner_text()) >= at_reconnect + 5, 30, "recording on")
        expect(indicator).to_have_attribute("data-phase", "recording")
        assert page.evaluate("window.__poseStudio.recorder.recordings()[0].sessionId") == session_id
        page.screenshot(path=str(artifacts / "studio-recording-reconnected.png"))

        tile.get_by_test_id("record-stop").click()
        ended = tile.get_by_test_id("recording-ended")
        expect(ended).to_be_visible(timeout=15_000)
        assert ended.get_by_role("link").get_attribute("href") == f"#/sessions/{session_id}"
        final = backend.api("GET", f"/api/sessions/{session_id}").json()
        assert final["status"] == "complete" and final["stop_reason"] == "stopped", final
        (stream,) = final["streams"]
        assert stream["key"] == before["id"] and stream["frames"] >= at_reconnect + 5
        names = [s["name"] for s in backend.api("GET", "/api/sessions").json()["sessions"]]
        assert not [n for n in names if n.endswith("(continued)")], names
    finally:
        context.close()
