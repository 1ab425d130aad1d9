"""The HTTP edge: an ASGI middleware in front of everything the server answers.

In order, for every HTTP request and WebSocket handshake (docs/security.md, "Limits"):
1. `X-Forwarded-*` and `Forwarded` headers count only from a trusted proxy address
   (then the client address and scheme come from them); from anyone else they are
   removed, so nothing behind this layer can be misled by them.
2. The `Host` must be an IP literal or an allowed name: a DNS-rebinding page names its
   own host, and is refused before it can read the API or `/metrics`.
3. An address with too many failed authentications gets 429 `RATE_LIMITED` for any
   request that presents credentials; every 401 answered counts as a failure.
4. A request body over `max_body_bytes` gets 413 (Socket.IO's long-polling path has its
   own limit, enforced by `guarded_server.py`).
Request-line and header sizes are limited by the HTTP parser itself (`server_options`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from posestudio.errors import BadRequest, PayloadTooLarge, PoseStudioError, RateLimited
from posestudio.transports.malformed import EdgeCounters
from posestudio.transports.throttle import AuthThrottle

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("localhost",)
_FORWARDED = (b"x-forwarded-", b"forwarded")


def client_address(scope: Scope) -> str:
    """The client's address as the edge resolved it (`unknown` without one)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def send_error(
    scope: Scope,
    send: Send,
    error: PoseStudioError,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Answer with the one error shape and the error's status; a WebSocket handshake
    gets it as its HTTP reply (or a policy close where the server cannot send one)."""
    body = orjson.dumps({"error": error.to_wire()})
    head = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    status = error.http_status
    if scope["type"] == "websocket":
        if "websocket.http.response" not in scope.get("extensions", {}):
            await send({"type": "websocket.close", "code": 1008, "reason": error.message[:120]})
            return
        await send({"type": "websocket.http.response.start", "status": status, "headers": head})
        await send({"type": "websocket.http.response.body", "body": body})
        return
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


class HostAllowlist:
    """Names a request's `Host` may carry: exact names, `*.suffix`, or `*` for any.

    IP literals are always allowed: DNS rebinding needs a name the attacker controls,
    and a LAN appliance is often opened by its address.
    """

    def __init__(self, names: Iterable[str]) -> None:
        cleaned = {name.strip().lower().rstrip(".") for name in names if name.strip()}
        self.any = "*" in cleaned
        self.suffixes = tuple(name[1:] for name in cleaned if name.startswith("*."))
        self.exact = frozenset(name for name in cleaned if not name.startswith("*"))

    def allows(self, host_header: str | None) -> bool:
        if self.any or not host_header:
            return True
        host = host_header.strip().lower()
        if host.startswith("["):
            host = host[1 : host.find("]")] if "]" in host else host
        elif host.count(":") == 1:
            host = host.partition(":")[0]
        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            pass
        host = host.rstrip(".")
        return host in self.exact or host.endswith(self.suffixes)


def allowed_host_names(
    extra: Iterable[str], cors_origins: Iterable[str], bind_host: str
) -> list[str]:
    """localhost, the configured names, the CORS origins' hosts and a named bind host."""
    names = [*LOOPBACK_NAMES, *extra]
    names += [urlsplit(origin).hostname or "" for origin in cors_origins]
    names.append(bind_host)
    return [name for name in names if name]


class TrustedProxies:
    """Addresses (or networks) whose `X-Forwarded-*` headers are believed."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def resolve(self, scope: Scope) -> Scope:
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        forwarded = [(k, v) for k, v in headers if k.startswith(_FORWARDED)]
        if not forwarded:
            return scope
        kept = [(k, v) for k, v in headers if not k.startswith(_FORWARDED)]
        resolved = dict(scope)
        resolved["headers"] = kept
        if not self.trusts(client_address(scope)):
            return resolved
        values: dict[bytes, str] = {}
        for key, value in forwarded:
            text = value.decode("latin-1")
            values[key] = f"{values[key]},{text}" if key in values else text
        hops = [hop.strip() for hop in values.get(b"x-forwarded-for", "").split(",")]
        client = client_address(scope)
        for hop in reversed([hop for hop in hops if hop]):
            client = hop
            if not self.trusts(hop):
                break
        resolved["client"] = (client, 0)
        proto = values.get(b"x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            secure = proto == "https"
            if scope["type"] == "websocket":
                resolved["scheme"] = "wss" if secure else "ws"
            else:
                resolved["scheme"] = proto
        # The trusted proxy's headers are passed on for whatever logs them.
        resolved["headers"] = kept + [(k, v) for k, v in forwarded if k.startswith(b"x-")]
        host = values.get(b"x-forwarded-host", "").split(",")[-1].strip()
        if host:
            resolved["forwarded_host"] = host
        return resolved


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _presents_credentials(scope: Scope) -> bool:
    if _header(scope, b"authorization") is not None or _header(scope, b"cookie") is not None:
        return True
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return any(key.lower() == "token" for key in query)


class EdgeGuard:
    """The middleware; `exempt_body_prefix` has its own body limit (Socket.IO)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        hosts: HostAllowlist,
        proxies: TrustedProxies,
        throttle: AuthThrottle,
        counters: EdgeCounters,
        max_body_bytes: int,
        exempt_body_prefix: str = "/socket.io/",
    ) -> None:
        self.app = app
        self.hosts = hosts
        self.proxies = proxies
        self.throttle = throttle
        self.counters = counters
        self.max_body_bytes = max_body_bytes
        self.exempt_body_prefix = exempt_body_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        scope = self.proxies.resolve(scope)
        host = scope.get("forwarded_host") or _header(scope, b"host")
        if not self.hosts.allows(host):
            self.counters.count_refused("host")
            await send_error(scope, send, BadRequest("this host name is not served"))
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        if _presents_credentials(scope):
            wait = self.throttle.refuse(address)
            if wait:
                await send_error(
                    scope,
                    send,
                    RateLimited(
                        "too many failed attempts from this address",
                        details={"retry_after_s": wait},
                    ),
                    [(b"retry-after", str(wait).encode())],
                )
                return
        limited = not scope.get("path", "").startswith(self.exempt_body_prefix)
        if limited:
            length = _header(scope, b"content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
                self.counters.count_refused("body_too_large")
                await send_error(
                    scope,
                    send,
                    PayloadTooLarge(
                        "the request body is over the limit",
                        details={"bytes": int(length), "limit": self.max_body_bytes},
                    ),
                )
                return
        await self._forward(scope, receive, send, address, limited)

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, address: str, limited: bool
    ) -> None:
        state = {"started": False, "refused": False, "received": 0}

        async def guarded_receive() -> Message:
            message = await receive()
            if limited and message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_body_bytes:
                    # A streamed body over the limit: answer 413 now and tell the app
                    # the client left, so it stops reading.
                    if not state["started"] and not state["refused"]:
                        state["refused"] = True
                        self.counters.count_refused("body_too_large")
                        await send_error(
                            scope,
                            send,
                            PayloadTooLarge(
                                "the request body is over the limit",
                                details={"limit": self.max_body_bytes},
                            ),
                        )
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
                if message["status"] == 401:
                    self.throttle.failure(address)
            await send(message)

        await self.app(scope, guarded_receive, guarded_send)
