"""The recorder's side of the event loop: what a recording holds for its writer.

Frames that came as video (WebRTC) are kept as decoded images for the writer to encode;
those are large, so a writer that falls behind must not let them grow without bound."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import numpy as np

from posestudio.history import PoseHistory
from posestudio.pipeline.frames import FrameMeta
from posestudio.pipeline.ratelimit import TokenBucket
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.sinks import SinkSet
from posestudio.pipeline.stream import Stream, new_stream_key
from posestudio.protocol import StartRequest
from posestudio.sessions import recorder
from posestudio.sessions.recorder import SessionRecording, StreamRecording
from posestudio_core.auth import Principal


async def _nowhere(event: str, payload: dict[str, Any]) -> None:
    """The owner's channel (nothing is sent to it here)."""


def recording(video: bool) -> StreamRecording:
    stream = Stream(
        id=new_stream_key(),
        name="cam",
        owner=Principal(subject="user:alice", role="operator"),
        connection="sid",
        engine_name="mediapipe",
        options=StartRequest(stream_id="cam"),
        channel=_nowhere,
        bucket=TokenBucket(rate=30.0, capacity=30.0),
        history=PoseHistory(10.0, 300),
        sinks=SinkSet(),
    )
    session = SessionRecording(
        id="se_test",
        owner="user:alice",
        video=video,
        started_at=datetime.now(UTC),
        started_wall=time.time(),
        quota_base=0,
        channel=None,
    )
    return StreamRecording(session, stream, row_id=1)


def video_frame(stream: Stream, seq: int, rgb: np.ndarray) -> PoseResult:
    """A frame that came as video: an image, no JPEG."""
    height, width = rgb.shape[:2]
    return PoseResult(
        stream=stream,
        meta=FrameMeta(seq=seq, capture_ts=1000.0 + seq),
        received=time.monotonic(),
        image=(width, height),
        persons=[],
        rgb=rgb,
    )


def test_decoded_images_held_for_the_writer_are_bounded_and_poses_are_kept(
    monkeypatch: Any,
) -> None:
    image = np.zeros((240, 320, 3), np.uint8)
    monkeypatch.setattr(recorder, "PENDING_RGB_BYTES", 3 * image.nbytes)
    rec = recording(video=True)
    for seq in range(5):
        rec.append(video_frame(rec.stream, seq, image))
    taken = rec.take()
    # Every pose is kept; the pictures stop at the bound, and the skipped ones are counted.
    assert [p.seq for p in taken] == list(range(5))
    assert [p.rgb is not None for p in taken] == [True, True, True, False, False]
    assert rec.video_skipped == 2
    # Once the writer has taken them, pictures are kept again.
    rec.append(video_frame(rec.stream, 5, image))
    assert rec.take()[0].rgb is image


def test_a_pose_only_recording_holds_no_image() -> None:
    rec = recording(video=False)
    rec.append(video_frame(rec.stream, 0, np.zeros((8, 8, 3), np.uint8)))
    (pending,) = rec.take()
    assert pending.rgb is None and pending.jpeg is None
    assert rec.video_skipped == 0
