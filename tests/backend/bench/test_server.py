import os
import socket

import pytest

from posestudio.bench.server import LocalServer, ServerStartError, listening_pid, served_port


def test_listening_pid_finds_this_process() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert listening_pid(f"http://127.0.0.1:{port}") == os.getpid()


def test_listening_pid_is_none_for_another_host() -> None:
    assert listening_pid("http://192.0.2.1:8000") is None


async def test_a_backend_that_cannot_start_is_reported_with_its_output() -> None:
    env = {"POSE_STUDIO_ENGINES": "no-such-engine", "POSE_STUDIO_DEFAULT_ENGINE": "no-such-engine"}
    server = LocalServer(workers=1, env=env)
    with pytest.raises(ServerStartError, match="no-such-engine"):
        async with server:
            pass


def test_the_port_is_read_from_the_open_line_with_or_without_a_token() -> None:
    assert served_port("    http://127.0.0.1:41234/?token=abc\n") == 41234
    assert served_port("    http://127.0.0.1:41235/\n") == 41235  # staging/production
    assert served_port("INFO:     Uvicorn running on http://127.0.0.1:0 (Press CTRL+C)") is None
