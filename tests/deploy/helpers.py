"""Shared pieces of the deployment tests: paths, tools, ports, polling, a real backend."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"


def tool(name: str) -> str:
    """The path of a command the tests drive: the venv's first, then PATH, then sbin."""
    for candidate in (VENV_BIN / name, Path("/usr/sbin") / name):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed (make system-deps / make setup)")
    return found


def run(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion, capturing text output (never raises on failure)."""
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `check` until it is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass(frozen=True)
class Backend:
    url: str
    port: int
    token: str
    metrics_token: str


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_backend(tmp: Path) -> Iterator[Backend]:
    """`posestudio serve` on a free loopback port, ready (engine loaded) when yielded."""
    port = free_port()
    backend = Backend(
        url=f"http://127.0.0.1:{port}",
        port=port,
        token="deploy-test-token-0123456789",
        metrics_token="deploy-test-metrics-0123456789",
    )
    env = {
        **os.environ,
        "POSE_STUDIO_TOKEN": backend.token,
        "POSE_STUDIO_METRICS_TOKEN": backend.metrics_token,
        "POSE_STUDIO_DATA_DIR": str(tmp / "data"),
        "POSE_STUDIO_WORKERS": "1",
        "POSE_STUDIO_ENVIRONMENT": "test",
        # nginx stands on loopback here, as cloudflared does on the compose network in
        # production: its forwarded headers are believed (docs/security.md).
        "POSE_STUDIO_TRUSTED_PROXIES": "127.0.0.1",
        "POSE_STUDIO_AGENT_METRICS_TOKEN": backend.metrics_token,
    }
    command = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    with _serving(tmp, "backend", command, env, f"{backend.url}/ready", timeout=180):
        yield backend


@contextmanager
def running_agent(tmp: Path, backend: Backend) -> Iterator[str]:
    """`posestudio agent serve` (in-process jobs, no model) on a free port; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "POSE_STUDIO_AGENT_TOKEN": backend.token,
        "POSE_STUDIO_AGENT_METRICS_TOKEN": backend.metrics_token,
        "POSE_STUDIO_AGENT_BACKEND_URL": backend.url,
        "POSE_STUDIO_AGENT_DATA_DIR": str(tmp / "agent-data"),
        "POSE_STUDIO_AGENT_ENVIRONMENT": "test",
    }
    command = ["agent", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with _serving(tmp, "agent", command, env, f"{url}/agent/health", timeout=60):
        yield url


@contextmanager
def _serving(
    tmp: Path, name: str, command: list[str], env: dict[str, str], health: str, timeout: float
) -> Iterator[None]:
    """Run `posestudio COMMAND…` until the block ends, once `health` answers."""
    log = (tmp / f"{name}.log").open("w")
    # cwd is the tmp folder, so a developer's .env is not read.
    process = subprocess.Popen(
        [str(VENV_BIN / "posestudio"), *command],
        cwd=tmp,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: process.poll() is not None or _answers(health),
            timeout=timeout,
            what=f"the {name}'s {health}",
        )
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {(tmp / f'{name}.log').read_text()[-2000:]}")
        yield
    finally:
        _stop(process)
        log.close()
