"""python-socketio's server with its limits before authentication and every packet answered.

- A packet refused at decoding (`protocol/packet.py`) is answered: on a connection that
  joined `/pose`, with `BAD_REQUEST` (the acknowledgement when it had an id, else an
  `error` event); before that, with a `CONNECT_ERROR` and the session is closed. It is
  counted by kind and logged as one rate-limited line, never a traceback per packet.
- An Engine.IO session that has not joined a namespace within `connect_timeout_s` is
  closed; an address holds at most `max_pending_per_address` such sessions.
- Failed namespace connects count against the address's `AuthThrottle`; a throttled
  address is answered `RATE_LIMITED` without its credentials being checked.
- Long-polling: a POST over the buffer limit is answered 413 and its session closed,
  and a request for a closed session is answered 400 (engineio alone never answers the
  first, answers the second 500, and the unanswered request holds up shutdown).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

import engineio
import socketio
from engineio.async_drivers import asgi
from socketio import packet

from posestudio.errors import BadRequest, PayloadTooLarge, PoseStudioError, RateLimited
from posestudio.protocol.packet import FastPacket, MalformedPacket
from posestudio.transports.edge import client_address, send_error
from posestudio.transports.malformed import EdgeCounters
from posestudio.transports.throttle import AuthThrottle

log = logging.getLogger(__name__)


# Engine.IO packet types a client may send: open .. noop.
_ENGINEIO_TYPES = "0123456"

# Events the Socket.IO server raises itself; as a client's EVENT packet they are refused
# (BAD_REQUEST), never handed to `on_connect`/`on_disconnect`.
RESERVED_EVENTS = frozenset({"connect", "disconnect", "connect_error"})


class GuardedWebSocket(asgi.WebSocket):  # type: ignore[misc]
    """engineio's ASGI WebSocket, closing with a reason on a malformed Engine.IO packet.

    engineio decodes what `wait` returns outside any error handling: an empty or
    unknown packet would end the connection with an ASGI traceback and no reason.
    """

    def __init__(self, handler: Any, server: GuardedEngineIO) -> None:
        super().__init__(handler, server)
        self.guard = server.guard

    async def wait(self) -> Any:
        message = await super().wait()
        if isinstance(message, str) and (not message or message[0] not in _ENGINEIO_TYPES):
            self.guard.counters.count_malformed("engineio")
            await self.asgi_send(
                {"type": "websocket.close", "code": 1002, "reason": "malformed Engine.IO packet"}
            )
            raise OSError("malformed Engine.IO packet")
        return message


class GuardedEngineIO(engineio.AsyncServer):  # type: ignore[misc]
    """Engine.IO with the handshake cap and long-polling fixes; `guard` set by its owner."""

    guard: GuardedServer
    _async: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A copy: the driver's table is shared by every server in the process.
        self._async = {**self._async, "websocket": GuardedWebSocket}

    async def handle_request(self, scope: Any, receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        sid = query.get("sid", [None])[0]
        if sid is None:
            address = client_address(scope)
            if self.guard.pending_count(address) >= self.guard.max_pending_per_address:
                self.guard.counters.count_refused("pending_sessions")
                return await send_error(
                    scope,
                    send,
                    RateLimited(
                        "too many unconnected sessions from this address",
                        details={"limit": self.guard.max_pending_per_address},
                    ),
                )
        elif scope["type"] == "http":
            socket = self.sockets.get(sid)
            if socket is None or socket.closed:
                self.sockets.pop(sid, None)
                return await send_error(scope, send, BadRequest("no such session"))
            if scope.get("method") == "POST" and not await self._body_fits(sid, scope, send):
                return None
        return await super().handle_request(scope, receive, send)

    async def _body_fits(self, sid: str, scope: Any, send: Any) -> bool:
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is None or not length.isdigit():
            await send_error(scope, send, BadRequest("a POST needs a Content-Length"))
            return False
        if int(length) <= self.max_http_buffer_size:
            return True
        self.guard.counters.count_refused("body_too_large")
        await send_error(
            scope,
            send,
            PayloadTooLarge(
                "the message is over the buffer limit; the session is closed",
                details={"bytes": int(length), "limit": self.max_http_buffer_size},
            ),
        )
        await self.guard.close_session(sid)
        return False


class GuardedServer(socketio.AsyncServer):  # type: ignore[misc]
    """`socketio.AsyncServer` with the limits of docs/security.md, "Limits"."""

    def __init__(
        self,
        *,
        namespace: str,
        throttle: AuthThrottle,
        counters: EdgeCounters,
        errors: Counter[str],
        connect_timeout_s: float,
        max_pending_per_address: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(serializer=FastPacket, namespaces=[namespace], **kwargs)
        self.namespace = namespace
        self.throttle = throttle
        self.counters = counters
        self.errors = errors
        self.connect_timeout_s = connect_timeout_s
        self.max_pending_per_address = max_pending_per_address
        # eio_sid -> (client address, the timer that closes it)
        self._pending: dict[str, tuple[str, asyncio.TimerHandle]] = {}
        self._pending_by_address: Counter[str] = Counter()
        self._closing: set[asyncio.Task[None]] = set()
        self.eio.guard = self

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return GuardedEngineIO

    # -- sessions that have not joined a namespace -------------------------------------

    def pending_count(self, address: str | None = None) -> int:
        if address is None:
            return len(self._pending)
        return self._pending_by_address[address]

    def _address(self, eio_sid: str) -> str:
        pending = self._pending.get(eio_sid)
        if pending is not None:
            return pending[0]
        environ = self.environ.get(eio_sid) or {}
        return client_address(environ.get("asgi.scope") or {})

    def _joined(self, eio_sid: str) -> None:
        entry = self._pending.pop(eio_sid, None)
        if entry is not None:
            address, timer = entry
            timer.cancel()
            self._pending_by_address[address] -= 1
            if self._pending_by_address[address] <= 0:
                del self._pending_by_address[address]

    def _expire(self, eio_sid: str) -> None:
        if eio_sid in self._pending:
            self.counters.count_refused("connect_timeout")
            self._joined(eio_sid)
            self._spawn(self.close_session(eio_sid))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close_session(self, eio_sid: str) -> None:
        """Close an Engine.IO session now, without waiting for its client to read."""
        self._joined(eio_sid)
        eio_socket = self.eio.sockets.pop(eio_sid, None)
        if eio_socket is None or eio_socket.closed:
            return
        await eio_socket.close(wait=False, abort=False, reason=self.reason.SERVER_DISCONNECT)
        if eio_socket.upgraded:
            # Ends the WebSocket writer, which closes the socket itself: a client that
            # ignores the CLOSE packet cannot keep it open.
            await eio_socket.queue.put(None)

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        await super()._handle_eio_connect(eio_sid, environ)
        address = client_address(environ.get("asgi.scope") or {})
        timer = asyncio.get_running_loop().call_later(self.connect_timeout_s, self._expire, eio_sid)
        self._pending[eio_sid] = (address, timer)
        self._pending_by_address[address] += 1

    async def _handle_eio_disconnect(self, eio_sid: str, reason: Any = None) -> None:
        self._joined(eio_sid)
        await super()._handle_eio_disconnect(eio_sid, reason)

    # -- authentication --------------------------------------------------------------

    async def _handle_connect(self, eio_sid: str, namespace: str | None, data: Any) -> None:
        namespace = namespace or "/"
        address = self._address(eio_sid)
        wait = self.throttle.refuse(address)
        if wait:
            message = "too many failed attempts from this address"
            await self._send_packet(
                eio_sid,
                self.packet_class(
                    packet.CONNECT_ERROR,
                    data={
                        "message": message,
                        "data": RateLimited(message, details={"retry_after_s": wait}).to_wire(),
                    },
                    namespace=namespace,
                ),
            )
            return
        await super()._handle_connect(eio_sid, namespace, data)
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is not None and self.manager.is_connected(sid, namespace):
            self._joined(eio_sid)
        else:
            self.throttle.failure(address)

    # -- every packet answered -------------------------------------------------------

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        pending = self._binary_packet.get(eio_sid)
        try:
            if pending is not None and not isinstance(data, bytes):
                del self._binary_packet[eio_sid]
                await self._malformed(
                    eio_sid,
                    MalformedPacket(
                        "attachment",
                        "a text message arrived where a binary attachment was due",
                        packet_type=pending.packet_type,
                        namespace=pending.namespace,
                        ack_id=pending.id,
                    ),
                )
            await super()._handle_eio_message(eio_sid, data)
        except MalformedPacket as exc:
            self._binary_packet.pop(eio_sid, None)
            await self._malformed(eio_sid, exc)
        except ValueError as exc:
            # python-socketio's own refusals: a binary event for a namespace the client
            # has not joined, or a packet type a client never sends.
            self._binary_packet.pop(eio_sid, None)
            await self._malformed(eio_sid, MalformedPacket("unexpected", str(exc)))

    async def _handle_event(
        self, eio_sid: str, namespace: str | None, id: int | None, data: Any
    ) -> None:
        await self._joined_or_refuse(eio_sid, namespace, id)
        await super()._handle_event(eio_sid, namespace, id, data)

    async def _handle_ack(self, eio_sid: str, namespace: str | None, id: int, data: Any) -> None:
        await self._joined_or_refuse(eio_sid, namespace, None)
        await super()._handle_ack(eio_sid, namespace, id, data)

    async def _joined_or_refuse(self, eio_sid: str, namespace: str | None, id: int | None) -> None:
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace or "/")
        if sid is None or not self.manager.is_connected(sid, namespace or "/"):
            # python-socketio would drop it with a log line and no answer.
            raise MalformedPacket(
                "namespace",
                "a message for a namespace this connection has not joined",
                packet_type=packet.EVENT,
                namespace=namespace,
                ack_id=id,
            )

    async def _handle_event_internal(
        self,
        server: Any,
        sid: str,
        eio_sid: str,
        data: list[Any],
        namespace: str,
        id: int | None,
    ) -> None:
        try:
            if self._handles(namespace, data[0]):
                result = await server._trigger_event(data[0], namespace, sid, *data[1:])
            else:
                result = self.not_handled
        except Exception:
            # A bug, not the client's doing: one line (its traceback at most once a
            # minute), an INTERNAL answer, and the connection goes on.
            self.counters.count_malformed("handler_error")
            self.counters.log_exception(f"handler of {data[0]!r}")
            error = PoseStudioError("the server failed on this message").to_wire()
            self.errors["INTERNAL"] += 1
            result = {"ok": False, "error": error} if id is not None else None
            if id is None:
                await self.emit("error", error, to=sid, namespace=namespace)
        if result is self.not_handled:
            self.errors["BAD_REQUEST"] += 1
            error = BadRequest(f"unknown event {str(data[0])[:64]!r}").to_wire()
            if id is None:
                await self.emit("error", error, to=sid, namespace=namespace)
                return
            result = {"ok": False, "error": error}
        if id is not None:
            reply = list(result) if isinstance(result, tuple) else [result]
            if result is None:
                reply = []
            await server._send_packet(
                eio_sid, self.packet_class(packet.ACK, namespace=namespace, id=id, data=reply)
            )

    def _handles(self, namespace: str, event: str) -> bool:
        if event in RESERVED_EVENTS:
            return False  # the server's own: a client may not run them as messages
        if event in self.handlers.get(namespace, {}):
            return True
        handler = self.namespace_handlers.get(namespace)
        if handler is None:
            return False
        # Events other parts of the backend add to a namespace (sessions' `record`).
        added: frozenset[str] = getattr(handler, "added_events", frozenset())
        return callable(getattr(handler, f"on_{event}", None)) or event in added

    async def _malformed(self, eio_sid: str, exc: MalformedPacket) -> None:
        self.counters.count_malformed(exc.kind)
        sid = self.manager.sid_from_eio_sid(eio_sid, self.namespace)
        if sid is None or not self.manager.is_connected(sid, self.namespace):
            # Before authentication nothing more is owed than a reason and a close.
            await self._send_packet(
                eio_sid,
                self.packet_class(
                    packet.CONNECT_ERROR,
                    data={
                        "message": f"malformed packet: {exc.message}",
                        "data": BadRequest(exc.message).to_wire(),
                    },
                    namespace=self.namespace,
                ),
            )
            await self.close_session(eio_sid)
            return
        self.errors["BAD_REQUEST"] += 1
        error = BadRequest(exc.message, details={"kind": exc.kind}).to_wire()
        if (
            exc.ack_id is not None
            and exc.namespace == self.namespace
            and exc.packet_type
            in (
                packet.EVENT,
                packet.BINARY_EVENT,
            )
        ):
            reply = self.packet_class(
                packet.ACK,
                namespace=exc.namespace,
                id=exc.ack_id,
                data=[{"ok": False, "error": error}],
            )
            await self._send_packet(eio_sid, reply)
        else:
            await self.emit("error", error, to=sid, namespace=self.namespace)
