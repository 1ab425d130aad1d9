"""Limits before authentication, on a real server over raw sockets."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from posestudio.client import PoseClient, PoseClientError
from posestudio.settings import Settings
from posestudio.transports.limits import build_edge, guard, max_message_bytes
from tests.utils.rawsio import RawSocket, decode
from tests.utils.server import LiveServer
from tests.utils.servers import uvicorn_server

PENDING_CAP = 3


@pytest.fixture(scope="module")
def limited() -> Iterator[LiveServer]:
    live = LiveServer(
        Settings(
            environment="test",
            engineio_connect_timeout_s=3.0,
            max_pending_sessions_per_address=PENDING_CAP,
            max_header_bytes=8 * 1024,
            max_body_bytes=64 * 1024,
            allowed_hosts=["studio.example.com", "*.lan.example"],
            cors_origins=["https://public.example.org"],
        )
    ).start()
    yield live
    live.stop()


def raw_http(port: int, request: bytes) -> bytes:
    """Send `request` on a raw TCP socket; whatever the server answers before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks)


async def test_a_session_that_never_joins_a_namespace_is_closed(limited: LiveServer) -> None:
    raw = await RawSocket.open(limited.url)
    # The server pings every 10 s and we answer: only the connect timeout can close it.
    assert await raw.recv(timeout=30) is None
    assert 'pose_edge_refused_total{reason="connect_timeout"}' in limited.get("/metrics").text


async def test_a_joined_session_is_not_closed(limited: LiveServer) -> None:
    raw = await RawSocket.open(limited.url)
    await raw.join(limited.token)
    # Waiting out the connect timeout is the point here: the timer must not fire.
    await asyncio.sleep(limited.settings.engineio_connect_timeout_s * 2)
    reply, _ = await raw.call("stop", {"stream_id": "nothing"})
    assert reply["error"]["code"] == "UNKNOWN_STREAM"
    await raw.close()


async def test_unconnected_sessions_per_address_are_capped(limited: LiveServer) -> None:
    held = [await RawSocket.open(limited.url) for _ in range(PENDING_CAP)]
    with pytest.raises(InvalidStatus) as refused:
        await RawSocket.open(limited.url)
    assert refused.value.response.status_code == 429
    assert b"RATE_LIMITED" in refused.value.response.body
    # Joining /pose frees the slot.
    await held[0].join(limited.token)
    extra = await RawSocket.open(limited.url)
    for raw in [*held, extra]:
        await raw.close()


async def test_a_message_over_the_limit_closes_the_websocket_with_1009(
    limited: LiveServer,
) -> None:
    raw = await RawSocket.open(limited.url)
    await raw.join(limited.token)
    # The server may close while the message is still being sent.
    with contextlib.suppress(ConnectionClosed):
        await raw.send(b"x" * (max_message_bytes(limited.settings) + 1))
    assert await raw.recv() is None
    assert raw.close_code == 1009
    # The next connection is served as before.
    again = await RawSocket.open(limited.url)
    await again.join(limited.token)
    await again.close()


def test_a_10_mb_header_is_refused(limited: LiveServer) -> None:
    big = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 10_000_000 + b"\r\n\r\n"
    answer = raw_http(limited.port, big)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    small = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Small: " + b"a" * 4000 + b"\r\n"
    assert raw_http(limited.port, small + b"Connection: close\r\n\r\n").startswith(b"HTTP/1.1 200")


def test_an_unfinished_header_over_the_limit_is_cut_off(limited: LiveServer) -> None:
    # Never ends its headers: the parser stops buffering at the limit and closes.
    partial = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200_000
    answer = raw_http(limited.port, partial)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:200]


