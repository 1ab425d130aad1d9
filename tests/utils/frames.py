"""Frames of the real person video, as JPEG, and helpers to await poses."""

from __future__ import annotations

import time
from functools import cache

from posestudio.client import Message, PoseClient
from posestudio.client.sources import read_frames, test_video_path
from posestudio.imaging import encode_jpeg


@cache
def video_jpegs(width: int, height: int, quality: int = 70) -> tuple[bytes, ...]:
    """All 120 frames of carphone_pristine.mp4, upscaled to width x height."""
    return tuple(
        encode_jpeg(rgb, quality) for rgb in read_frames(test_video_path(), size=(width, height))
    )


async def next_event(client: PoseClient, event: str, timeout: float = 30.0) -> Message:
    """The next message of one kind, skipping the others."""
    deadline = time.monotonic() + timeout
    while True:
        message = await client.next(max(0.01, deadline - time.monotonic()))
        if message.event == event:
            return message


async def pose_for(client: PoseClient, stream_id: str, seq: int, timeout: float = 30.0) -> Message:
    """Wait for the pose answering `seq` on `stream_id`; errors fail the wait."""
    deadline = time.monotonic() + timeout
    while True:
        message = await client.next(max(0.01, deadline - time.monotonic()))
        if message.event == "error":
            raise AssertionError(f"unexpected error: {message.data}")
        if message.data["stream_id"] == stream_id and message.data["seq"] == seq:
            return message


async def send_and_wait(
    client: PoseClient, stream_id: str, jpeg: bytes, timeout: float = 30.0
) -> Message:
    seq = await client.send(stream_id, jpeg)
    assert seq is not None, "the client is not connected"
    return await pose_for(client, stream_id, seq, timeout)
