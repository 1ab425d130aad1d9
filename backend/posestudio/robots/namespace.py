"""The `/robots` Socket.IO namespace: robot services and people, each event authorized.

Every event has one entry in `EVENTS`: the action `authorize` checks for it, the message
model it is parsed with, and the handler. Service events also need the connection to
have said `service_hello`. Refusals are acknowledged `{ok: false, error}`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import socketio
from pydantic import BaseModel

from posestudio.errors import BadRequest, PoseStudioError
from posestudio.pipeline import StreamManager
from posestudio.pipeline.access import resource
from posestudio.protocol.robots import (
    NAMESPACE,
    ActionRequest,
    DriveRequest,
    PoseControlRequest,
    RobotRef,
    RobotResult,
    RobotStatusMessage,
    RobotTelemetry,
    RunBehaviourRequest,
    ServiceHello,
)
from posestudio.robots.hub import PEOPLE, SERVICES, RobotHub
from posestudio.robots.posesink import PoseControl
from posestudio.transports.validation import parse
from posestudio_core.auth import Authenticator, Principal
from posestudio_core.permissions import Action, allowed, authorize
from posestudio_core.sockets import connect_principal

log = logging.getLogger(__name__)

Handler = Callable[[Principal, str, Any], Awaitable[dict[str, Any] | None]]
Runner = Callable[[Principal, str, str, str], Awaitable[dict[str, Any]]]
"""run(principal, sid, robot_id, behaviour_id) -> the acknowledgement."""


class RobotsNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    EVENT_ACTIONS: ClassVar[dict[str, Action | None]] = {
        "connect": Action.CONNECT,
        "disconnect": None,
        "service_hello": Action.ROBOT_SERVE,
        "robot_result": Action.ROBOT_SERVE,
        "robot_status": Action.ROBOT_SERVE,
        "robot_telemetry": Action.ROBOT_SERVE,
        "robots_list": Action.ROBOT_VIEW,
        "take_control": Action.ROBOT_CONTROL,
        "release_control": Action.ROBOT_CONTROL,
        "drive": Action.ROBOT_CONTROL,
        "robot_action": Action.ROBOT_CONTROL,
        "estop": Action.ROBOT_CONTROL,
        "clear_estop": Action.ROBOT_CONTROL,
        "pose_control": Action.ROBOT_CONTROL,
        "run_behaviour": Action.ROBOT_CONTROL,
    }
    SERVICE_EVENTS = frozenset({"robot_result", "robot_status", "robot_telemetry"})

    def __init__(
        self,
        hub: RobotHub,
        control: PoseControl,
        manager: StreamManager,
        authenticator: Authenticator,
        configs: Callable[[], Awaitable[list[dict[str, Any]]]],
        run_behaviour: Runner,
    ) -> None:
        super().__init__(NAMESPACE)
        self.hub = hub
        self.control = control
        self.manager = manager
        self.authenticator = authenticator
        self.configs = configs
        self.run_behaviour = run_behaviour
        self._handlers: dict[str, tuple[type[BaseModel] | None, Handler]] = {
            "service_hello": (ServiceHello, self._hello),
            "robot_result": (RobotResult, self._result),
            "robot_status": (RobotStatusMessage, self._status),
            "robot_telemetry": (RobotTelemetry, self._telemetry),
            "robots_list": (None, self._list),
            "take_control": (RobotRef, self._take),
            "release_control": (RobotRef, self._release),
            "drive": (DriveRequest, self._drive),
            "robot_action": (ActionRequest, self._action),
            "estop": (RobotRef, self._estop),
            "clear_estop": (RobotRef, self._clear),
            "pose_control": (PoseControlRequest, self._pose),
            "run_behaviour": (RunBehaviourRequest, self._run),
        }

    @property
    def added_events(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def event_actions(self) -> dict[str, Action | None]:
        return dict(self.EVENT_ACTIONS)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        principal = connect_principal(self.authenticator, environ, auth, Action.CONNECT)
        await self.save_session(sid, {"principal": principal, "service": False})
        if allowed(principal, Action.ROBOT_VIEW):
            await self.enter_room(sid, PEOPLE)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        for stream_id, binding in list(self.control.bindings.items()):
            if binding.sid == sid:
                await self.control.unbind(stream_id)
        await self.hub.disconnected(sid)

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event not in self._handlers:
            return await super().trigger_event(event, *args)
        sid = args[0]
        data = args[1] if len(args) > 1 else None
        model, handler = self._handlers[event]
        try:
            session = await self.get_session(sid)
            principal = authorize(session.get("principal"), self.EVENT_ACTIONS[event])  # type: ignore[arg-type]
            if event in self.SERVICE_EVENTS and not session.get("service"):
                raise BadRequest("say service_hello first")
            message = parse(model, data) if model is not None else data
            return await handler(principal, sid, message)
        except PoseStudioError as exc:
            self.hub.stats.refused[exc.code] += 1
            return {"ok": False, "error": exc.to_wire()}

    # -- the robot service ----------------------------------------------------------
    async def _hello(self, principal: Principal, sid: str, hello: ServiceHello) -> dict[str, Any]:
        session = await self.get_session(sid)
        session["service"] = True
        await self.save_session(sid, session)
        await self.leave_room(sid, PEOPLE)
        await self.enter_room(sid, SERVICES)
        self.hub.service_joined(sid, hello.site, hello.version)
        log.info(
            "robots: service %s (%s) joined as %s", hello.site, hello.version, principal.subject
        )
        return {"ok": True, "robots": await self.configs()}

    async def _result(self, _: Principal, sid: str, message: RobotResult) -> None:
        await self.hub.result_in(sid, message)

    async def _status(self, _: Principal, sid: str, message: RobotStatusMessage) -> None:
        await self.hub.status_in(sid, message)

    async def _telemetry(self, _: Principal, sid: str, message: RobotTelemetry) -> None:
        await self.hub.telemetry_in(message)

    # -- people ---------------------------------------------------------------------
    async def _list(self, _: Principal, sid: str, __: Any) -> dict[str, Any]:
        return {"ok": True, "robots": self.hub.listing()}

    async def _take(self, principal: Principal, sid: str, ref: RobotRef) -> dict[str, Any]:
        return {"ok": True, **await self.hub.take(principal, sid, ref.robot_id)}

    async def _release(self, principal: Principal, sid: str, ref: RobotRef) -> dict[str, Any]:
        return {"ok": True, **await self.hub.release(principal, sid, ref.robot_id)}

    async def _drive(self, _: Principal, sid: str, request: DriveRequest) -> dict[str, Any]:
        return await self.hub.drive(sid, request)

    async def _action(self, _: Principal, sid: str, request: ActionRequest) -> dict[str, Any]:
        return await self.hub.action(sid, request.robot_id, request.name)

    async def _estop(self, principal: Principal, sid: str, ref: RobotRef) -> dict[str, Any]:
        return await self.hub.estop(principal, ref.robot_id, "studio")

    async def _clear(self, principal: Principal, sid: str, ref: RobotRef) -> dict[str, Any]:
        return await self.hub.clear_estop(principal, ref.robot_id)

    async def _pose(
        self, principal: Principal, sid: str, request: PoseControlRequest
    ) -> dict[str, Any]:
        # Only the lease holder turns pose control on or off (like every other control).
        self.hub._held(self.hub.robot(request.robot_id), sid)
        if not request.on:
            await self.control.unbind(request.stream_id, request.robot_id)
            return {"ok": True, "robot_id": request.robot_id, "on": False}
        stream = self.manager.get(request.stream_id)
        authorize(principal, Action.STREAM_READ, resource(stream))
        self.control.bind(stream.id, request.robot_id, sid)
        return {"ok": True, "robot_id": request.robot_id, "stream_id": stream.id, "on": True}

    async def _run(
        self, principal: Principal, sid: str, request: RunBehaviourRequest
    ) -> dict[str, Any]:
        return await self.run_behaviour(principal, sid, request.robot_id, request.behaviour_id)
