"""Every kind of bad input gets its structured error, and everything else keeps running."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import socketio

from posestudio.client import PoseClient, PoseClientError
from posestudio.client.sources import read_frames, test_video_path
from posestudio.imaging import encode_jpeg
from posestudio.settings import Settings
from tests.utils.frames import next_event, send_and_wait, video_jpegs
from tests.utils.server import LiveServer

LIMITS = dict(max_frame_bytes=300_000, max_width=1280, max_height=720, max_fps=240)


@pytest.fixture(scope="module")
def strict_server() -> Iterator[LiveServer]:
    live = LiveServer(Settings(environment="test", max_streams_per_connection=10, **LIMITS))
    live.start()
    yield live
    live.stop()


class Bystander:
    """Another user streaming the whole time; it must never notice the bad input."""

    def __init__(self) -> None:
        self.poses = 0
        self.progress = asyncio.Event()

    async def more_poses(self, timeout: float = 10) -> None:
        before = self.poses
        async with asyncio.timeout(timeout):
            while self.poses <= before:
                self.progress.clear()
                await self.progress.wait()


@pytest.fixture
async def bystander(strict_server: LiveServer) -> AsyncIterator[Bystander]:
    watcher = Bystander()
    stop = asyncio.Event()

    async def run() -> None:
        async with PoseClient(strict_server.url, strict_server.token) as other:
            await other.start("bystander")
            frames = video_jpegs(640, 480)
            i = 0
            while not stop.is_set():
                message = await send_and_wait(other, "bystander", frames[i % len(frames)])
                watcher.poses += bool(message.data["persons"])
                watcher.progress.set()
                i += 1

    task = asyncio.create_task(run())
    await watcher.more_poses(timeout=30)
    yield watcher
    stop.set()
    await asyncio.wait_for(task, 30)


@pytest.fixture
async def bad(strict_server: LiveServer) -> AsyncIterator[PoseClient]:
    async with PoseClient(strict_server.url, strict_server.token) as client:
        await client.start("s")
        yield client


async def expect_error(client: PoseClient, code: str) -> dict[str, Any]:
    message = await next_event(client, "error", timeout=10)
    assert message.data["code"] == code, message.data
    assert isinstance(message.data["message"], str) and message.data["message"]
    return message.data


async def still_serves(client: PoseClient) -> None:
    pose = (await send_and_wait(client, "s", video_jpegs(640, 480)[0])).data
    assert pose["persons"]


def big_jpeg() -> bytes:
    rgb = next(read_frames(test_video_path(), size=(1920, 1080)))
    return encode_jpeg(rgb, 30)


CASES: list[tuple[str, str, Any]] = [
    ("not an image", "BAD_FRAME", lambda: ({"stream_id": "s", "seq": 1, "capture_ts": 1}, b"hi")),
    (
        "truncated JPEG",
        "BAD_FRAME",
        lambda: (
            {"stream_id": "s", "seq": 1, "capture_ts": 1},
            video_jpegs(640, 480)[5][: len(video_jpegs(640, 480)[5]) // 2],
        ),
    ),
    (
        "over the byte limit",
        "FRAME_TOO_LARGE",
        lambda: ({"stream_id": "s", "seq": 1, "capture_ts": 1}, os.urandom(400_000)),
    ),
    (
        "over the dimension limit",
        "FRAME_TOO_LARGE",
        lambda: ({"stream_id": "s", "seq": 1, "capture_ts": 1}, big_jpeg()),
    ),
    ("missing payload", "BAD_REQUEST", lambda: ({"stream_id": "s", "seq": 1, "capture_ts": 1},)),
    (
        "base64 text payload",
        "BAD_FRAME",
        lambda: ({"stream_id": "s", "seq": 1, "capture_ts": 1}, "/9j/4AAQSkZJRg=="),
    ),
    ("empty payload", "BAD_FRAME", lambda: ({"stream_id": "s", "seq": 1, "capture_ts": 1}, b"")),
    (
        "unknown stream",
        "UNKNOWN_STREAM",
        lambda: ({"stream_id": "nope", "seq": 1, "capture_ts": 1}, video_jpegs(640, 480)[0]),
    ),
    (
        "seq of the wrong type",
        "BAD_REQUEST",
        lambda: ({"stream_id": "s", "seq": "one", "capture_ts": 1}, video_jpegs(640, 480)[0]),
    ),
    (
        "missing capture_ts",
        "BAD_REQUEST",
        lambda: ({"stream_id": "s", "seq": 1}, video_jpegs(640, 480)[0]),
    ),
    (
        "huge stream id",
        "BAD_REQUEST",
        lambda: ({"stream_id": "x" * 100_000, "seq": 1, "capture_ts": 1}, b"\xff\xd8"),
    ),
    (
        "unexpected field",
        "BAD_REQUEST",
        lambda: ({"stream_id": "s", "seq": 1, "capture_ts": 1, "x": 1}, b"\xff\xd8"),
    ),
    ("metadata not an object", "BAD_REQUEST", lambda: (["s", 1, 1], b"\xff\xd8")),
]


@pytest.mark.parametrize(("case", "code", "make"), CASES, ids=[c[0] for c in CASES])
async def test_bad_frame_gets_structured_error_and_nothing_else_stops(
    bad: PoseClient, bystander: Bystander, case: str, code: str, make: Any
) -> None:
    await bad.emit_raw("frame", *make())
    error = await expect_error(bad, code)
    if code != "BAD_REQUEST" or case != "huge stream id":
        assert error.get("stream_id") in ("s", "nope", None)
    await still_serves(bad)
    await bystander.more_poses()


async def test_dimension_error_says_the_size(bad: PoseClient) -> None:
    await bad.send("s", big_jpeg())
    error = await expect_error(bad, "FRAME_TOO_LARGE")
    assert error["details"] == {"width": 1920, "height": 1080}
    assert error["stream_id"] == "s"


async def test_start_with_unknown_engine_is_refused(bad: PoseClient) -> None:
    with pytest.raises(PoseClientError) as refused:
        await bad.start("other", engine="openpose")
    assert refused.value.code == "UNKNOWN_ENGINE"
    assert refused.value.error["details"]["available"] == ["mediapipe"]


async def test_start_with_malformed_body_is_refused(bad: PoseClient) -> None:
    for body in ("cam", {"stream_id": "bad id with spaces"}, {"stream_id": "a", "x": 1}, None):
        reply = await bad.call_raw("start", body)
        assert reply["ok"] is False
        assert reply["error"]["code"] == "BAD_REQUEST"


async def test_same_stream_id_twice_is_refused(bad: PoseClient) -> None:
    with pytest.raises(PoseClientError) as refused:
        await bad.start("s")
    assert refused.value.code == "STREAM_EXISTS"


async def test_eleventh_stream_is_refused(strict_server: LiveServer) -> None:
    async with PoseClient(strict_server.url, strict_server.token) as client:
        for i in range(10):
            await client.start(f"cam{i}")
        with pytest.raises(PoseClientError) as refused:
            await client.start("cam10")
        assert refused.value.code == "TOO_MANY_STREAMS"
        await client.stop("cam3")
        assert (await client.start("cam10"))["ok"]
        assert (await send_and_wait(client, "cam10", video_jpegs(640, 480)[0])).data["persons"]


async def test_stop_of_unknown_stream_is_refused(bad: PoseClient) -> None:
    with pytest.raises(PoseClientError) as refused:
        await bad.stop("never-started")
    assert refused.value.code == "UNKNOWN_STREAM"


async def test_flood_far_above_max_fps_is_rate_limited() -> None:
    live = LiveServer(Settings(environment="test", max_fps=10)).start()
    try:
        async with PoseClient(live.url, live.token) as client:
            await client.start("flood")
            jpeg = video_jpegs(640, 480)[0]
            for _ in range(200):
                last = await client.send("flood", jpeg)
            error = await next_event(client, "error")
            assert error.data["code"] == "RATE_LIMITED"
            assert error.data["stream_id"] == "flood"
            assert error.data["details"]["max_fps"] == 10
            # Only one error a second, not one per dropped frame.
            errors = 1
            poses = []
            with contextlib.suppress(TimeoutError):
                while True:
                    message = await client.next(timeout=2)
                    if message.event == "error":
                        errors += 1
                    else:
                        poses.append(message.data)
            assert errors <= 3
            assert poses, "the frames within the rate are still served"
            assert poses[-1]["dropped"] >= 200 - 10 - len(poses)
            assert poses[-1]["seq"] <= last
            metrics = live.get("/metrics").text
            assert 'pose_frames_dropped_total{reason="rate_limited"}' in metrics
    finally:
        live.stop()


async def test_missing_or_wrong_token_is_refused_at_connect(server: LiveServer) -> None:
    for token in ("", "wrong-token"):
        client = PoseClient(server.url, token, reconnect=False)
        with pytest.raises(PoseClientError) as refused:
            await client.connect()
        assert refused.value.code == "UNAUTHORIZED"
        await client.close()


async def test_the_default_namespace_is_not_open(server: LiveServer) -> None:
    raw = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await raw.connect(server.url, namespaces=["/"], transports=["websocket"], wait_timeout=5)
    await raw.disconnect()
