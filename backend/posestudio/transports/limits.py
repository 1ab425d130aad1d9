"""The limits before authentication, built from settings: one place for the CLI and tests.

`build_edge` makes the shared state (the auth throttle and the refusal counters),
`guard` wraps the outermost ASGI app in the `EdgeGuard`, and `server_options` are the
uvicorn settings that bound what the HTTP parser and the WebSocket layer accept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from posestudio.settings import Settings
from posestudio.transports.edge import ASGIApp, EdgeGuard, HostAllowlist, TrustedProxies
from posestudio.transports.edge import allowed_host_names as _names
from posestudio.transports.malformed import EdgeCounters
from posestudio.transports.scheme import TrueScheme
from posestudio.transports.throttle import AuthThrottle

# Socket.IO lets a message through up to this many bytes over the frame limit, so
# that a frame somewhat too large is answered with FRAME_TOO_LARGE instead of the
# transport closing the connection.
FRAME_OVERHEAD_BYTES = 64 * 1024


def max_message_bytes(settings: Settings) -> int:
    """The largest Socket.IO message accepted (a frame, its metadata and some slack)."""
    return settings.max_frame_bytes * 2 + FRAME_OVERHEAD_BYTES


@dataclass
class Edge:
    """What the HTTP edge and the Socket.IO server share."""

    throttle: AuthThrottle
    counters: EdgeCounters = field(default_factory=EdgeCounters)


def build_edge(settings: Settings) -> Edge:
    return Edge(throttle=AuthThrottle(settings.auth_failures_per_minute))


def allowed_host_names(settings: Settings) -> list[str]:
    return _names(settings.allowed_hosts, settings.cors_origins, settings.host)


def guard(app: ASGIApp, settings: Settings, edge: Edge) -> EdgeGuard:
    """`app` behind the edge limits; wrap the outermost app (the agent mount included)."""
    return EdgeGuard(
        TrueScheme(app),
        hosts=HostAllowlist(allowed_host_names(settings)),
        proxies=TrustedProxies(settings.trusted_proxies),
        throttle=edge.throttle,
        counters=edge.counters,
        max_body_bytes=settings.max_body_bytes,
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.Config keyword arguments for the limits the HTTP parser enforces.

    h11 rather than httptools: h11 bounds the request line and headers
    (`h11_max_incomplete_event_size`), httptools accepts any size. Only handshakes and
    API calls go through it; frames travel on the WebSocket.
    """
    return {
        "http": "h11",
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "ws": "websockets-sansio",
        "ws_max_size": max_message_bytes(settings),
        # Forwarded headers are the edge's business, from configured proxies only
        # (uvicorn would otherwise believe 127.0.0.1).
        "proxy_headers": False,
        "timeout_graceful_shutdown": settings.shutdown_timeout_s,
        "timeout_keep_alive": 5,
    }