def test_a_body_over_the_limit_gets_413(limited: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {limited.token}"}
    response = httpx.post(
        f"{limited.url}/api/engines", content=b"x" * 100_000, headers=headers, timeout=10
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    under = httpx.post(f"{limited.url}/api/engines", content=b"x" * 1000, headers=headers)
    assert under.status_code == 405


async def _echo_body(scope: Any, receive: Any, send: Any) -> None:
    """An app that reads its whole body, as a POST route would."""
    if scope["type"] != "http":
        return
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def test_a_streamed_body_over_the_limit_gets_413() -> None:
    settings = Settings(environment="test", max_body_bytes=64 * 1024)
    app = guard(_echo_body, settings, build_edge(settings))

    def chunks(n: int) -> Iterator[bytes]:
        for _ in range(n):
            yield b"y" * 16_384

    with uvicorn_server(app) as url:
        assert httpx.post(url, content=chunks(2)).text == str(2 * 16_384)
        streamed = httpx.post(url, content=chunks(10), timeout=10)
        assert streamed.status_code == 413
        assert streamed.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    ("host", "served"),
    [
        ("127.0.0.1", True),
        ("localhost:8000", True),
        ("[::1]:8000", True),
        ("192.168.1.20", True),
        ("studio.example.com", True),
        ("cam.lan.example", True),
        ("public.example.org", True),
        ("attacker.example", False),
        ("localhost.attacker.example", False),
        ("example.com", False),
    ],
)
def test_the_host_allowlist(limited: LiveServer, host: str, served: bool) -> None:
    for path in ("/api/engines", "/metrics", "/health"):
        response = limited.get(
            path, headers={"Host": host, "Authorization": f"Bearer {limited.token}"}
        )
        if served:
            assert response.status_code == 200, (host, path)
        else:
            assert response.status_code == 400, (host, path)
            assert response.json()["error"]["code"] == "BAD_REQUEST"


async def test_a_websocket_from_a_rebinding_host_is_refused(limited: LiveServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await RawSocket.open(limited.url, headers={"Host": "attacker.example"})
    assert refused.value.response.status_code == 400


def _failures(live: LiveServer, n: int, headers: dict[str, str] | None = None) -> None:
    for _ in range(n):
        response = live.get(
            "/api/engines", headers={"Authorization": "Bearer wrong", **(headers or {})}
        )
        assert response.status_code == 401


async def test_failed_authentication_is_throttled_per_address() -> None:
    live = LiveServer(Settings(environment="test", auth_failures_per_minute=5)).start()
    try:
        _failures(live, 5)
        throttled = live.get("/api/engines")  # the right token, from the same address
        assert throttled.status_code == 429
        assert throttled.json()["error"]["code"] == "RATE_LIMITED"
        assert int(throttled.headers["retry-after"]) >= 1
        assert live.get("/health", headers={}).status_code == 200
        # The Socket.IO connect is throttled too, before its token is looked at.
        client = PoseClient(live.url, live.token, reconnect=False)
        with pytest.raises(PoseClientError) as refused:
            await client.connect()
        assert refused.value.code == "RATE_LIMITED"
        await client.close()
        assert (
            'pose_edge_refused_total{reason="auth_throttled"}'
            in live.get("/metrics", headers={}).text
        )
    finally:
        live.stop()


async def test_wrong_socketio_tokens_count_against_the_address() -> None:
    live = LiveServer(Settings(environment="test", auth_failures_per_minute=3)).start()
    try:
        codes = []
        for _ in range(5):
            raw = await RawSocket.open(live.url)
            try:
                await raw.join("wrong-token")
            except ConnectionRefusedError as exc:
                kind, payload = decode(str(exc))
                assert kind == "connect_error"
                codes.append(payload["data"]["code"])
            await raw.close()
        assert codes == ["UNAUTHORIZED"] * 3 + ["RATE_LIMITED"] * 2
        assert live.get("/api/engines").status_code == 429
    finally:
        live.stop()


def test_forwarded_headers_count_only_from_trusted_proxies() -> None:
    untrusted = LiveServer(Settings(environment="test", auth_failures_per_minute=3)).start()
    try:
        # Claiming to be someone else from an untrusted peer changes nothing: the
        # failures are 127.0.0.1's, and so is the throttle.
        _failures(untrusted, 3, {"X-Forwarded-For": "203.0.113.9"})
        response = untrusted.get(
            "/api/engines",
            headers={
                "Authorization": f"Bearer {untrusted.token}",
                "X-Forwarded-For": "198.51.100.7",
            },
        )
        assert response.status_code == 429
    finally:
        untrusted.stop()
    trusted = LiveServer(
        Settings(environment="test", auth_failures_per_minute=3, trusted_proxies=["127.0.0.0/8"])
    ).start()
    try:
        _failures(trusted, 3, {"X-Forwarded-For": "203.0.113.9"})
        good = {"Authorization": f"Bearer {trusted.token}"}
        blocked = trusted.get("/api/engines", headers={**good, "X-Forwarded-For": "203.0.113.9"})
        assert blocked.status_code == 429
        other = trusted.get("/api/engines", headers={**good, "X-Forwarded-For": "198.51.100.7"})
        assert other.status_code == 200
        # The proxy's view of the Host counts: X-Forwarded-Host from it is checked.
        rebound = trusted.get(
            "/api/engines",
            headers={**good, "X-Forwarded-For": "198.51.100.7", "X-Forwarded-Host": "evil.example"},
        )
        assert rebound.status_code == 400
    finally:
        trusted.stop()
