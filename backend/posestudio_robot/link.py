"""The service's link to the backend: a Socket.IO client of its `/robots` namespace.

Hello on every (re)connect, the registry from its answer and from `robot_config`,
`robot_command` -> `robot_result`; status and telemetry the other way (docs/robots.md).
Losing the link stops every robot at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import socketio
from pydantic import ValidationError

from posestudio_core.errors import BadRequest, validation_problems
from posestudio_robot import __version__
from posestudio_robot.fleet import Fleet
from posestudio_robot.models import (
    RobotCommand,
    RobotConfig,
    RobotList,
    RobotResult,
    Status,
)
from posestudio_robot.runner import DriverFactory
from posestudio_robot.settings import RobotSettings

log = logging.getLogger(__name__)

NAMESPACE = "/robots"


class BackendLink:
    def __init__(self, settings: RobotSettings, token: str, driver_factory: DriverFactory):
        self.settings = settings
        self._token = token
        self.fleet = Fleet(settings, self, driver_factory)
        self.sio = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay=settings.reconnect_min_s,
            reconnection_delay_max=settings.reconnect_max_s,
            logger=False,
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self.hellos = 0
        self._closing = False
        ns = NAMESPACE
        self.sio.on("connect", self._on_connect, namespace=ns)
        self.sio.on("disconnect", self._on_disconnect, namespace=ns)
        self.sio.on("robot_config", self._on_config, namespace=ns)
        self.sio.on("robot_command", self._on_command, namespace=ns)

    async def connect(self) -> None:
        """Connect (retrying until the backend answers); reconnects by itself afterwards."""
        await self.sio.connect(
            self.settings.backend_url,
            namespaces=[NAMESPACE],
            auth={"token": self._token},
            transports=["websocket"],
            retry=True,
        )

    async def close(self) -> None:
        self._closing = True
        await self.fleet.close()
        await self.sio.disconnect()

    # Uplink
    async def _emit(self, event: str, payload: dict[str, Any]) -> None:
        if self.sio.connected and NAMESPACE in self.sio.namespaces:
            await self.sio.emit(event, payload, namespace=NAMESPACE)

    async def status(self, robot_id: str, status: Status, detail: str) -> None:
        payload: dict[str, Any] = {"robot_id": robot_id, "status": status}
        if detail:
            payload["detail"] = detail[:200]
        await self._emit("robot_status", payload)

    async def telemetry(self, payload: dict[str, Any]) -> None:
        await self._emit("robot_telemetry", payload)

    # Events
    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _on_connect(self) -> None:
        self._spawn(self._hello())

    async def _hello(self) -> None:
        hello = {"site": self.settings.site, "version": __version__}
        try:
            answer = await self.sio.call("service_hello", hello, namespace=NAMESPACE, timeout=10)
        except Exception as exc:  # a timeout, a dropped transport
            # Connected but unregistered would show every robot offline until the link
            # drops: drop it now, and the reconnect says hello again.
            log.error("the hello went unanswered (%s): reconnecting", exc)
            await self.sio.disconnect()
            if not self._closing:
                self._spawn(self._reconnect())
            return
        if not isinstance(answer, dict) or "robots" not in answer:
            log.error("the backend refused the hello: %s", answer)
            return
        self.hellos += 1
        await self._on_config(answer)

    async def _on_disconnect(self, *reason: Any) -> None:
        log.warning("backend link lost (%s): stopping every robot", reason[0] if reason else "")
        await self.fleet.halt_all()
        # The client reconnects by itself after a lost transport, not after the backend
        # closed the link (a restart, a deploy): the service keeps trying in both cases.
        if reason and reason[0] == self.sio.reason.SERVER_DISCONNECT and not self._closing:
            self._spawn(self._reconnect())

    async def _reconnect(self) -> None:
        await asyncio.sleep(self.settings.reconnect_min_s)  # a backoff, then retries
        await self.connect()

    async def _on_config(self, data: Any) -> None:
        try:
            entries = RobotList.model_validate(data).robots
        except ValidationError as exc:
            problems = validation_problems(exc.errors())
            log.error("a robot_config that does not validate: %s", problems)
            return
        robots, refused = [], []
        for entry in entries:
            try:
                robots.append(RobotConfig.model_validate(entry))
            except ValidationError as exc:
                problems = validation_problems(exc.errors())
                log.error("robot %s: its config does not validate: %s", entry.get("id"), problems)
                refused.append((str(entry.get("id", "")), problems))
        await self.fleet.apply(robots)
        for robot_id, problems in refused:
            if robot_id:
                await self.status(robot_id, "offline", f"config does not validate: {problems}")

    async def _on_command(self, data: Any) -> None:
        try:
            command = RobotCommand.model_validate(data)
        except ValidationError as exc:
            robot_id = data.get("robot_id", "") if isinstance(data, dict) else ""
            seq = data.get("seq", -1) if isinstance(data, dict) else -1
            error = BadRequest("robot_command does not validate")
            problems = validation_problems(exc.errors())
            result = RobotResult.refused(
                str(robot_id),
                seq if isinstance(seq, int) else -1,
                error.code,
                f"{error.message}: {problems}"[:500],
            )
            await self._emit("robot_result", result.model_dump(mode="json"))
            return
        # Each command on its own task: a slow request never holds back an e-stop.
        self._spawn(self._run_command(command))

    async def _run_command(self, command: RobotCommand) -> None:
        result = await self.fleet.handle(command)
        await self._emit("robot_result", result.model_dump(mode="json"))
