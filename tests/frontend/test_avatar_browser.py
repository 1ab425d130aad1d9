"""The avatar view in headless Chromium against the real backend's body model (`kinematics`),
fed by the real person video: rendered, following the landmarks, a VRM opened through the
file input, the T-pose calibration's verdict, and display-rate frames from 5 Hz poses."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.frontend.vrm_fixture import BOX_RGB, build_vrm
from tests.utils.server import wait_for
from tests.utils.studio_backend import Backend
from tests.utils.studio_page import open_studio

pytestmark = pytest.mark.browser

# Runs in the page: waits (up to `timeout` ms) for a display frame that showed the latest
# skeleton itself (its segment played), then returns that frame's joints (the avatar as
# rendered, in the body's frame) with the pose's world landmarks. When poses arrive exactly
# one capture interval apart (credits pace the camera by the replies), a segment may never
# quite finish before the next begins: then the last frame heading to a pose is taken
# (`settled: false`), a fraction of one frame's motion short of it.
SETTLED_JOINTS = """
async ([index, timeout]) => {
  const deadline = performance.now() + timeout;
  let last = null;
  while (performance.now() < deadline) {
    const probe = window.__poseStudio.sessions[index].avatarProbe;
    const target = probe && probe.target();
    if (target && target.pose && target.pose.persons.length) {
      last = { joints: probe.joints(), world: target.pose.persons[0].world,
               scale: target.pose.skeleton.scale, seq: target.pose.seq, model: probe.model,
               settled: target.settled };
      if (target.settled) return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return last;
}
"""

# The avatar's joints and the BlazePose landmarks they sit at (a pair: their midpoint).
JOINT_LANDMARKS: dict[str, tuple[int, ...]] = {
    "neck": (11, 12),
    "head": (7, 8),
    "leftUpperArm": (11,),
    "rightUpperArm": (12,),
    "leftLowerArm": (13,),
    "rightLowerArm": (14,),
}


def _probe(page: Page, key: str) -> Any:
    return page.evaluate(
        "(key) => window.__poseStudio.sessions[0].avatarProbe?.[key] ?? null",
        key,
    )


def _follow_error(page: Page) -> dict[str, Any]:
    """Where the rendered avatar's joints are against the landmarks of the pose it shows:
    from the hips (the torso's length is the model's, so centimetres apart) and, for the
    head and shoulders, from the neck (the shape the rotations give, within a few cm)."""
    sample = page.evaluate(SETTLED_JOINTS, [0, 10_000])
    assert sample is not None, "no display frame showed a skeleton"
    world = np.array(sample["world"], dtype=float)
    # BlazePose world: hip-centred metres, y down, z away from the camera; the body frame
    # is Y up, facing +Z (the camera): (x, -y, -z).
    body = world[:, :3] * np.array([1.0, -1.0, -1.0])
    joints = {k: np.array(v) for k, v in sample["joints"].items()}
    seen = {
        name: body[list(marks)].mean(axis=0)
        for name, marks in JOINT_LANDMARKS.items()
        if min(world[m, 3] for m in marks) >= 0.8 and name in joints
    }
    assert len(seen) >= 3 and "neck" in seen, f"too few joints in view: {list(seen)}"
    hips = body[[23, 24]].mean(axis=0)
    from_hips = {n: float(np.linalg.norm(joints[n] - (p - hips))) for n, p in seen.items()}
    from_neck = {
        n: float(np.linalg.norm(joints[n] - joints["neck"] - (p - seen["neck"])))
        for n, p in seen.items()
        if n != "neck"
    }
    rms = lambda e: float(np.sqrt(np.mean(np.square(list(e.values())))))  # noqa: E731
    return {
        "rms": rms(from_hips),
        "errors": from_hips,
        "neck_rms": rms(from_neck),
        "from_neck": from_neck,
        "seq": sample["seq"],
        "model": sample["model"],
    }


def _pixels_unlike(image: np.ndarray, background_bgr: np.ndarray, tolerance: int = 40) -> int:
    return int((np.abs(image.astype(int) - background_bgr).sum(axis=2) > tolerance).sum())


def _near(image: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 90) -> int:
    bgr = np.array(rgb[::-1])
    return int((np.abs(image.astype(int) - bgr).sum(axis=2) < tolerance).sum())


def _screenshot(page: Page, path: Path) -> np.ndarray:
    canvas = page.get_by_test_id("avatar-view")
    png = canvas.screenshot(path=str(path))
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_avatar_follows_the_person_at_display_rate(
    browser: Browser, backend: Backend, artifacts: Path, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, color_scheme="dark")
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    try:
        open_studio(page, backend)
        page.get_by_test_id("add-stream").click()
        tile = page.get_by_test_id("stream-tile").first
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        # Poses at 10 Hz; the avatar on (the stream restarts with `kinematics: true`).
        tile.get_by_test_id("fps-select").select_option("10")
        tile.get_by_test_id("avatar-toggle").check()
        view = tile.get_by_test_id("avatar-view")
        expect(view).to_have_attribute("data-webgl", "ok", timeout=15_000)
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        wait_for(lambda: int(view.get_attribute("data-poses") or 0) >= 5, 20, "skeletons")
        assert tile.get_by_test_id("avatar-model").inner_text() == "Mannequin"
        expect(tile.get_by_test_id("avatar-calibrated")).to_have_text("not calibrated")

        # Rendered: the mannequin's pixels differ from the view's background.
        background = page.evaluate(
            """() => getComputedStyle(document.querySelector('[data-testid=avatar-view]'))
                 .getPropertyValue('--surface-3d').trim()"""
        )
        bg = np.array([int(background[i : i + 2], 16) for i in (5, 3, 1)])  # "#rrggbb" as BGR
        image = _screenshot(page, artifacts / "avatar-mannequin.png")
        corner = image[: image.shape[0] // 8, -image.shape[1] // 8 :]
        figure = _pixels_unlike(image, bg)
        # The mannequin's light body: many pixels far brighter than the dark background.
        body = int((image.astype(int).sum(axis=2) > 450).sum())
        assert figure > 0.02 * image.shape[0] * image.shape[1], figure
        assert body > 2000, body
        assert _pixels_unlike(corner, bg) < 0.05 * corner.shape[0] * corner.shape[1]

        # Its joints follow the landmarks: without the client's smoothing, a frame that shows
        # a skeleton puts the joints where that pose's landmarks are. The mannequin has the
        # reference body's proportions at the pose's scale, not the person's: measured
        # offline on this video, 4-8 cm from the hips (the torso's length), 1-3 cm from the
        # neck (head and shoulders).
        tile.get_by_test_id("avatar-smoothing").fill("0")
        mannequin = _follow_error(page)
        assert mannequin["rms"] < 0.10, mannequin
        assert mannequin["neck_rms"] < 0.035, mannequin
        assert max(mannequin["from_neck"].values()) < 0.05, mannequin

        # Display rate: over a few seconds, more frames than the poses that arrived. At 5
        # poses a second, so that software WebGL on busy CI cores still shows the
        # difference between drawing every display frame and drawing only at a pose.
        tile.get_by_test_id("fps-select").select_option("5")
        settled = _probe(page, "poses")
        wait_for(lambda: _probe(page, "poses") > settled + 2, 20, "poses at the lower rate")
        frames0, poses0, t0 = _probe(page, "frames"), _probe(page, "poses"), time.monotonic()
        page.wait_for_timeout(4000)  # a measuring window, not synchronisation
        frames1, poses1, t1 = _probe(page, "frames"), _probe(page, "poses"), time.monotonic()
        fps = (frames1 - frames0) / (t1 - t0)
        pps = (poses1 - poses0) / (t1 - t0)
        assert poses1 > poses0, "no skeletons arrived while measuring"
        assert frames1 - frames0 > poses1 - poses0, (fps, pps)
        page.screenshot(path=str(artifacts / "avatar-studio.png"), full_page=True)
        # Back to 10 Hz: the calibration's two seconds need its ten frames and more.
        tile.get_by_test_id("fps-select").select_option("10")
        resumed = _probe(page, "poses")
        wait_for(lambda: _probe(page, "poses") > resumed + 2, 20, "poses at 10 Hz again")

        # The T-pose calibration: a countdown, then the server's verdict on the seated person.
        tile.get_by_test_id("avatar-calibrate").click()
        calibration = tile.get_by_test_id("avatar-calibration")
        expect(calibration).to_have_attribute("data-phase", "countdown")
        expect(calibration).to_contain_text("Hold a T-pose in")
        expect(calibration).to_have_attribute("data-phase", "verdict", timeout=20_000)
        expect(calibration).to_contain_text("Calibration refused")
        verdict = calibration.inner_text()
        expect(tile.get_by_test_id("avatar-calibrated")).to_have_text("not calibrated")

        # The person's own VRM, through the file input (read in the page, never uploaded).
        path = tmp_path / "fixture.vrm"
        path.write_bytes(build_vrm())
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.method + " " + r.url))
        tile.get_by_test_id("avatar-file").set_input_files(str(path))
        expect(tile.get_by_test_id("avatar-model")).to_have_text("fixture.vrm", timeout=20_000)
        expect(view).to_have_attribute("data-model", "fixture.vrm")
        assert _probe(page, "kind") == "vrm"
        assert not [r for r in requests if r.startswith(("POST", "PUT"))], requests
        wait_for(lambda: _follow_error(page)["model"] == "fixture.vrm", 10, "the VRM posed")
        vrm = _follow_error(page)
        assert vrm["rms"] < 0.10, vrm
        assert vrm["neck_rms"] < 0.035, vrm
        image = _screenshot(page, artifacts / "avatar-vrm.png")
        assert _near(image, BOX_RGB) > 500
        print(
            f"\navatar: {fps:.1f} frames/s rendered while {pps:.1f} skeletons/s arrived "
            f"(poses at 5 FPS); mannequin joints vs landmarks: from the hips "
            f"{mannequin['rms'] * 100:.1f} cm RMS, from the neck {mannequin['neck_rms'] * 100:.1f}"
            f" cm RMS ({', '.join(f'{k} {v * 100:.1f}' for k, v in mannequin['from_neck'].items())}"
            f"); VRM {vrm['rms'] * 100:.1f} / {vrm['neck_rms'] * 100:.1f} cm; "
            f"calibration: {verdict!r}"
        )
    except Exception:
        page.screenshot(path=str(artifacts / "avatar-failure.png"), full_page=True)
        print("\n".join(console[-40:]))
        raise
    finally:
        context.close()
