"""Schedulers on a real server: streams take turns for a worker, drops are counted, and
the batching scheduler (over the real `mediapipe-batch` engine) keeps to its size and
wait bounds."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest

from posestudio.client import PoseClient
from posestudio.settings import Settings
from tests.utils.frames import pose_for, send_and_wait, video_jpegs
from tests.utils.server import LiveServer

BATCH = 2


@pytest.fixture(scope="module")
def one_worker() -> Iterator[LiveServer]:
    server = LiveServer(Settings(environment="test", max_fps=1000, workers=1)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def batching() -> Iterator[LiveServer]:
    settings = Settings(
        environment="test",
        max_fps=1000,
        workers=1,
        engines=["mediapipe-batch"],
        default_engine="mediapipe-batch",
        batch_max_size=BATCH,
        batch_max_wait_ms=1000,
    )
    server = LiveServer(settings).start()
    yield server
    server.stop()


def batch_sizes(server: LiveServer) -> dict[str, float]:
    """`pose_batch_size` for the batch engine: bucket bounds -> cumulative count, sum, count."""
    text = server.get("/metrics").text
    out: dict[str, float] = {}
    for match in re.finditer(
        r'^pose_batch_size_(bucket|sum|count)\{engine="mediapipe-batch"(?:,le="([^"]+)")?\} (\S+)$',
        text,
        re.MULTILINE,
    ):
        kind, le, value = match.groups()
        out[le if kind == "bucket" else kind] = float(value)
    return out


async def test_a_flooding_stream_does_not_starve_another(one_worker: LiveServer) -> None:
    frames = video_jpegs(320, 240)
    async with PoseClient(one_worker.url, one_worker.token, max_queue=1000) as client:
        await client.start("flood")
        await client.start("calm")
        last = None
        for round_ in range(3):
            # The flood sends a burst without waiting; calm sends one frame amid it.
            for jpeg in frames[round_ * 10 : round_ * 10 + 10]:
                last = await client.send("flood", jpeg)
            calm_seq = await client.send("calm", frames[50 + round_])
            assert calm_seq is not None and last is not None
            flood_poses_before_calm = 0
            while True:
                message = await client.next(30)
                assert message.event == "pose", message.data
                if message.data["stream_id"] == "calm":
                    assert message.data["seq"] == calm_seq
                    break
                flood_poses_before_calm += 1
            # FIFO permits: calm waits for at most the flood's frame in hand and the one
            # already waiting for the worker.
            assert flood_poses_before_calm <= 2
            # The newest flood frame is still answered.
            await pose_for(client, "flood", last)
        streams = {s["stream_id"]: s for s in one_worker.get("/api/streams").json()["streams"]}
        flood = streams["flood"]
        assert flood["received"] == 30
        assert flood["dropped"] > 0
        assert flood["processed"] + flood["dropped"] == flood["received"]
        assert streams["calm"]["processed"] == streams["calm"]["received"] == 3
        metrics = one_worker.get("/metrics").text
        superseded = re.search(
            r'^pose_frames_dropped_total\{reason="superseded"\} (\S+)$', metrics, re.M
        )
        assert superseded is not None and float(superseded.group(1)) >= flood["dropped"]


async def test_batches_hold_at_most_max_batch_frames(batching: LiveServer) -> None:
    frames = video_jpegs(320, 240)
    before = batch_sizes(batching)
    names = [f"b{i}" for i in range(2 * BATCH)]
    async with PoseClient(batching.url, batching.token) as client:
        for name in names:
            assert (await client.start(name))["engine"] == "mediapipe-batch"
        for round_ in range(3):
            seqs = {
                name: await client.send(name, frames[i + round_]) for i, name in enumerate(names)
            }
            for name, seq in seqs.items():
                assert seq is not None
                pose = await pose_for(client, name, seq)
                # Each stream's own tracking state finds the person in the real video.
                assert pose.data["persons"]
                assert pose.data["engine"] == "mediapipe-batch"
        for name in names:
            await client.stop(name)
    after = batch_sizes(batching)
    frames_batched = after["sum"] - before.get("sum", 0)
    batches = after["count"] - before.get("count", 0)
    assert frames_batched == 3 * len(names)
    # Every batch was within the bound; more than one frame went through some call.
    assert after[str(BATCH)] - before.get(str(BATCH), 0) == batches
    assert batches < frames_batched


async def test_a_lone_frame_waits_no_longer_than_max_wait(batching: LiveServer) -> None:
    """Nothing else comes to fill the batch: the frame goes alone after `max_wait`."""
    before = batch_sizes(batching)
    async with PoseClient(batching.url, batching.token) as client:
        await client.start("alone")
        for jpeg in video_jpegs(320, 240)[:2]:
            pose = await send_and_wait(client, "alone", jpeg)
            assert pose.data["persons"]
        await client.stop("alone")
    after = batch_sizes(batching)
    assert after["count"] - before.get("count", 0) == 2
    assert after["1"] - before.get("1", 0) == 2  # both batches of one frame


async def test_streams_stop_cleanly_with_a_batch_in_hand(batching: LiveServer) -> None:
    async with PoseClient(batching.url, batching.token) as client:
        await client.start("s1")
        await client.start("s2")
        frames = video_jpegs(320, 240)
        await client.send("s1", frames[0])
        await client.send("s2", frames[1])
        # Stop both while their batch may be in the worker: the stops wait for it.
        replies = await asyncio.gather(client.stop("s1"), client.stop("s2"))
        assert [r["ok"] for r in replies] == [True, True]
    streams = batching.get("/api/streams").json()["streams"]
    assert not [s for s in streams if s["stream_id"] in ("s1", "s2")]
