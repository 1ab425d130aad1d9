"""Robots test parts: a backend with the robots on loopback, people by token, and a real
Socket.IO client that speaks the robot service's side of the protocol."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import socketio

from posestudio.app import create_app
from posestudio.engines import EngineRegistry
from posestudio.robots.service import Robots
from posestudio.runtime import build_runtime
from posestudio.sessions.service import Sessions
from posestudio.settings import Settings
from posestudio_core.auth import Principal
from tests.utils.principals import TokensAuthenticator
from tests.utils.servers import uvicorn_server

ADMIN = "admin-token-0123456789abcdef"
OPERATOR = "operator-token-0123456789abcdef"
OTHER = "other-operator-token-0123456789abcdef"
VIEWER = "viewer-token-0123456789abcdef"
SERVICE = "service-token-0123456789abcdef"
ROBOT_SERVICE_TOKEN = "robot-service-test-token-0123456789"
PEOPLE = {
    ADMIN: Principal(subject="user:admin", role="admin"),
    OPERATOR: Principal(subject="user:olga", role="operator"),
    OTHER: Principal(subject="user:otto", role="operator"),
    VIEWER: Principal(subject="user:vera", role="viewer"),
    # The robot service's token: an admin's, narrowed to serving robots.
    SERVICE: Principal(subject="token:robot-site", role="admin", scopes=frozenset({"robot.serve"})),
    # The token `posestudio robot serve` presents in tests/backend/posestudio_robot/harness.py.
    ROBOT_SERVICE_TOKEN: Principal(
        subject="token:robot-service", role="admin", scopes=frozenset({"robot.serve"})
    ),
}
WAIT_S = 10.0


@dataclass
class RobotsBackend:
    url: str
    robots: Robots
    sessions: Sessions | None = None

    def http(self, token: str = ADMIN) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def add_robot(self, name: str = "rex", model: str = "go2", **fields: Any) -> dict[str, Any]:
        body = {"name": name, "model": model, "method": "local_sta", "address": "127.0.0.1"}
        with self.http() as admin:
            response = admin.post("/api/robots", json={**body, **fields})
        assert response.status_code == 201, response.text
        robot: dict[str, Any] = response.json()
        return robot

    def reset(self) -> None:
        with self.http() as admin:
            for robot in admin.get("/api/robots").json()["robots"]:
                admin.delete(f"/api/robots/{robot['id']}")


@contextmanager
def robots_backend(
    data_dir: Path, *, engines: bool = True, sessions: bool = False, **overrides: Any
) -> Iterator[RobotsBackend]:
    """The real app with the robots; `engines=False`: no pose engine (nothing to load);
    `sessions`: with recording (local storage under `data_dir`)."""
    settings = Settings(
        environment="test",
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'posestudio.db'}",
        max_fps=240,
        robot_audit_interval_s=0.2,
        **overrides,
    )
    robots = Robots(settings)
    recorded = Sessions(settings) if sessions else None
    runtime = build_runtime(
        settings,
        authenticator=TokensAuthenticator(PEOPLE),
        registry=None if engines else EngineRegistry({}),
        robots=robots,
        sessions=recorded,
    )
    with uvicorn_server(create_app(runtime)) as url:
        yield RobotsBackend(url, robots, recorded)


@dataclass
class Peer:
    """A real Socket.IO client on `/robots` that keeps every event it hears, by name."""

    sio: socketio.AsyncClient
    events: dict[str, asyncio.Queue[Any]] = field(default_factory=dict)

    def queue(self, event: str) -> asyncio.Queue[Any]:
        return self.events.setdefault(event, asyncio.Queue())

    async def next(self, event: str, timeout: float = WAIT_S) -> Any:
        return await asyncio.wait_for(self.queue(event).get(), timeout)

    async def until(self, event: str, match: Any, timeout: float = WAIT_S) -> Any:
        """The next `event` for which `match(data)` holds (earlier ones are skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                data = await self.queue(event).get()
                if match(data):
                    return data

    def drain(self, event: str) -> list[Any]:
        queue, items = self.queue(event), []
        while not queue.empty():
            items.append(queue.get_nowait())
        return items

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sio.call(event, data, namespace="/robots", timeout=WAIT_S)

    async def emit(self, event: str, data: Any) -> None:
        await self.sio.emit(event, data, namespace="/robots")


SERVICE_EVENTS = ("robot_config", "robot_command")
PEOPLE_EVENTS = ("robot_status", "robot_telemetry", "lease", "robot_error", "behaviour")


@contextlib.asynccontextmanager
async def peer(
    url: str, token: str, events: tuple[str, ...] = PEOPLE_EVENTS
) -> AsyncIterator[Peer]:
    sio = socketio.AsyncClient(reconnection=False)
    found = Peer(sio)
    for event in events:
        queue = found.queue(event)

        async def handler(data: Any, queue: asyncio.Queue[Any] = queue) -> None:
            await queue.put(data)

        sio.on(event, handler, namespace="/robots")
    await sio.connect(url, namespaces=["/robots"], auth={"token": token}, transports=["websocket"])
    try:
        yield found
    finally:
        await sio.disconnect()


class FakeService:
    """The robot service's side, as docs/robots.md says it: hello, status, results.

    It answers every command `ok`, each move with its target after the clamps (equal to
    the request when within the limits), as the real service does; `refuse` makes it
    refuse the next command."""

    def __init__(self, peer: Peer) -> None:
        self.peer = peer
        self.robots: dict[str, dict[str, Any]] = {}
        self.commands: list[dict[str, Any]] = []
        self.refuse: dict[str, Any] | None = None
        self._task: asyncio.Task[None] | None = None

    async def hello(self) -> list[dict[str, Any]]:
        ack = await self.peer.call("service_hello", {"site": "lab", "version": "test"})
        assert ack["ok"], ack
        self.robots = {r["id"]: r for r in ack["robots"]}
        self._task = asyncio.create_task(self._answer())
        return list(ack["robots"])

    async def online(self, robot_id: str, status: str = "online") -> None:
        await self.peer.emit("robot_status", {"robot_id": robot_id, "status": status})

    async def _answer(self) -> None:
        while True:
            command = await self.peer.next("robot_command", timeout=3600)
            self.commands.append(command)
            await self.peer.queue("seen").put(command)
            result: dict[str, Any] = {"robot_id": command["robot_id"], "seq": command["seq"]}
            if self.refuse is not None:
                result |= {"ok": False, "error": self.refuse}
                self.refuse = None
            else:
                result |= {"ok": True, "clamped": self._clamp(command)}
            await self.peer.emit("robot_result", result)

    def _clamp(self, command: dict[str, Any]) -> dict[str, float] | None:
        body = command["command"]
        robot = self.robots.get(command["robot_id"])
        if body["kind"] != "move" or robot is None:
            return None
        limits = robot["limits"]
        caps = {"x": limits["max_vx"], "y": limits["max_vy"], "z": limits["max_yaw"]}
        return {k: max(-cap, min(cap, body[k])) for k, cap in caps.items()}

    async def seen(self, kind: str, timeout: float = WAIT_S) -> dict[str, Any]:
        """The next command of this kind the service received."""
        command: dict[str, Any] = await self.peer.until(
            "seen", lambda c: c["command"]["kind"] == kind, timeout
        )
        return command

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@contextlib.asynccontextmanager
async def service(url: str, token: str = SERVICE) -> AsyncIterator[FakeService]:
    async with peer(url, token, SERVICE_EVENTS) as p:
        fake = FakeService(p)
        try:
            yield fake
        finally:
            await fake.close()
