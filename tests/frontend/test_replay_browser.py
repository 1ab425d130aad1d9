"""The replay of a recorded session in headless Chromium against the real backend: the
studio streams the real person video, `POST /api/sessions` records a few seconds of it
(pose + video), and `#/sessions/<id>` replays it. Scrubbing to the middle shows that
moment's recorded JPEG with the skeleton drawn on the recorded landmarks (canvas pixels),
a frame step moves to the next recorded frame, and an annotation added at the playhead is
stored, listed and marked on the timeline (clicking the mark seeks there). A clip made
of a `[`/`]` range shows its progress, completes and plays inline; the Ask panel,
opened from the replay, gets an answer (the embedded agent, a fake model over the real
OpenAI protocol reading the session with `session_events`) whose moment chip seeks the
replay to that moment; and the avatar follows the recorded poses (skeletons solved by
the server)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.utils.axe import axe_violations
from tests.utils.fake_openai import FakeModelServer, Reply, tool_data, tool_outputs
from tests.utils.overlay import SAMPLE_OVERLAY_FN, assert_skeleton_drawn
from tests.utils.server import wait_for
from tests.utils.studio_backend import Backend
from tests.utils.studio_page import open_studio

pytestmark = pytest.mark.browser

# Runs in the page: the replay overlay's pixels around the given landmarks (normalised to
# an image of `width` x `height`), and at the grid point farthest from every bone.
SAMPLE = (
    """
([landmarks, width, height]) => {"""
    + SAMPLE_OVERLAY_FN
    + """
  const canvas = document.querySelector('[data-testid=replay-camera] [data-testid=pose-overlay]');
  return { ...sampleOverlay(canvas, landmarks, width, height, false), seq: canvas.dataset.seq };
}
"""
)

PLAYHEAD = "() => window.__poseStudioReplay.playhead.at(performance.now())"

# Runs in the page before a clip is made: every phase and progress value the clip panel
# shows, as they change.
WATCH_CLIP = """
() => {
  const panel = document.querySelector('[data-testid=clip-panel]');
  const seen = (window.__clipSeen = { phases: [panel.dataset.phase], progress: [] });
  new MutationObserver(() => {
    const phase = panel.dataset.phase;
    if (seen.phases[seen.phases.length - 1] !== phase) seen.phases.push(phase);
    const bar = panel.querySelector('[data-testid=clip-progress]');
    if (bar && seen.progress[seen.progress.length - 1] !== bar.value) seen.progress.push(bar.value);
  }).observe(panel, { subtree: true, childList: true, attributes: true });
}
"""

# Plays the inline clip from its start and resolves once it has played past `t` seconds.
PLAY_CLIP = """
async (t) => {
  const video = document.querySelector('[data-testid=clip-video]');
  video.muted = true;
  await video.play();
  await new Promise((resolve) => {
    const check = () => (video.currentTime > t ? resolve() : requestAnimationFrame(check));
    check();
  });
  return { duration: video.duration, width: video.videoWidth, height: video.videoHeight,
           played: video.currentTime };
}
"""

QUESTION = "When did I get good depth?"


def replay_coach(body: dict[str, Any]) -> Reply:
    """Read the events of the session the system prompt names, then cite the first
    annotation's time in session seconds."""
    system = next(m["content"] for m in body["messages"] if m["role"] == "system")
    named = re.search(r"recorded session (se_[A-Za-z0-9_-]+) at", system)
    if not named:
        return Reply(content="no session in the prompt")
    outputs = tool_outputs(body)
    if not outputs:
        return Reply(tool_calls=[("session_events", {"session_id": named.group(1)})])
    notes = [e for e in tool_data(outputs[-1])["events"] if e["kind"] == "annotation"]
    return Reply(content=f"You marked '{notes[0]['label']}' at {notes[0]['ts']:.2f} s.")


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeModelServer]:
    """The model behind the embedded agent of `backend_with_agent`, for this module."""
    with FakeModelServer(replay_coach) as server:
        yield server


@pytest.fixture(scope="module")
def backend(backend_with_agent: Backend) -> Backend:
    """One backend, with the embedded agent on the fake model, for recording and asking."""
    return backend_with_agent


