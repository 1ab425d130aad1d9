"""The `/pose` Socket.IO namespace: validation at the edge, then the stream manager."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import socketio
from pydantic import BaseModel, ValidationError

from posestudio.errors import BadFrame, BadRequest, PoseStudioError
from posestudio.metrics import ServerStats
from posestudio.protocol import FrameMeta, StartRequest, StopRequest
from posestudio.streams import StreamManager
from posestudio_core.auth import Authenticator
from posestudio_core.permissions import Action, authorize
from posestudio_core.sockets import connect_principal

log = logging.getLogger(__name__)

NAMESPACE = "/pose"

M = TypeVar("M", bound=BaseModel)


def _validation_error(exc: ValidationError) -> BadRequest:
    problems = [
        {"field": ".".join(str(p) for p in err["loc"]) or "(message)", "problem": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False)[:10]
    ]
    return BadRequest("malformed message", details={"errors": problems})


def _parse(model: type[M], data: Any) -> M:
    if not isinstance(data, dict):
        raise BadRequest(f"expected an object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc) from None


class PoseNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(
        self, manager: StreamManager, authenticator: Authenticator, stats: ServerStats
    ) -> None:
        super().__init__(NAMESPACE)
        self.manager = manager
        self.authenticator = authenticator
        self.stats = stats

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            principal = connect_principal(self.authenticator, environ, auth, Action.CONNECT)
        except socketio.exceptions.ConnectionRefusedError:
            self.stats.rejected_connections += 1
            raise
        await self.save_session(sid, {"subject": principal.subject, "principal": principal})
        self.manager.open_connection(sid)
        self.stats.connections_total += 1
        self.stats.active_connections += 1

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.stats.disconnects_total += 1
        self.stats.active_connections -= 1
        await self.manager.stop_connection(sid)

    async def _authorize(self, sid: str, action: Action) -> None:
        # Connecting needs only a viewer; streaming needs the role of its action.
        session = await self.get_session(sid)
        authorize(session.get("principal"), action)

    async def on_start(self, sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        try:
            await self._authorize(sid, Action.STREAM_START)
            request = _parse(StartRequest, data)
            stream = await self.manager.start(sid, request)
        except PoseStudioError as exc:
            self.stats.errors[exc.code] += 1
            return {"ok": False, "error": exc.to_wire()}
        return {
            "ok": True,
            "stream_id": stream.stream_id,
            "engine": stream.engine_name,
            "smoothing": request.smoothing_config() is not None,
            "limits": self.manager.limits(),
        }

    async def on_stop(self, sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        try:
            await self._authorize(sid, Action.STREAM_STOP)
            request = _parse(StopRequest, data)
            await self.manager.stop(sid, request.stream_id)
        except PoseStudioError as exc:
            self.stats.errors[exc.code] += 1
            return {"ok": False, "error": exc.to_wire()}
        return {"ok": True, "stream_id": request.stream_id}

    async def on_frame(self, sid: str, *args: Any) -> None:
        stream_id = None
        if args and isinstance(args[0], dict) and isinstance(args[0].get("stream_id"), str):
            stream_id = args[0]["stream_id"][:64]
        try:
            if len(args) != 2:
                raise BadRequest(
                    "frame takes two arguments: metadata and the JPEG as a binary attachment",
                    details={"arguments": len(args)},
                )
            meta = _parse(FrameMeta, args[0])
            if not isinstance(args[1], bytes | bytearray):
                raise BadFrame(
                    "the frame payload must be a binary attachment (bytes), not "
                    f"{type(args[1]).__name__}"
                )
            if not args[1]:
                raise BadFrame("the frame payload is empty")
            self.manager.submit(sid, meta, bytes(args[1]))
        except PoseStudioError as exc:
            await self.manager.send_error(sid, exc, stream_id)
