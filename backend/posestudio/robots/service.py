"""The robots part of a backend: the registry, the hub, pose control, behaviours, routes.

    robots = Robots(settings, database=accounts.database)
    runtime = build_runtime(settings, ..., robots=robots)   # attaches the namespace

Its runtime step migrates the database, loads the registry into the hub and starts the
audit writer and the lease reaper; stopping ends every lease (each robot told to stop)
and writes what the audit log still holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from posestudio.db.database import Database
from posestudio.errors import PoseStudioError
from posestudio.protocol.robots import NAMESPACE, Behaviour, DriveRequest
from posestudio.robots import crud
from posestudio.robots.audit import AuditBatch
from posestudio.robots.hub import RobotHub
from posestudio.robots.namespace import RobotsNamespace
from posestudio.robots.posesink import PoseControl
from posestudio.settings import Settings
from posestudio_core.auth import Principal
from posestudio_core.errors import RobotRefused

if TYPE_CHECKING:
    from posestudio.runtime import Runtime

log = logging.getLogger(__name__)


class Robots:
    def __init__(self, settings: Settings, *, database: Database | None = None) -> None:
        self.settings = settings
        self.database = database or Database(settings.resolved_database_url)
        self.audit = AuditBatch(self.database, settings.robot_audit_interval_s)
        self._hub: RobotHub | None = None
        self._control: PoseControl | None = None
        self._runs: dict[str, asyncio.Task[None]] = {}

    @property
    def hub(self) -> RobotHub:
        assert self._hub is not None, "attach the robots to a runtime first"
        return self._hub

    def attach(self, runtime: Runtime) -> None:
        """The hub on the runtime's Socket.IO server, its namespace, the pose sink."""
        s = self.settings
        self._hub = RobotHub(
            runtime.sio,
            self.audit,
            deadline_ms=s.robot_command_deadline_ms,
            command_timeout_s=s.robot_command_timeout_s,
            lease_idle_s=s.robot_lease_idle_s,
            telemetry_hz=s.robot_telemetry_hz,
        )
        self._control = PoseControl(self._hub)
        if runtime.sessions is not None:  # telemetry kept with the controller's recording
            self._hub.on_telemetry = runtime.sessions.robot_telemetry
        runtime.sio.register_namespace(
            RobotsNamespace(
                self._hub,
                self._control,
                runtime.manager,
                runtime.authenticator,
                self.service_configs,
                self.run_behaviour,
            )
        )
        runtime.manager.add_sink_factory(self._control.sink)

    async def start(self) -> None:
        await asyncio.to_thread(self.database.upgrade_at_start)
        await self.reload()
        self.audit.start()
        self.hub.start()

    async def stop(self) -> None:
        for task in list(self._runs.values()):
            task.cancel()
        await self.hub.stop()
        await self.audit.stop()

    def install(self, app: FastAPI) -> None:
        from posestudio.api import robots

        app.state.robots = self
        if not hasattr(app.state, "database"):
            app.state.database = self.database
        app.include_router(robots.router)

    # -- the registry, as the hub and the robot service see it -----------------------
    async def reload(self) -> None:
        """Read the registry and hand it to the hub (which tells the robot services)."""

        def read() -> list[Any]:
            with self.database.session() as session:
                return [crud.config(row) for row in crud.all_robots(session)]

        await self.hub.configure(await asyncio.to_thread(read))

    async def service_configs(self) -> list[dict[str, Any]]:
        return self.hub.configs()

    # -- behaviours: replayed through the hub, as their holder's drives --------------
    async def run_behaviour(
        self, principal: Principal, sid: str, robot_id: str, behaviour_id: str
    ) -> dict[str, Any]:
        state = self.hub.robot(robot_id)
        self.hub._held(state, sid)

        def read() -> Behaviour:
            with self.database.session() as session:
                return crud.behaviour_public(crud.get_behaviour(session, behaviour_id=behaviour_id))

        behaviour = await asyncio.to_thread(read)
        if state.config.model not in behaviour.models:
            raise RobotRefused(
                f"{behaviour.name} is not for a {state.config.model}",
                details={"reason": "incompatible_model", "models": behaviour.models},
            )
        previous = self._runs.pop(robot_id, None)
        if previous is not None:
            previous.cancel()
        self.audit.add(
            "robot.behaviour",
            principal.subject,
            robot_id,
            {"behaviour": behaviour.id, "name": behaviour.name, "version": behaviour.version},
        )
        task = asyncio.create_task(self._replay(sid, robot_id, behaviour))
        self._runs[robot_id] = task
        task.add_done_callback(lambda done: self._ended(robot_id, done))
        duration = behaviour.steps[-1].t if behaviour.steps else 0.0
        return {
            "ok": True,
            "robot_id": robot_id,
            "behaviour_id": behaviour.id,
            "duration_s": duration,
        }

    def _ended(self, robot_id: str, task: asyncio.Task[None]) -> None:
        if self._runs.get(robot_id) is task:
            del self._runs[robot_id]

    async def _replay(self, sid: str, robot_id: str, behaviour: Behaviour) -> None:
        started = time.monotonic()
        outcome = "done"
        try:
            for step in behaviour.steps:
                wait = started + step.t - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)  # the step's own time in the behaviour
                command = step.command
                if command.kind == "move":
                    request = DriveRequest(robot_id=robot_id, x=command.x, y=command.y, z=command.z)
                    await self.hub.drive(sid, request, source="behaviour")
                elif command.kind == "action":
                    await self.hub.action(sid, robot_id, command.name)
                else:
                    await self.hub.drive(sid, DriveRequest(robot_id=robot_id, x=0, y=0, z=0))
        except PoseStudioError as exc:
            # An e-stop, a lost lease or an offline robot ends the run where it is.
            outcome = exc.code
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        finally:
            with contextlib.suppress(Exception):
                await self.hub.sio.emit(
                    "behaviour",
                    {"robot_id": robot_id, "behaviour_id": behaviour.id, "outcome": outcome},
                    to=sid,
                    namespace=NAMESPACE,
                )