def _shown_at(frames: list[dict[str, Any]], t: float) -> dict[str, Any]:
    """The recorded frame the replay shows at `t`: the last at or before it (else the first)."""
    before = [f for f in frames if f["ts"] <= t]
    return before[-1] if before else frames[0]


def _record(page: Page, backend: Backend, seconds: float) -> tuple[dict[str, Any], list[Any]]:
    """Stream the fake camera and record `seconds` of it; the stopped session and its frames."""
    open_studio(page, backend)
    page.get_by_test_id("add-stream").click()
    tile = page.get_by_test_id("stream-tile").first
    expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
    started = backend.api("POST", "/api/sessions", json={"name": "replay test", "video": True})
    assert started.status_code == 201, started.text
    session_id = started.json()["id"]
    wait_for(
        lambda: backend.api("GET", f"/api/sessions/{session_id}").json()["duration_s"] >= seconds,
        30,
        f"{seconds} s recorded",
    )
    stopped = backend.api("POST", f"/api/sessions/{session_id}/stop")
    assert stopped.status_code == 200, stopped.text
    session: dict[str, Any] = stopped.json()
    key = session["streams"][0]["key"]
    lines = backend.api("GET", f"/api/sessions/{session_id}/streams/{key}/poses").text
    frames = [json.loads(line) for line in lines.splitlines() if line]
    assert len(frames) == session["streams"][0]["frames"] > 10
    return session, frames


