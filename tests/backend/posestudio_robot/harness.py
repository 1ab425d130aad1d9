"""A small real backend for the robot service's link, and the simulator as a real process.

`RobotsBackend` is a python-socketio server that speaks the backend's side of the protocol
in docs/robots.md on a real socket: it answers `service_hello` with its robots, sends
`robot_command`, and records results, statuses and telemetry. Waiting is on its events,
never on sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import socketio
from aiohttp import web

from tests.utils.processes import posestudio

NS = "/robots"
TOKEN = "robot-service-test-token-0123456789"


def free_loopback_host() -> str:
    """A 127.x.y.z address whose ports 9991 and 8081 are free: the simulator's own "LAN"."""
    while True:
        host = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        try:
            for port in (9991, 8081):
                with socket.socket() as probe:
                    probe.bind((host, port))
        except OSError:
            continue
        return host


class RobotsBackend:
    def __init__(self, robots: list[dict[str, Any]]) -> None:
        self.robots = robots
        self.sio = socketio.AsyncServer(async_mode="aiohttp", logger=False)
        self.app = web.Application()
        self.sio.attach(self.app)
        self._runner = web.AppRunner(self.app, access_log=None)
        self.url = ""
        self.sid: str | None = None
        self.hellos: list[dict[str, Any]] = []
        self.refused = 0
        self.results: dict[int, dict[str, Any]] = {}
        self.result_at: dict[int, float] = {}
        self.issued_at: dict[int, float] = {}
        """Each command's `issued_at` (wall clock, as the service's telemetry `ts`)."""
        self.statuses: list[dict[str, Any]] = []
        self.telemetry: list[tuple[float, dict[str, Any]]] = []
        self._seq = 0
        self._changed = asyncio.Condition()
        self.sio.on("connect", self._connect, namespace=NS)
        self.sio.on("disconnect", self._disconnect, namespace=NS)
        self.sio.on("service_hello", self._hello, namespace=NS)
        self.sio.on("robot_result", self._result, namespace=NS)
        self.sio.on("robot_status", self._status, namespace=NS)
        self.sio.on("robot_telemetry", self._telemetry, namespace=NS)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def until(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Wait until `predicate()` is truthy (checked on every event); returns its value."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                while not (value := predicate()):
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"timed out ({timeout} s) waiting for {what}") from None
        return value

    # The service's events
    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any) -> bool:
        if not isinstance(auth, dict) or auth.get("token") != TOKEN:
            self.refused += 1
            return False
        self.sid = sid
        return True

    async def _disconnect(self, sid: str, *reason: Any) -> None:
        if sid == self.sid:
            self.sid = None
        await self._notify()

    async def _hello(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        self.hellos.append(data)
        await self._notify()
        return {"robots": self.robots}

    async def _result(self, sid: str, data: dict[str, Any]) -> None:
        self.results[data["seq"]] = data
        self.result_at[data["seq"]] = time.monotonic()
        await self._notify()

    async def _status(self, sid: str, data: dict[str, Any]) -> None:
        self.statuses.append(data)
        await self._notify()

    async def _telemetry(self, sid: str, data: dict[str, Any]) -> None:
        self.telemetry.append((time.monotonic(), data))
        await self._notify()

    # The backend's side
    async def command(
        self,
        robot_id: str,
        command: dict[str, Any],
        *,
        deadline_ms: int = 2000,  # generous: the tests share busy cores
        issued_at: float | None = None,
    ) -> int:
        self._seq += 1
        self.issued_at[self._seq] = time.time() if issued_at is None else issued_at
        await self.sio.emit(
            "robot_command",
            {
                "robot_id": robot_id,
                "seq": self._seq,
                "issued_at": self.issued_at[self._seq],
                "deadline_ms": deadline_ms,
                "controller": "user:test",
                "command": command,
            },
            to=self.sid,
            namespace=NS,
        )
        return self._seq

    async def result(self, seq: int, timeout: float = 5.0) -> dict[str, Any]:
        return await self.until(lambda: self.results.get(seq), timeout, f"result {seq}")

    async def run(self, robot_id: str, command: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return await self.result(await self.command(robot_id, command, **kw))

    async def configure(self, robots: list[dict[str, Any]]) -> None:
        self.robots = robots
        await self.sio.emit("robot_config", {"robots": robots}, to=self.sid, namespace=NS)

    def status_of(self, robot_id: str) -> str | None:
        for status in reversed(self.statuses):
            if status["robot_id"] == robot_id:
                return str(status["status"])
        return None

    async def status_becomes(self, robot_id: str, status: str, timeout: float) -> None:
        await self.until(lambda: self.status_of(robot_id) == status, timeout, f"{status}")

    def latest(self, robot_id: str, since: float = 0.0) -> dict[str, Any] | None:
        for at, data in reversed(self.telemetry):
            if at < since:
                return None
            if data["robot_id"] == robot_id:
                return data
        return None

    async def telemetry_where(
        self,
        robot_id: str,
        predicate: Callable[[dict[str, Any]], bool],
        timeout: float,
        since: float = 0.0,
    ) -> dict[str, Any]:
        """The latest telemetry (received after `since`) once it matches `predicate`."""

        def match() -> dict[str, Any] | None:
            data = self.latest(robot_id, since)
            return data if data is not None and predicate(data) else None

        return await self.until(match, timeout, f"telemetry of {robot_id}")


@contextlib.contextmanager
def service(
    backend_url: str, cwd: Path, output: list[str], port: int, token: str = TOKEN
) -> Iterator[None]:
    """`posestudio robot serve` against `backend_url` (its /metrics on `port`)."""
    env = {
        "POSE_STUDIO_ROBOT_PORT": str(port),
        "POSE_STUDIO_ROBOT_METRICS_TOKEN": "robot-metrics-token-0123456789",
        "POSE_STUDIO_ROBOT_BACKEND_URL": backend_url,
        "POSE_STUDIO_ROBOT_TOKEN": token,
        "POSE_STUDIO_ROBOT_SITE": "test-site",
        "POSE_STUDIO_ROBOT_ICE_LOOPBACK": "true",
        "POSE_STUDIO_ROBOT_RECONNECT_MIN_S": "0.2",
        "POSE_STUDIO_ROBOT_RECONNECT_MAX_S": "1.0",
        # Longer than the default 500 ms: a stall of the shared CI cores while another
        # robot's WebRTC link comes up must not read as a dead robot.
        "POSE_STUDIO_ROBOT_WATCHDOG_MS": "1500",
    }
    with posestudio(["robot", "serve"], env=env, cwd=cwd, ready="robot service", output=output):
        yield


@contextlib.contextmanager
def simulator(host: str, cwd: Path, *args: str) -> Iterator[None]:
    """`posestudio robot simulate` on `host` until the block ends."""
    with posestudio(
        ["robot", "simulate", "--host", host, *args], env={}, cwd=cwd, ready="listening"
    ):
        yield
