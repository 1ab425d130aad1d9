"""Browser fixtures: the real backend as a subprocess, the test video as a fake camera, Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from posestudio.client.sources import test_video_path
from tests.utils.fake_openai import FakeModelServer, knee_policy
from tests.utils.processes import clean_environ
from tests.utils.server import free_port

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend_build" / "dist"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("POSE_STUDIO_CHROMIUM", "/usr/bin/chromium")
TOKEN = "browser-test-token-0123456789"


@dataclass
class Backend:
    """`posestudio serve` on a fixed port, restartable on that same port; `env` adds to
    an environment without any POSE_STUDIO_* setting of the developer's."""

    port: int
    data_dir: Path
    log_path: Path
    token: str = TOKEN
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    starts: int = field(default=0)
    # "https": `serve --https` (the certificate it makes is not checked while waiting).
    scheme: str = "http"
    args: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> None:
        env = {
            **clean_environ(),
            "POSE_STUDIO_TOKEN": self.token,
            "POSE_STUDIO_DATA_DIR": str(self.data_dir),
            "POSE_STUDIO_FRONTEND_DIR": str(DIST),
            "POSE_STUDIO_ENVIRONMENT": "test",
            # The studio's tests stream over Socket.IO; the WebRTC test turns it on.
            "POSE_STUDIO_WEBRTC_ENABLED": "false",
            **self.env,
        }
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "posestudio_cli", "serve", "--port", str(self.port), *self.args],
            env=env,
            # Away from the repository, so no developer's .env file is read either.
            cwd=self.log_path.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"backend exited: {self.log_path.read_text()[-3000:]}")
            try:
                ready = httpx.get(f"{self.url}/ready", timeout=2, verify=self.scheme == "http")
                if ready.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)  # polling /ready, not standing in for synchronisation
        raise TimeoutError(f"backend not ready in {timeout} s: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def studio_dist() -> Path:
    if not (DIST / "index.html").is_file():
        pytest.fail("the web studio is not built: run `make frontend` (npm ci + vite build)")
    return DIST


@pytest.fixture(scope="session")
def fake_camera_y4m(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real person video as a 640x480 Y4M, which Chromium plays as its fake camera."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.fail("ffmpeg is missing: `make system-deps` installs it")
    out = tmp_path_factory.mktemp("camera") / "carphone-640x480.y4m"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-y",
            "-i",
            str(test_video_path()),
            "-vf",
            "scale=640:480,format=yuv420p",
            "-f",
            "yuv4mpegpipe",
            str(out),
        ],
        check=True,
    )
    return out


@pytest.fixture(scope="session")
def slow_camera_y4m(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The person video at 5 frames a second: a camera slower than the rate chosen."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.fail("ffmpeg is missing: `make system-deps` installs it")
    out = tmp_path_factory.mktemp("camera") / "carphone-5fps.y4m"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-y",
            "-i",
            str(test_video_path()),
            "-vf",
            "fps=5,scale=640:480,format=yuv420p",
            "-f",
            "yuv4mpegpipe",
            str(out),
        ],
        check=True,
    )
    return out


@pytest.fixture(scope="session")
def empty_scene_y4m(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of an empty grey scene as a 640x480 Y4M: a camera with no one in view."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.fail("ffmpeg is missing: `make system-deps` installs it")
    out = tmp_path_factory.mktemp("camera") / "empty-640x480.y4m"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=0x808080:s=640x480:r=15:d=2",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "yuv4mpegpipe",
            str(out),
        ],
        check=True,
    )
    return out


@pytest.fixture(scope="module")
def backend(studio_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """One backend per test module; a test that stops it must start it again."""
    tmp = tmp_path_factory.mktemp("backend")
    server = Backend(port=free_port(), data_dir=tmp / "data", log_path=tmp / "backend.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def accounts_backend(
    studio_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """`posestudio serve` with accounts on a fresh SQLite file in its data directory, in
    development, so that it prints the one-time setup URL as it does for a new user."""
    tmp = tmp_path_factory.mktemp("backend-accounts")
    server = Backend(
        port=free_port(),
        data_dir=tmp / "data",
        log_path=tmp / "backend.log",
        env={"POSE_STUDIO_ENVIRONMENT": "development"},
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


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
    tmp = tmp_path_factory.mktemp("backend-agent")
    server = Backend(
        port=free_port(),
        data_dir=tmp / "data",
        log_path=tmp / "backend.log",
        env={
            "POSE_STUDIO_AGENT_MODEL": "fake-model",
            "POSE_STUDIO_AGENT_BASE_URL": fake_model.base_url,
            "POSE_STUDIO_AGENT_API_KEY": "not-a-real-key",
            "POSE_STUDIO_AGENT_ENVIRONMENT": "test",
        },
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser(playwright_session: Playwright, fake_camera_y4m: Path) -> Iterator[Browser]:
    """Chromium whose fake camera plays the person video."""
    browser = _launch(playwright_session, fake_camera_y4m)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def browser_without_person(
    playwright_session: Playwright, empty_scene_y4m: Path
) -> Iterator[Browser]:
    """Chromium whose fake camera looks at an empty scene."""
    browser = _launch(playwright_session, empty_scene_y4m)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def browser_with_slow_camera(
    playwright_session: Playwright, slow_camera_y4m: Path
) -> Iterator[Browser]:
    """Chromium whose fake camera gives 5 frames a second."""
    browser = _launch(playwright_session, slow_camera_y4m)
    try:
        yield browser
    finally:
        browser.close()


def _launch(playwright: Playwright, camera_y4m: Path, *extra_args: str) -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make system-deps` installs Debian's chromium")
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_y4m}",
            # No GPU process: page compositing in software is far cheaper here than through
            # SwiftShader (frame capture took ~250 ms instead of ~20 ms on 2 busy cores),
            # while WebGL still renders through SwiftShader for the 3D view.
            "--disable-gpu",
            "--use-angle=swiftshader",
            "--enable-unsafe-swiftshader",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            *extra_args,
        ],
    )


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
