"""The Hands option in headless Chromium against the real backend's hands stage, fed by the
real person video: the stream restarts with `hands: true`, its poses carry `hands`, and the
overlay draws what they hold (the video's person shows few hands: the count may be 0; the
drawing geometry itself is Vitest's, `test/lib/hands.test.ts`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.utils.studio_backend import Backend
from tests.utils.studio_page import open_studio

pytestmark = pytest.mark.browser

# Runs in the page: waits (up to `timeout` ms) for the overlay to draw a pose with a person
# that carries `hands`, and returns what it drew with the overlay's count.
DRAWN_HANDS = """
async (timeout) => {
  const deadline = performance.now() + timeout;
  const overlay = document.querySelector('[data-testid=pose-overlay]');
  while (performance.now() < deadline) {
    const pose = window.__poseStudio.sessions[0].drawnPose;
    if (pose && pose.persons.length && Array.isArray(pose.hands)
        && overlay.dataset.seq === String(pose.seq)) {
      return { hands: pose.hands, drawn: overlay.dataset.hands, image: pose.image };
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return null;
}
"""


def test_hands_option_asks_for_hands_and_the_overlay_draws_them(
    browser: Browser, backend: Backend, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(str(f))))
    try:
        open_studio(page, backend)
        page.get_by_test_id("add-stream").click()
        tile = page.get_by_test_id("stream-tile").first
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        # Before: no hands asked for, none in the poses.
        before: Any = page.evaluate(
            "() => window.__poseStudio.sessions[0].drawnPose?.hands ?? null"
        )
        assert before is None
        tile.get_by_test_id("hands-toggle").check()
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        drawn = page.evaluate(DRAWN_HANDS, 30_000)
        assert drawn is not None, "no pose with `hands` was drawn"
        assert any('"hands":true' in frame for frame in sent), "the restart did not ask for hands"
        assert drawn["drawn"] == str(len(drawn["hands"]))
        for hand in drawn["hands"]:
            assert hand["side"] in ("left", "right")
            assert len(hand["landmarks"]) == 21
        page.screenshot(path=str(artifacts / "hands-studio.png"), full_page=True)
        print(f"\nhands: {len(drawn['hands'])} hand(s) in the drawn pose")
    finally:
        context.close()
