"""The backend under test: one started in a subprocess, or an existing one at a URL."""

from __future__ import annotations

import asyncio
import collections
import os
import re
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlparse

import httpx
import psutil

# `serve` prints the address indented on its own line (with `?token=` only in development).
_URL_LINE = re.compile(r"^\s+http://[^\s:/]+:(\d+)/")


def served_port(line: str) -> int | None:
    """The port from `posestudio serve`'s "Open:" line, or None for any other line."""
    match = _URL_LINE.match(line)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Target:
    """Where the clients connect, with what token, and which process to watch (if known)."""

    url: str
    token: str
    pid: int | None
    started_here: bool
    workers: int | None = None
    """The backend's worker count, when known (for worker utilisation)."""


class ServerStartError(RuntimeError):
    pass


def listening_pid(url: str) -> int | None:
    """The local process listening on the URL's port, when the URL points at this host."""
    parsed = urlparse(url)
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1", "0.0.0.0"):
        return None
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.AccessDenied:
        return None
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            return conn.pid
    return None


class LocalServer:
    """`posestudio serve` in a subprocess on a free port, with a generated token.

        async with LocalServer(workers=2) as target:
            ...  # target.url, target.token, target.pid

    The child inherits the environment, so `POSE_STUDIO_*` settings apply to it; the
    token, port, data directory and worker count are set here.
    """

    def __init__(
        self, *, workers: int, env: dict[str, str] | None = None, ready_timeout: float = 120.0
    ) -> None:
        self.workers = workers
        self.extra_env = env or {}
        self.ready_timeout = ready_timeout
        self.token = secrets.token_urlsafe(24)
        self.output: collections.deque[str] = collections.deque(maxlen=200)
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._data_dir: tempfile.TemporaryDirectory[str] | None = None
        self._port: asyncio.Future[int | None] | None = None

    async def _read_output(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None and self._port is not None
        async for raw in proc.stdout:  # drained to the end so that the child never blocks
            line = raw.decode(errors="replace").rstrip()
            self.output.append(line)
            port = served_port(line)
            if port is not None and not self._port.done():
                self._port.set_result(port)
        if not self._port.done():
            self._port.set_result(None)

    async def __aenter__(self) -> Target:
        self._data_dir = tempfile.TemporaryDirectory(prefix="posestudio-bench-")
        env = {
            **os.environ,
            "POSE_STUDIO_TOKEN": self.token,
            "POSE_STUDIO_HOST": "127.0.0.1",
            "POSE_STUDIO_PORT": "0",
            "POSE_STUDIO_WORKERS": str(self.workers),
            "POSE_STUDIO_DATA_DIR": self._data_dir.name,
            "POSE_STUDIO_LOG_LEVEL": os.environ.get("POSE_STUDIO_LOG_LEVEL", "warning"),
            **self.extra_env,
        }
        self._port = asyncio.get_running_loop().create_future()
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "posestudio_cli",
            "serve",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read_output(self._proc))
        try:
            url = await self._wait_ready()
        except BaseException:
            await self._stop()
            raise
        return Target(
            url=url, token=self.token, pid=self._proc.pid, started_here=True, workers=self.workers
        )

    async def _wait_ready(self) -> str:
        assert self._proc is not None and self._port is not None
        deadline = time.monotonic() + self.ready_timeout
        try:
            port = await asyncio.wait_for(asyncio.shield(self._port), self.ready_timeout)
        except TimeoutError:
            raise ServerStartError("the backend printed no URL in time:\n" + self.tail()) from None
        if port is None:
            raise ServerStartError("the backend exited before serving:\n" + self.tail())
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url, timeout=5) as http:
            while time.monotonic() < deadline:
                if self._proc.returncode is not None:
                    raise ServerStartError("the backend exited:\n" + self.tail())
                try:
                    if (await http.get("/ready")).status_code == 200:
                        return url
                except httpx.TimeoutException:
                    pass  # a loaded machine: the answer took over 5 s; ask again till the deadline
                await asyncio.sleep(0.2)  # polling another process's readiness endpoint
        raise ServerStartError("the backend's engines did not load in time:\n" + self.tail())

    def tail(self, lines: int = 30) -> str:
        return "\n".join(list(self.output)[-lines:])

    async def _stop(self) -> None:
        proc = self._proc
        if proc is not None and proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._data_dir is not None:
            self._data_dir.cleanup()

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._stop()
