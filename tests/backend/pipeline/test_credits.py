"""Credits: the server grants each stream one frame at a time, so a client that keeps to
them never uploads a frame only for the server's slot to supersede it."""

from __future__ import annotations

import asyncio
import time

from posestudio.client import PoseClient
from posestudio.client.credits import HeldFrame, LatestFrameSender
from posestudio.settings import Settings
from tests.utils.frames import next_event, pose_for, video_jpegs
from tests.utils.server import LiveServer


async def test_the_start_grants_one_frame_and_each_frame_taken_grants_one_more(
    client: PoseClient,
) -> None:
    ack = await client.start("cam", credits=True)
    assert ack["granted"] == 1
    credits = client.credits["cam"]
    credits.stall_s = 60.0  # a grant must come from the server, not be assumed
    jpeg = video_jpegs(320, 240)[0]
    for expected in (2, 3):
        assert credits.available
        seq = await client.send("cam", jpeg)
        assert seq is not None
        credits.spend()
        assert not credits.available
        await asyncio.wait_for(credits.wait(), 30)
        assert credits.granted == expected
        pose = await pose_for(client, "cam", seq)
        # The pose carries the running total too (it never goes backwards).
        assert pose.data["granted"] >= expected
    assert credits.stalls == 0


async def test_a_client_keeping_to_its_credits_has_nothing_superseded(
    server: LiveServer, client: PoseClient
) -> None:
    """Frames offered far faster than the worker takes them: the client keeps only its
    newest, and every frame it uploads is processed (the server drops none)."""
    await client.start("fast", credits=True)
    last_sent = -1

    async def send(frame: HeldFrame) -> bool:
        nonlocal last_sent
        seq = await client.send("fast", frame.jpeg, seq=frame.seq, capture_ts=frame.capture_ts)
        last_sent = frame.seq
        return seq is not None

    sender = LatestFrameSender(client.credits["fast"], send)
    jpegs = video_jpegs(640, 480)[:60]
    for seq, jpeg in enumerate(jpegs):
        sender.offer(HeldFrame(jpeg, seq, time.time() * 1000))
        await asyncio.sleep(0.002)  # a camera far faster than the engine
    await sender.flush(30)
    await sender.close()
    last = await pose_for(client, "fast", last_sent)
    assert sender.superseded > 0, "the client should have kept only its newest frames"
    assert sender.sent + sender.superseded == len(jpegs)
    assert last.data["dropped"] == 0
    assert client.credits["fast"].stalls == 0


async def test_a_stream_without_credits_gets_no_grants(client: PoseClient) -> None:
    ack = await client.start("old")
    assert "granted" not in ack
    assert "old" not in client.credits
    jpeg = video_jpegs(320, 240)[1]
    seq = await client.send("old", jpeg)
    assert seq is not None
    pose = await pose_for(client, "old", seq)
    assert "granted" not in pose.data


async def test_a_frame_refused_at_the_edge_is_granted_back() -> None:
    """A frame the rate limit refuses leaves the slot too: its credit comes back."""
    # A bucket of two that refills every 10 s: the third frame is refused however slow
    # the engine is between the credits.
    live = LiveServer(Settings(environment="test", max_fps=0.1)).start()
    try:
        async with PoseClient(live.url, live.token) as client:
            await client.start("slow", credits=True)
            credits = client.credits["slow"]
            credits.stall_s = 60.0
            jpeg = video_jpegs(320, 240)[2]
            for _ in range(3):  # the bucket holds two; the third is refused
                await asyncio.wait_for(credits.wait(), 30)
                await client.send("slow", jpeg)
                credits.spend()
            error = await next_event(client, "error")
            assert error.data["code"] == "RATE_LIMITED"
            await asyncio.wait_for(credits.wait(), 30)
            assert credits.granted == 4
    finally:
        live.stop()
