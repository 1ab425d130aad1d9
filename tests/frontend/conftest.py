"""Browser fixtures: the real backend as a subprocess, the test video as a fake camera, Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from posestudio.client.sources import test_video_path
from tests.utils.fake_openai import FakeModelServer, knee_policy
from tests.utils.studio_backend import CHROMIUM as CHROMIUM
from tests.utils.studio_backend import DIST, Backend, chromium, ffmpeg_y4m, studio_backend

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def studio_dist() -> Path:
    if not (DIST / "index.html").is_file():
        pytest.fail("the web studio is not built: run `make frontend` (npm ci + vite build)")
    return DIST


@pytest.fixture(scope="session")
def fake_camera_y4m(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real person video as a 640x480 Y4M, which Chromium plays as its fake camera."""
    out = tmp_path_factory.mktemp("camera") / "carphone-640x480.y4m"
    return ffmpeg_y4m(out, "-i", str(test_video_path()), "-vf", "scale=640:480,format=yuv420p")


@pytest.fixture(scope="session")
def slow_camera_y4m(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The person video at 5 frames a second: a camera slower than the rate chosen."""
    out = tmp_path_factory.mktemp("camera") / "carphone-5fps.y4m"
    return ffmpeg_y4m(
        out, "-i", str(test_video_path()), "-vf", "fps=5,scale=640:480,format=yuv420p"
    )


@pytest.fixture(scope="session")
def empty_scene_y4m(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of an empty grey scene as a 640x480 Y4M: a camera with no one in view."""
    out = tmp_path_factory.mktemp("camera") / "empty-640x480.y4m"
    return ffmpeg_y4m(
        out, "-f", "lavfi", "-i", "color=c=0x808080:s=640x480:r=15:d=2", "-pix_fmt", "yuv420p"
    )


@pytest.fixture(scope="module")
def backend(studio_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """One backend per test module; a test that stops it must start it again."""
    with studio_backend(tmp_path_factory.mktemp("backend")) as server:
        yield server


@pytest.fixture(scope="module")
def accounts_backend(
    studio_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """`posestudio serve` with accounts on a fresh SQLite file in its data directory, in
    development, so that it prints the one-time setup URL as it does for a new user."""
    tmp = tmp_path_factory.mktemp("backend-accounts")
    with studio_backend(tmp, env={"POSE_STUDIO_ENVIRONMENT": "development"}) as server:
        yield server


# Proves that the answer is shown as text: markup from the model must not become markup.
MODEL_POSTSCRIPT = " **Keep it up.** <b>not markup</b>"


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeModelServer]:
    """The fake OpenAI-protocol model on a free port: pose_stats first, then the left knee."""
    with FakeModelServer(knee_policy(MODEL_POSTSCRIPT)) as server:
        yield server


@pytest.fixture(scope="module")
def backend_with_agent(
    studio_dist: Path, fake_model: FakeModelServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """`posestudio serve` whose embedded agent uses the fake model, as it would use vLLM."""
    env = {
        "POSE_STUDIO_AGENT_MODEL": "fake-model",
        "POSE_STUDIO_AGENT_BASE_URL": fake_model.base_url,
        "POSE_STUDIO_AGENT_API_KEY": "not-a-real-key",
        "POSE_STUDIO_AGENT_ENVIRONMENT": "test",
    }
    with studio_backend(tmp_path_factory.mktemp("backend-agent"), env=env) as server:
        yield server


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser(playwright_session: Playwright, fake_camera_y4m: Path) -> Iterator[Browser]:
    """Chromium whose fake camera plays the person video."""
    with chromium(playwright_session, fake_camera_y4m) as browser:
        yield browser


@pytest.fixture
def browser_without_person(
    playwright_session: Playwright, empty_scene_y4m: Path
) -> Iterator[Browser]:
    """Chromium whose fake camera looks at an empty scene."""
    with chromium(playwright_session, empty_scene_y4m) as browser:
        yield browser


@pytest.fixture
def browser_with_slow_camera(
    playwright_session: Playwright, slow_camera_y4m: Path
) -> Iterator[Browser]:
    """Chromium whose fake camera gives 5 frames a second."""
    with chromium(playwright_session, slow_camera_y4m) as browser:
        yield browser


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
