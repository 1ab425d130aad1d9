"""The robots hub: robot services on one side, people in the studio on the other.

It relays people's commands to the robot service that holds each robot's link (with a
`seq`, `issued_at` and `deadline_ms`), keeps one lease per robot, latches e-stops, fans
status and telemetry (at most `telemetry_hz` per robot) out to the studio, and writes the
audit log in batches. The safety envelope itself lives in the robot service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import socketio

from posestudio.errors import Conflict, Forbidden, NotFound, PoseStudioError
from posestudio.protocol.robots import (
    ACTIONS,
    ARM_TASK_PREFIX,
    NAMESPACE,
    DriveRequest,
    RobotConfig,
    RobotResult,
    RobotStatusMessage,
    RobotTelemetry,
)
from posestudio.robots.audit import AuditBatch
from posestudio.robots.commands import Commands
from posestudio.robots.state import Control, RobotState, RobotStats
from posestudio_core.auth import Principal
from posestudio_core.errors import (
    CommandStale,
    RobotEstopped,
    RobotOffline,
    RobotRefused,
)
from posestudio_core.permissions import Action, allowed

log = logging.getLogger(__name__)

SERVICES = "robots:services"
PEOPLE = "robots:people"


class RobotHub:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        audit: AuditBatch,
        *,
        deadline_ms: int = 400,
        command_timeout_s: float = 1.0,
        lease_idle_s: float = 3.0,
        telemetry_hz: float = 10.0,
    ) -> None:
        self.sio = sio
        self.audit = audit
        self.lease_idle_s = lease_idle_s
        self.telemetry_period_s = 1.0 / telemetry_hz
        self.stats = RobotStats()
        self.robots: dict[str, RobotState] = {}
        self.services: dict[str, dict[str, str]] = {}
        self.commands = Commands(
            sio, self.stats, deadline_ms=deadline_ms, timeout_s=command_timeout_s
        )
        self._reaper: asyncio.Task[None] | None = None
        self.on_telemetry: Callable[[str, str, dict[str, Any]], None] | None = None
        """Told (controller's subject, robot, sample) of each sample of a leased robot."""

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> None:
        self._reaper = asyncio.create_task(self._reap())

    async def stop(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        for robot_id, state in list(self.robots.items()):
            if state.lease is not None:
                await self._release(robot_id, "shutdown")

    async def _reap(self) -> None:
        """Leases whose holder went silent (no drive for `lease_idle_s`) end."""
        while True:
            await asyncio.sleep(min(0.25, self.lease_idle_s / 4))
            now = time.monotonic()
            for robot_id, state in list(self.robots.items()):
                if state.lease is not None and now - state.lease.last_seen > self.lease_idle_s:
                    try:
                        await self._release(robot_id, "silent")
                    except Exception:
                        # One robot's failure must not end every later lease's expiry; the
                        # lease ends anyway (the robot service's deadman stops the robot).
                        log.exception("ending the silent lease of %s failed", robot_id)
                        state.lease = None

    # -- the registry -----------------------------------------------------------------
    async def configure(self, configs: list[RobotConfig]) -> None:
        """The registry changed (or loaded): keep the live state, tell the services."""
        known = {c.id: c for c in configs}
        for robot_id in list(self.robots):
            if robot_id not in known:
                if self.robots[robot_id].lease is not None:
                    await self._release(robot_id, "removed")
                del self.robots[robot_id]
        for robot_id, config in known.items():
            state = self.robots.get(robot_id)
            if state is None:
                self.robots[robot_id] = RobotState(config)
            else:
                state.config = config
        await self.sio.emit(
            "robot_config", {"robots": self.configs()}, room=SERVICES, namespace=NAMESPACE
        )

    def configs(self) -> list[dict[str, Any]]:
        return [s.config.model_dump(mode="json") for s in self.robots.values()]

    def robot(self, robot_id: str) -> RobotState:
        state = self.robots.get(robot_id)
        if state is None:
            raise NotFound("no such robot", details={"robot_id": robot_id})
        return state

    def listing(self) -> list[dict[str, Any]]:
        return [s.public() for s in self.robots.values()]

    # -- the robot service's side -------------------------------------------------------
    def service_joined(self, sid: str, site: str, version: str) -> None:
        self.services[sid] = {"site": site, "version": version}

    async def service_left(self, sid: str) -> None:
        if self.services.pop(sid, None) is None:
            return
        for state in self.robots.values():
            if state.service == sid:
                state.service, state.status, state.detail = None, "offline", "service gone"
                await self._push_status(state)

        def gone(robot_id: str) -> bool:
            held = self.robots.get(robot_id)
            return held is None or held.service is None

        self.commands.fail(gone, lambda: RobotOffline("the robot service went away"))

    async def status_in(self, sid: str, message: RobotStatusMessage) -> None:
        state = self.robots.get(message.robot_id)
        if state is None or state.service not in (None, sid):
            return  # another service holds this robot's link: it alone reports on it
        came_online = state.service is None and message.status != "offline"
        state.service = sid if message.status != "offline" else None
        state.status, state.detail = message.status, message.detail
        if message.status == "estopped":
            state.estopped = True
        if came_online and state.estopped:
            # The latch outlives the link: a robot that comes back is damped again.
            await self.commands.send(state, {"kind": "estop"}, "backend")
        await self._push_status(state)

    async def result_in(self, sid: str, message: RobotResult) -> None:
        state = self.robots.get(message.robot_id)
        if state is None or state.service not in (None, sid):
            return  # only the service holding the robot's link answers for it
        awaited, clamped = self.commands.settle(message)
        if clamped:
            self.stats.clamps += 1
            if state.lease is not None:
                state.lease.clamped += 1
        if not awaited and not message.ok and message.error is not None:
            self.stats.refused[message.error.code] += 1
            if state.lease is not None:
                error = {**message.error.model_dump(exclude_none=True), "seq": message.seq}
                await self.sio.emit(
                    "robot_error",
                    {"robot_id": message.robot_id, "error": error},
                    to=state.lease.sid,
                    namespace=NAMESPACE,
                )

    async def telemetry_in(self, message: RobotTelemetry) -> None:
        state = self.robots.get(message.robot_id)
        if state is None:
            return
        self.stats.telemetry_in += 1
        state.telemetry = message.model_dump(mode="json", exclude_none=True)
        if self.on_telemetry is not None and state.lease is not None:
            self.on_telemetry(state.lease.holder.subject, message.robot_id, state.telemetry)
        wait = state.pushed_at + self.telemetry_period_s - time.monotonic()
        if wait <= 0:
            await self._push_telemetry(state)
        elif not state.push_due:
            # Latest wins: the newest sample goes out when the period is up.
            state.push_due = True
            asyncio.get_running_loop().call_later(
                wait, lambda: asyncio.ensure_future(self._push_telemetry(state))
            )

    async def _push_telemetry(self, state: RobotState) -> None:
        state.push_due, state.pushed_at = False, time.monotonic()
        if state.telemetry is not None and self.robots.get(state.config.id) is state:
            self.stats.telemetry_out += 1
            await self.sio.emit(
                "robot_telemetry", state.telemetry, room=PEOPLE, namespace=NAMESPACE
            )

    async def _push_status(self, state: RobotState) -> None:
        payload = {"robot_id": state.config.id, "status": state.status, "estopped": state.estopped}
        if state.detail:
            payload["detail"] = state.detail
        await self.sio.emit("robot_status", payload, room=PEOPLE, namespace=NAMESPACE)

    # -- leases and commands -------------------------------------------------------------
    def _held(self, state: RobotState, sid: str) -> Control:
        lease = state.lease
        if lease is None or lease.sid != sid:
            raise Conflict(
                "take control of the robot first",
                details={"holder": lease.holder.subject if lease else None},
            )
        return lease

    async def take(self, principal: Principal, sid: str, robot_id: str) -> dict[str, Any]:
        state = self.robot(robot_id)
        if state.lease is not None and state.lease.sid != sid:
            raise Conflict(
                "someone else controls this robot", details={"holder": state.lease.holder.subject}
            )
        if state.lease is None:
            state.lease = Control(principal, sid)
            self.audit.add("robot.control.take", principal.subject, robot_id)
            await self._push_lease(state)
        state.lease.last_seen = time.monotonic()
        return {"robot_id": robot_id, "holder": principal.subject}

    async def release(self, principal: Principal, sid: str, robot_id: str) -> dict[str, Any]:
        state = self.robot(robot_id)
        lease = state.lease
        if lease is not None:
            if lease.sid != sid and not allowed(principal, Action.ROBOT_MANAGE):
                raise Forbidden("only the holder or an admin releases a lease")
            reason = "released" if lease.sid == sid else f"released by {principal.subject}"
            await self._release(robot_id, reason)
        return {"robot_id": robot_id, "holder": None}

    async def _release(self, robot_id: str, reason: str) -> None:
        state = self.robots.get(robot_id)
        if state is None or state.lease is None:
            return
        lease, state.lease = state.lease, None
        self.audit.add("robot.control", lease.holder.subject, robot_id, lease.summary(reason))
        if state.service is not None:
            with contextlib.suppress(PoseStudioError):
                await self.commands.send(state, {"kind": "stop"}, lease.holder.subject)
        await self._push_lease(state)

    async def _push_lease(self, state: RobotState) -> None:
        holder = state.lease.holder.subject if state.lease else None
        await self.sio.emit(
            "lease",
            {"robot_id": state.config.id, "holder": holder},
            room=PEOPLE,
            namespace=NAMESPACE,
        )

    async def drive(self, sid: str, request: DriveRequest, source: str = "keys") -> dict[str, Any]:
        state = self.robot(request.robot_id)
        lease = self._held(state, sid)
        if request.seq is not None:
            if request.seq <= lease.client_seq:
                raise CommandStale(
                    "a newer drive came first",
                    details={"seq": request.seq, "last": lease.client_seq},
                )
            lease.client_seq = request.seq
        lease.last_seen = time.monotonic()
        if state.estopped:
            raise RobotEstopped("the e-stop is latched", details={"robot_id": request.robot_id})
        vector = (request.x, request.y, request.z)
        seq = await self.commands.send(
            state,
            {"kind": "move", "x": vector[0], "y": vector[1], "z": vector[2]},
            lease.holder.subject,
        )
        lease.drives += 1
        lease.source = source
        lease.peak = [max(p, abs(v)) for p, v in zip(lease.peak, vector, strict=True)]
        return {"ok": True, "robot_id": request.robot_id, "seq": seq}

    async def action(self, sid: str, robot_id: str, name: str) -> dict[str, Any]:
        state = self.robot(robot_id)
        lease = self._held(state, sid)
        lease.last_seen = time.monotonic()
        if state.estopped:
            raise RobotEstopped("the e-stop is latched", details={"robot_id": robot_id})
        arm_task = state.config.model == "g1" and name.startswith(ARM_TASK_PREFIX)
        if name not in ACTIONS[state.config.model] and not arm_task:
            raise RobotRefused(
                f"{state.config.model} has no action {name!r}",
                details={"reason": "unknown_action", "actions": list(ACTIONS[state.config.model])},
            )
        self.audit.add("robot.action", lease.holder.subject, robot_id, {"name": name})
        seq = await self.commands.call(
            state, {"kind": "action", "name": name}, lease.holder.subject
        )
        return {"ok": True, "robot_id": robot_id, "seq": seq}

    async def estop(self, principal: Principal, robot_id: str, client: str) -> dict[str, Any]:
        """Latched at once; sent to the robot's service, or to every service when the
        robot is offline (the latch is sent again when it comes back). Never needs a lease."""
        state = self.robot(robot_id)
        state.estopped = True
        self.stats.estops += 1
        self.audit.add("robot.estop", principal.subject, robot_id, {"via": client}, now=True)
        delivered = False
        seq = None
        if state.service is not None:
            seq = await self.commands.send(state, {"kind": "estop"}, principal.subject)
            delivered = True
        elif self.services:
            seq = self.commands.next_seq()
            command = self.commands.payload(robot_id, seq, {"kind": "estop"}, principal.subject)
            await self.sio.emit("robot_command", command, room=SERVICES, namespace=NAMESPACE)
            delivered = True
        await self._push_status(state)
        return {"ok": True, "robot_id": robot_id, "seq": seq, "delivered": delivered}

    async def clear_estop(self, principal: Principal, robot_id: str) -> dict[str, Any]:
        state = self.robot(robot_id)
        seq = None
        if state.service is not None:
            seq = await self.commands.call(state, {"kind": "clear_estop"}, principal.subject)
        state.estopped = False
        if state.status == "estopped":
            state.status = "online" if state.service is not None else "offline"
        self.audit.add("robot.clear_estop", principal.subject, robot_id, now=True)
        await self._push_status(state)
        return {"ok": True, "robot_id": robot_id, "seq": seq}

    async def disconnected(self, sid: str) -> None:
        """A connection ended: its leases end (the robot is stopped), or its robots go offline."""
        for robot_id, state in list(self.robots.items()):
            if state.lease is not None and state.lease.sid == sid:
                await self._release(robot_id, "disconnected")
        await self.service_left(sid)
