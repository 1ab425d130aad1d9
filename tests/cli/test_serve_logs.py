"""`posestudio serve` as a real process: a token sent over HTTP, Socket.IO long-polling
and WebSocket, in every spelling, appears in none of its log lines."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import socketio
import websockets

from tests.utils.processes import posestudio

pytestmark = pytest.mark.slow

TOKEN = "log-test-token-0123456789abcdef"


async def connect_and_leave(url: str, transport: str) -> None:
    """A Socket.IO client that also puts the token in the handshake URL's query."""
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        f"{url}?token={TOKEN}",
        namespaces=["/pose"],
        transports=[transport],
        auth={"token": TOKEN},
        wait_timeout=20,
    )
    await client.disconnect()


async def raw_handshakes(url: str, query: str) -> None:
    """Engine.IO handshakes with the query exactly as written (clients re-encode theirs)."""
    async with httpx.AsyncClient(base_url=url) as http:
        polling = await http.get(f"/socket.io/?EIO=4&transport=polling&{query}")
        assert polling.status_code == 200
    ws_url = url.replace("http://", "ws://")
    async with websockets.connect(f"{ws_url}/socket.io/?EIO=4&transport=websocket&{query}") as ws:
        assert (await ws.recv()).startswith("0")  # the Engine.IO open packet


async def test_no_log_line_holds_the_token(tmp_path: Path) -> None:
    # Staging: the start-up URL carries no token, so any hit below is a leak.
    env = {
        "POSE_STUDIO_TOKEN": TOKEN,
        "POSE_STUDIO_ENVIRONMENT": "staging",
        "POSE_STUDIO_LOG_LEVEL": "debug",
        # Long-polling is off by default (docs/protocol.md); its log lines are checked too.
        "POSE_STUDIO_ALLOW_POLLING": "true",
    }
    output: list[str] = []
    with posestudio(
        ["serve", "--port", "0"], env, tmp_path, r"(http://127\.0\.0\.1:\d+)/$", output=output
    ) as match:
        url = match.group(1)
        async with httpx.AsyncClient(base_url=url) as http:
            for name in ("token", "%74oken", "Token", "TOKEN"):
                await http.get(f"/api/engines?x=1&{name}={TOKEN}")
            assert (await http.get(f"/api/engines?%74oken={TOKEN}")).status_code == 200
            await http.get(f"/agent/result/abc?token={TOKEN}")
        for transport in ("polling", "websocket"):
            await connect_and_leave(url, transport)
        for name in ("%74oken", "Token"):
            await raw_handshakes(url, f"{name}={TOKEN}")
    logged = "".join(output)
    # The requests were logged, with their tokens redacted.
    assert "GET /api/engines?x=1&%74oken=[redacted]" in logged
    assert "GET /socket.io/?token=[redacted]" in logged
    assert "GET /socket.io/?EIO=4&transport=polling&%74oken=[redacted]" in logged
    assert '"WebSocket /socket.io/?token=[redacted]' in logged
    assert '"WebSocket /socket.io/?EIO=4&transport=websocket&%74oken=[redacted]' in logged
    assert "/agent/result/abc?token=[redacted]" in logged
    leaks = [line for line in output if TOKEN in line]
    assert leaks == []
