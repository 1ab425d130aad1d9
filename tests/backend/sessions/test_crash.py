"""kill -9 a real `posestudio serve` while it records; the next start keeps what was
published (everything up to about a second before the kill) and says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

from posestudio.client import PoseClient
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.processes import clean_environ
from tests.utils.server import free_port, wait_until
from tests.utils.serverlogs import log_file

TOKEN = "crash-test-token-0123456789abcdef"


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def serve(data_dir: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **clean_environ(),
        "POSE_STUDIO_TOKEN": TOKEN,
        "POSE_STUDIO_DATA_DIR": str(data_dir),
        "POSE_STUDIO_ENVIRONMENT": "test",
        "POSE_STUDIO_AGENT_EMBEDDED": "false",
        "POSE_STUDIO_WORKERS": "1",
        "POSE_STUDIO_MAX_FPS": "240",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "posestudio_cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        # Its log, for the session's token check (tests/utils/serverlogs.py).
        stdout=(log := log_file("crash-serve").open("wb")),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: _ready(f"http://127.0.0.1:{port}") or process.poll() is not None, 120)
        assert process.poll() is None, "posestudio serve exited"
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
        log.close()


def _get(url: str, path: str) -> httpx.Response:
    return httpx.get(f"{url}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)


async def test_kill_9_mid_recording_keeps_the_frames_up_to_the_last_second(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    received: list[dict[str, Any]] = []
    jpegs = video_jpegs(320, 240)
    sent: list[bytes] = []
    with serve(tmp_path, port) as process:
        client = PoseClient(url, TOKEN, reconnect=False)
        await client.connect()
        await client.start("cam")
        reply = await client.call_raw("record", {"video": True, "name": "crash"})
        assert reply["ok"], reply
        sid = reply["session"]["id"]
        published = 0
        while published < 30 or len(received) < 60:
            jpeg = jpegs[len(received) % len(jpegs)]
            received.append((await send_and_wait(client, "cam", jpeg)).data)
            sent.append(jpeg)
            if len(received) % 10 == 0:
                published = _get(url, f"/api/sessions/{sid}").json()["streams"][0]["frames"]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        await client.close()

    with serve(tmp_path, port):
        session = _get(url, f"/api/sessions/{sid}").json()
        (stream,) = session["streams"]
        lines = _get(url, f"/api/sessions/{sid}/streams/{stream['key']}/poses").text.splitlines()
        kept = [orjson.loads(line) for line in lines]
        last = _get(url, f"/api/sessions/{sid}/streams/{stream['key']}/frames/{len(kept) - 1}")
        exported = _get(url, f"/api/sessions/{sid}/export.jsonl")
    assert session["status"] == "interrupted"
    assert session["stop_reason"] == "server_stopped"
    assert "were kept" in session["note"]
    assert stream["frames"] == len(kept) >= published  # nothing that was published is lost
    # What was kept is exactly the first poses the client got, in order, with no gap.
    assert [k["pose"] for k in kept] == received[: len(kept)]
    assert last.content == sent[len(kept) - 1]
    # An interrupted session exports what was kept, and says so.
    assert exported.headers["x-session-status"] == "interrupted"
    assert len(exported.text.splitlines()) == len(kept)
    assert session["duration_s"] == round(kept[-1]["ts"], 3)
    missing = len(received) - len(kept)
    span = (
        (received[-1]["capture_ts"] - received[len(kept) - 1]["capture_ts"]) / 1000
        if missing
        else 0
    )
    print(
        f"kill -9: {len(kept)} of {len(received)} frames kept; "
        f"the last {missing} ({span:.2f} s) lost"
    )