def test_replay_scrubs_to_the_middle_draws_the_recorded_pose_and_annotates(
    browser: Browser, backend: Backend, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        session, frames = _record(page, backend, 4.0)
        page.evaluate(f"location.hash = '#/sessions/{session['id']}'")
        expect(page.get_by_test_id("replay-name")).to_have_text("replay test", timeout=15_000)
        expect(page.get_by_test_id("replay-status")).to_have_text("complete")
        expect(page.get_by_test_id("replay-frame")).to_be_visible(timeout=15_000)
        page.screenshot(path=str(artifacts / "replay-start.png"), full_page=True)

        # Scrub: press at a fifth of the timeline and drag to its middle.
        bar = page.get_by_test_id("timeline-bar")
        box = bar.bounding_box()
        assert box is not None
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * 0.2, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)
        page.mouse.up()
        t = float(page.evaluate(PLAYHEAD))
        duration = max(session["duration_s"], session["streams"][0]["last_ts"])
        assert abs(t - duration / 2) < duration * 0.02, (t, duration)
        expected = _shown_at(frames, t)

        # The JPEG shown is that frame's, and the overlay drew that frame's recorded landmarks.
        image = page.get_by_test_id("replay-frame")
        expect(image).to_have_attribute("data-index", str(expected["index"]), timeout=10_000)
        overlay = page.get_by_test_id("replay-camera").get_by_test_id("pose-overlay")
        expect(overlay).to_have_attribute("data-seq", str(expected["pose"]["seq"]), timeout=10_000)
        pose = expected["pose"]
        assert pose["persons"], "nobody in the recorded frame at the middle"
        size = pose["image"]
        sample = page.evaluate(
            SAMPLE, [pose["persons"][0]["landmarks"], size["width"], size["height"]]
        )
        assert_skeleton_drawn(sample)
        page.screenshot(path=str(artifacts / "replay-middle.png"), full_page=True)
        assert axe_violations(page) == []

        # → steps to the next recorded frame (and pauses there).
        page.locator("body").press("ArrowRight")
        following = frames[frames.index(expected) + 1]
        wait_for(
            lambda: abs(float(page.evaluate(PLAYHEAD)) - following["ts"]) < 1e-6, 10, "a frame step"
        )
        expect(image).to_have_attribute("data-index", str(following["index"]), timeout=10_000)

        # Annotate at the playhead: stored, listed, marked; the mark seeks back there.
        at = float(page.evaluate(PLAYHEAD))
        page.get_by_test_id("annotation-label").fill("good depth")
        page.get_by_test_id("annotation-add").click()
        expect(page.get_by_test_id("annotation-text")).to_have_text(["good depth"])
        stored = backend.api("GET", f"/api/sessions/{session['id']}/annotations").json()
        assert [(a["label"], round(a["ts"], 3)) for a in stored["annotations"]] == [
            ("good depth", round(at, 3))
        ]
        page.mouse.move(box["x"] + box["width"] * 0.1, y)
        page.mouse.down()
        page.mouse.up()
        assert float(page.evaluate(PLAYHEAD)) < duration * 0.2
        page.get_by_test_id("mark-annotation").click()
        wait_for(lambda: abs(float(page.evaluate(PLAYHEAD)) - at) < 1e-3, 10, "the mark to seek")

        # [ and ] set a clip range on the timeline.
        page.locator("body").press("[")
        page.locator("body").press("ArrowRight")
        page.locator("body").press("ArrowRight")
        page.locator("body").press("]")
        expect(page.get_by_test_id("timeline-range")).to_be_visible()
        expect(page.get_by_test_id("clip-make")).to_be_enabled()
        page.screenshot(path=str(artifacts / "replay-annotated.png"), full_page=True)

        # A 2 s clip renders with its progress shown, then plays inline.
        marks = []
        for where, key in ((0.3, "["), (0.3 + 2.0 / duration, "]")):
            page.mouse.move(box["x"] + box["width"] * where, y)
            page.mouse.down()
            page.mouse.up()
            marks.append(float(page.evaluate(PLAYHEAD)))
            page.locator("body").press(key)
        expect(page.get_by_test_id("clip-range")).to_contain_text("(2.0 s)")
        in_range = [f for f in frames if marks[0] <= f["ts"] <= marks[1]]
        page.evaluate(WATCH_CLIP)
        page.get_by_test_id("clip-make").click()
        expect(page.get_by_test_id("clip-panel")).to_have_attribute(
            "data-phase", "complete", timeout=30_000
        )
        seen = page.evaluate("window.__clipSeen")
        assert "rendering" in seen["phases"] and seen["phases"][-1] == "complete", seen
        assert seen["progress"] and seen["progress"] == sorted(seen["progress"]), seen
        (clip,) = backend.api("GET", f"/api/sessions/{session['id']}/clips").json()["clips"]
        assert clip["status"] == "complete" and clip["frames"] == len(in_range) >= 3, clip
        played = page.evaluate(PLAY_CLIP, 1.0)
        assert (played["width"], played["height"]) == (640, 480), played
        assert abs(played["duration"] - clip["duration_s"]) < 0.05, (played, clip)
        page.screenshot(path=str(artifacts / "replay-clip.png"), full_page=True)

        # Ask from the replay: the answer's moment chip seeks the replay to that moment.
        page.mouse.move(box["x"] + box["width"] * 0.9, y)
        page.mouse.down()
        page.mouse.up()
        assert float(page.evaluate(PLAYHEAD)) > duration * 0.8
        page.get_by_test_id("replay-ask").click()
        page.get_by_test_id("ask-input").fill(QUESTION)
        with page.expect_response("**/agent/invoke") as invoked:
            page.get_by_test_id("ask-submit").click()
        assert invoked.value.status == 202
        assert invoked.value.request.post_data_json["context"]["session_id"] == session["id"]
        expect(page.get_by_test_id("ask-answer")).to_contain_text(
            f"You marked 'good depth' at {at:.2f} s", timeout=30_000
        )
        chip = page.get_by_test_id("ask-moment").filter(has_text="good depth")
        expect(chip).to_have_count(1)
        chip.click()
        wait_for(lambda: abs(float(page.evaluate(PLAYHEAD)) - at) < 1e-3, 10, "the chip to seek")
        page.screenshot(path=str(artifacts / "replay-ask.png"), full_page=True)

        # The avatar follows the replay too: this stream was streamed without kinematics,
        # so its skeletons are the server's solve of the take, fetched when it is turned on.
        page.get_by_test_id("replay-avatar-toggle").check()
        avatar = page.get_by_test_id("avatar-view")
        expect(avatar).to_have_attribute("data-webgl", "ok", timeout=15_000)
        page.locator("body").press("ArrowRight")
        wait_for(lambda: int(avatar.get_attribute("data-poses") or 0) >= 1, 15, "a skeleton")
        page.screenshot(path=str(artifacts / "replay-avatar.png"), full_page=True)
        print(
            f"\nreplay: {len(frames)} frames over {duration:.1f} s; middle t={t:.2f} s "
            f"frame {expected['index']}: {sample['hits']}/{sample['visible']} landmarks drawn"
        )
    finally:
        context.close()
