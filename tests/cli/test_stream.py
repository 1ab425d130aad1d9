"""`posestudio stream`, run as a real process against a live backend."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from posestudio.settings import Settings
from tests.utils.server import LiveServer, wait_until

POSESTUDIO = str(Path(sys.executable).with_name("posestudio"))


def _stream(source: str, url: str, token: str, *options: str) -> subprocess.CompletedProcess[str]:
    """`posestudio stream SOURCE --url URL --token TOKEN OPTIONS…` to its end."""
    return subprocess.run(
        [POSESTUDIO, "stream", source, "--url", url, "--token", token, *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_stream_prints_and_writes_landmarks(server: LiveServer, tmp_path: Path) -> None:
    out = tmp_path / "poses.jsonl"
    options = ["--fps", "10", "--limit", "30", "--size", "640x480", "--out", str(out)]
    result = _stream("test", server.url, server.token, *options)
    assert result.returncode == 0, result.stderr
    match = re.search(r"got (\d+) poses \((\d+) with a person\)", result.stdout)
    assert match, result.stdout
    poses = [json.loads(line) for line in out.read_text().splitlines()]
    # The CLI sends only against the server's credits (newest frame wins in the client),
    # so a loaded machine answers fewer than it read (three seconds of video at 10 fps
    # answer at least three even at a second per frame); every answer is written.
    assert len(poses) == int(match[1]) >= 3
    assert all(p["schema"] == "pose_v1" for p in poses)
    assert sum(len(p["persons"][0]["landmarks"]) == 33 for p in poses if p["persons"]) == int(
        match[2]
    )
    assert int(match[2]) >= 0.9 * len(poses)


def test_stream_with_a_wrong_token_fails_clearly(server: LiveServer) -> None:
    result = _stream("test", server.url, "wrong", "--limit", "2")
    assert result.returncode == 2
    assert "error: UNAUTHORIZED: missing or wrong token" in result.stderr
    assert "Traceback" not in result.stderr


def test_stream_can_print_poses_to_stdout(server: LiveServer) -> None:
    result = _stream("test", server.url, server.token, "--fps", "10", "--limit", "5", "--out", "-")
    assert result.returncode == 0, result.stderr
    poses = [json.loads(line) for line in result.stdout.splitlines()]
    assert poses and all(len(p["persons"][0]["landmarks"]) == 33 for p in poses)
    assert "got" in result.stderr


def test_stream_sends_a_live_source_as_it_comes(server: LiveServer, tmp_path: Path) -> None:
    """A source that does not end (a camera; here ffmpeg writing into a pipe) is streamed
    frame by frame, not read to its end first."""
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg is not None, "ffmpeg is missing: `make system-deps` installs it"
    pipe = tmp_path / "live.ts"
    os.mkfifo(pipe)
    live = ["-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "mpegts"]
    source = subprocess.Popen(
        [ffmpeg, "-loglevel", "error", *live, "-c:v", "mpeg1video", "-y", str(pipe)],
        stdin=subprocess.DEVNULL,
    )
    stream_id = "cli"
    streamer = subprocess.Popen(
        [POSESTUDIO, "stream", str(pipe), "--url", server.url, "--token", server.token],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def processed() -> int:
        streams = server.get("/api/streams").json()["streams"]
        return sum(s["processed"] for s in streams if s["stream_id"] == stream_id)

    try:
        wait_until(lambda: processed() >= 5, timeout=60)
    finally:
        for process in (streamer, source):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_stream_goes_on_after_frames_are_dropped_unanswered(tmp_path: Path) -> None:
    """Frames over max_fps are dropped without a pose; they must not hold the client's
    in-flight slots for good (which stopped all sending after the first two drops)."""
    live = LiveServer(Settings(environment="test", max_fps=2)).start()
    try:
        options = ["--fps", "30", "--limit", "120", "--size", "320x240"]
        result = _stream("test", live.url, live.token, *options)
    finally:
        live.stop()
    assert result.returncode == 0, result.stderr
    match = re.search(r"got (\d+) poses", result.stdout)
    assert match, result.stdout
    # The 120-frame video over 4 s at max_fps=2: a client that stalls after the first
    # drops gets the burst of 2 poses (3 at most); one that expires unanswered frames
    # after 2 s gets another burst.
    assert int(match.group(1)) >= 4, result.stdout
