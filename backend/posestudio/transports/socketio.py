"""The `/pose` Socket.IO namespace: validation at the edge, then the stream manager.

Owners `start` streams and send `frame`s; viewers `watch` a stream by its server-wide
id and receive its `pose` messages. The principal from authentication is saved in the
connection's session at connect and owns the streams the connection starts.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import socketio

from posestudio.body.calibrate import calibrate_stream
from posestudio.body.stats import BodyStats
from posestudio.errors import BadFrame, BadRequest, PoseStudioError
from posestudio.kinematics.wire import BONE_NAMES
from posestudio.metrics import ServerStats
from posestudio.pipeline import Channel, Frame, FrameMeta, StreamManager
from posestudio.pipeline.access import authorize_stop
from posestudio.pipeline.viewers import Viewers
from posestudio.protocol import FrameMeta as WireFrameMeta
from posestudio.protocol import StartRequest, StopRequest
from posestudio.protocol.body import CalibrateRequest
from posestudio.protocol.viewers import UnwatchAck, WatchAck, WatchRequest
from posestudio.settings import Settings
from posestudio.transports.guarded_server import GuardedServer
from posestudio.transports.limits import Edge, max_message_bytes
from posestudio.transports.validation import parse
from posestudio_core.auth import Authenticator, Principal
from posestudio_core.permissions import Action, authorize
from posestudio_core.sockets import connect_principal

log = logging.getLogger(__name__)

NAMESPACE = "/pose"


def owner_room(subject: str) -> str:
    """The room of one person's `/pose` connections (events about what they own: `clip`)."""
    return f"owner:{subject}"


EventHandler = Callable[[Principal, str, Channel, Any], Awaitable[dict[str, Any]]]
"""handler(principal, connection, channel, data) -> the acknowledgement; raises domain errors."""


def build_server(settings: Settings, edge: Edge, errors: Counter[str]) -> GuardedServer:
    # hardening (issue 18): limits before authentication, every packet answered.
    return GuardedServer(
        async_mode="asgi",
        # Only /pose: python-socketio would otherwise accept the default namespace `/`
        # without any check (it has no handlers, but a connection is a connection).
        namespace=NAMESPACE,
        throttle=edge.throttle,
        counters=edge.counters,
        errors=errors,
        connect_timeout_s=settings.engineio_connect_timeout_s,
        max_pending_per_address=settings.max_pending_sessions_per_address,
        transports=["polling", "websocket"] if settings.allow_polling else ["websocket"],
        cors_allowed_origins=settings.cors_origins or None,
        max_http_buffer_size=max_message_bytes(settings),
        ping_interval=10,
        ping_timeout=10,
    )


class PoseNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    # The action each `on_*` handler authorizes, read by the event enumeration test (a
    # handler missing here fails it). None: no action of its own (disconnect). `frame`
    # and `unwatch` reach only this connection's own started streams and watches.
    EVENT_ACTIONS: ClassVar[dict[str, Action | None]] = {
        "connect": Action.CONNECT,
        "disconnect": None,
        "start": Action.STREAM_START,
        "stop": Action.STREAM_STOP,
        "calibrate": Action.STREAM_START,
        "frame": Action.STREAM_START,
        "watch": Action.STREAM_WATCH,
        "unwatch": Action.STREAM_WATCH,
    }

    def __init__(
        self,
        manager: StreamManager,
        viewers: Viewers,
        authenticator: Authenticator,
        stats: ServerStats,
        body: BodyStats | None = None,
    ) -> None:
        super().__init__(NAMESPACE)
        self.manager = manager
        self.viewers = viewers
        self.authenticator = authenticator
        self.stats = stats
        self.body = body or BodyStats()
        self._events: dict[str, tuple[Action, EventHandler]] = {}

    @property
    def added_events(self) -> frozenset[str]:
        return frozenset(self._events)

    def event_actions(self) -> dict[str, Action | None]:
        """Every event this namespace handles and the action it authorizes."""
        added: dict[str, Action | None] = {e: a for e, (a, _) in self._events.items()}
        return {**self.EVENT_ACTIONS, **added}

    def add_event(self, event: str, action: Action, handler: EventHandler) -> None:
        """An acknowledged event another part of the backend handles (sessions' `record`),
        authorized with `action` before the handler runs."""
        self._events[event] = (action, handler)

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event not in self._events:
            return await super().trigger_event(event, *args)
        action, handler = self._events[event]
        sid = args[0]
        try:
            principal = await self._principal(sid, action)
            return await handler(
                principal, sid, self.channel(sid), args[1] if len(args) > 1 else None
            )
        except PoseStudioError as exc:
            return self._refuse(exc)

    def channel(self, sid: str) -> Channel:
        """send(event, payload) to one connection."""

        async def send(event: str, payload: dict[str, Any]) -> None:
            await self.emit(event, payload, to=sid)

        return send

    async def _principal(self, sid: str, action: Action) -> Principal:
        """The connection's principal (saved at connect), when it may do `action`."""
        session = await self.get_session(sid)
        principal = session.get("principal")
        return authorize(principal if isinstance(principal, Principal) else None, action)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            principal = connect_principal(self.authenticator, environ, auth, Action.CONNECT)
        except socketio.exceptions.ConnectionRefusedError:
            self.stats.rejected_connections += 1
            raise
        await self.save_session(sid, {"principal": principal})
        await self.enter_room(sid, owner_room(principal.subject))
        self.manager.open_connection(sid)
        self.stats.connections_total += 1
        self.stats.active_connections += 1

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.stats.disconnects_total += 1
        self.stats.active_connections -= 1
        self.viewers.leave(sid)
        await self.manager.stop_connection(sid)

    def _refuse(self, exc: PoseStudioError) -> dict[str, Any]:
        self.stats.errors[exc.code] += 1
        return {"ok": False, "error": exc.to_wire()}

    async def on_start(self, sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        try:
            request = parse(StartRequest, data)
            owner = await self._principal(sid, Action.STREAM_START)
            stream = await self.manager.start(owner, sid, request, self.channel(sid))
        except PoseStudioError as exc:
            return self._refuse(exc)
        ack = {
            "ok": True,
            "stream_id": stream.name,
            "id": stream.id,
            "engine": stream.engine_name,
            "smoothing": request.smoothing_config() is not None,
            "limits": self.manager.limits(),
        }
        if request.kinematics:
            ack["bones"] = BONE_NAMES
        if request.credits:
            ack["granted"] = stream.granted
        return ack

    async def on_stop(self, sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        try:
            request = parse(StopRequest, data)
            # A stream already draining (a second stop) is acknowledged like the first.
            stream = self.manager.find(sid, request.stream_id, running=False)
            authorize_stop(await self._principal(sid, Action.STREAM_STOP), stream)
            await self.manager.stop(stream)
        except PoseStudioError as exc:
            return self._refuse(exc)
        return {"ok": True, "stream_id": request.stream_id}

    async def on_calibrate(self, sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        """Answered when the T-pose's frames are in (about `calibration_seconds`)."""
        try:
            request = parse(CalibrateRequest, data)
            principal = await self._principal(sid, Action.STREAM_START)
            stream = self.manager.find(sid, request.stream_id)
            return await calibrate_stream(principal, stream, self.body)
        except PoseStudioError as exc:
            return self._refuse(exc)

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
            meta = parse(WireFrameMeta, args[0])
            if not isinstance(args[1], bytes | bytearray):
                raise BadFrame(
                    "the frame payload must be a binary attachment (bytes), not "
                    f"{type(args[1]).__name__}"
                )
            if not args[1]:
                raise BadFrame("the frame payload is empty")
            stream = self.manager.find(sid, meta.stream_id)
            frame = Frame(
                meta=FrameMeta(seq=meta.seq, capture_ts=meta.capture_ts),
                received=time.monotonic(),
                jpeg=bytes(args[1]),
            )
            self.manager.submit(stream, frame)
        except PoseStudioError as exc:
            self.stats.errors[exc.code] += 1
            await self.emit("error", exc.to_wire(stream_id), to=sid)

    async def on_watch(self, sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        try:
            request = parse(WatchRequest, data)
            principal = await self._principal(sid, Action.STREAM_WATCH)
            stream = self.viewers.watch(principal, request.stream, sid, self.channel(sid))
        except PoseStudioError as exc:
            return self._refuse(exc)
        ack = WatchAck(stream=stream.id, stream_id=stream.name, engine=stream.engine_name)
        return ack.model_dump()

    async def on_unwatch(self, sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        try:
            request = parse(WatchRequest, data)
            self.viewers.unwatch(request.stream, sid)
        except PoseStudioError as exc:
            return self._refuse(exc)
        return UnwatchAck(stream=request.stream).model_dump()
