"""Long-polling over the buffer limit is answered, and SIGTERM ends the server in time."""

from __future__ import annotations

import contextlib
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from posestudio.settings import Settings
from posestudio.transports.limits import max_message_bytes
from tests.utils.processes import clean_environ
from tests.utils.server import TOKEN, LiveServer
from tests.utils.serverlogs import log_file

SHUTDOWN_TIMEOUT_S = 3


def _poll_session(url: str, client: httpx.Client) -> str:
    opened = client.get(f"{url}/socket.io/?EIO=4&transport=polling")
    assert opened.status_code == 200, opened.text
    sid = str(json.loads(opened.text[1:])["sid"])
    joined = client.post(
        f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}",
        content="40/pose," + json.dumps({"token": TOKEN}),
    )
    assert joined.status_code == 200
    assert "40/pose," in client.get(f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}").text
    return sid


def test_polling_is_off_by_default(server: LiveServer) -> None:
    refused = httpx.get(f"{server.url}/socket.io/?EIO=4&transport=polling", timeout=10)
    assert refused.status_code == 400


def test_a_long_poll_post_over_the_limit_is_answered_and_closes_the_session() -> None:
    settings = Settings(environment="test", allow_polling=True, max_frame_bytes=10 * 1024)
    live = LiveServer(settings).start()
    try:
        with httpx.Client(timeout=10) as client:
            sid = _poll_session(live.url, client)
            session = f"{live.url}/socket.io/?EIO=4&transport=polling&sid={sid}"
            over = client.post(session, content="4" + "x" * max_message_bytes(settings))
            assert over.status_code == 413
            assert over.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
            # The session is gone: its next requests are answered 400, not 500 or never.
            assert client.post(session, content="1").status_code == 400
            assert client.get(session).status_code == 400
            # Another session works as before.
            _poll_session(live.url, client)
    finally:
        live.stop()


def _stubborn_websocket(port: int) -> socket.socket:
    """A WebSocket handshake, after which the client never reads or answers anything."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    assert sock.recv(4096).startswith(b"HTTP/1.1 101")
    return sock


def test_sigterm_completes_in_time_whatever_clients_do(tmp_path: Path) -> None:
    env = {
        **clean_environ(),
        "POSE_STUDIO_TOKEN": TOKEN,
        "POSE_STUDIO_DATA_DIR": str(tmp_path),
        "POSE_STUDIO_AGENT_EMBEDDED": "false",
        "POSE_STUDIO_ALLOW_POLLING": "true",
        "POSE_STUDIO_SHUTDOWN_TIMEOUT_S": str(SHUTDOWN_TIMEOUT_S),
        "POSE_STUDIO_ENGINEIO_CONNECT_TIMEOUT_S": "60",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "posestudio_cli", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    held: list[socket.socket] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if match := re.search(r"http://127\.0\.0\.1:(\d+)/", line):
                port = int(match.group(1))
                break
        else:
            raise AssertionError("".join(output))
        url = f"http://127.0.0.1:{port}"
        pump = threading.Thread(target=lambda: output.extend(process.stdout or []), daemon=True)
        pump.start()
        # Clients that hold on: a WebSocket that never answers the close, a header never
        # finished, a long-poll GET waiting for packets, and a POST over the limit.
        held.append(_stubborn_websocket(port))
        partial = socket.create_connection(("127.0.0.1", port), timeout=10)
        partial.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaa")
        held.append(partial)
        client = httpx.Client(timeout=60)
        sid = _poll_session(url, client)
        session = f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}"

        def long_poll() -> None:
            # The server ends while this waits: any answer or a cut connection will do.
            with contextlib.suppress(httpx.HTTPError):
                client.get(session)

        waiting = threading.Thread(target=long_poll, daemon=True)
        waiting.start()
        other = _poll_session(url, client)
        over = client.post(
            f"{url}/socket.io/?EIO=4&transport=polling&sid={other}", content="4" + "x" * 5_000_000
        )
        assert over.status_code == 413
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        # The bound: the graceful timeout, then the ordered drain of an idle server.
        code = process.wait(timeout=SHUTDOWN_TIMEOUT_S + 12)
        print(
            f"\nSIGTERM to exit: {time.monotonic() - signalled:.1f} s "
            f"(graceful timeout {SHUTDOWN_TIMEOUT_S} s)"
        )
        pump.join(5)
        # uvicorn re-raises the signal it handled once it is done: -SIGTERM is a clean end.
        assert code in (0, -signal.SIGTERM), "".join(output)
        assert "Application shutdown complete" in "".join(output)
        assert "Traceback" not in "".join(output)
    finally:
        for sock in held:
            sock.close()
        if process.poll() is None:
            process.kill()
            process.wait(5)
        # Its log, for the session's token check (tests/utils/serverlogs.py).
        log_file("shutdown-serve").write_text("".join(output), encoding="utf-8")
