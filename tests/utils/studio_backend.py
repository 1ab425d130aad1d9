"""`posestudio serve` as a real subprocess for the browser tests, and Chromium with a fake
camera that plays a Y4M file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Playwright

from tests.utils.processes import clean_environ
from tests.utils.server import free_port

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend_build" / "dist"
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

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An HTTP request to the backend with its token."""
        return httpx.request(
            method,
            f"{self.url}{path}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
            **kwargs,
        )

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


@contextmanager
def studio_backend(tmp: Path, **options: Any) -> Iterator[Backend]:
    """A started `Backend` on a free port with its data and log under `tmp`; stopped after.
    `options` are the `Backend` fields to set (env, scheme, args, token)."""
    server = Backend(
        port=free_port(), data_dir=tmp / "data", log_path=tmp / "backend.log", **options
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def ffmpeg_y4m(out: Path, *ffmpeg_args: str) -> Path:
    """Write `out` as a Y4M for Chromium's fake camera: `ffmpeg_args` name the input and
    its filters, between ffmpeg's `-y` and the Y4M output."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.fail("ffmpeg is missing: `make system-deps` installs it")
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", *ffmpeg_args, "-f", "yuv4mpegpipe", str(out)], check=True
    )
    return out


@contextmanager
def chromium(playwright: Playwright, camera_y4m: Path, *extra_args: str) -> Iterator[Browser]:
    """Headless Chromium whose fake camera plays `camera_y4m`; closed after."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make system-deps` installs Debian's chromium")
    browser = playwright.chromium.launch(
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
    try:
        yield browser
    finally:
        browser.close()
