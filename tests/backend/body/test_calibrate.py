"""`calibrate` at the stage level: a synthetic T-pose streamed through a stream's stage
while the handler waits on the event loop; the verdict, the stored calibration, refusals."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import numpy as np
import pytest

from posestudio.body.calibrate import calibrate_stream
from posestudio.body.stages import StreamKinematics, kinematics_of
from posestudio.body.stats import BodyStats
from posestudio.errors import BadRequest, Conflict, Forbidden
from posestudio.history import PoseHistory
from posestudio.pipeline.frames import FrameMeta
from posestudio.pipeline.ratelimit import TokenBucket
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.sinks import SinkSet
from posestudio.pipeline.stream import Stream, new_stream_key
from posestudio.protocol import Person, StartRequest
from posestudio.protocol.body import CalibrationAck
from posestudio_core.auth import Principal
from tests.utils.bodies import t_pose

OWNER = Principal(subject="user:alice", role="operator")


async def _nowhere(event: str, payload: dict[str, Any]) -> None:
    """The owner's channel (nothing is sent to it here)."""


def make_stream(kinematics: bool = True, calibration_s: float = 1.0) -> Stream:
    stream = Stream(
        id=new_stream_key(),
        name="cam",
        owner=OWNER,
        connection="sid",
        engine_name="mediapipe",
        options=StartRequest(stream_id="cam", kinematics=kinematics),
        channel=_nowhere,
        bucket=TokenBucket(rate=30.0, capacity=30.0),
        history=PoseHistory(10.0, 300),
        sinks=SinkSet(),
    )
    if kinematics:
        stream.stages = [StreamKinematics(BodyStats(), calibration_s)]
    return stream


def feed(stream: Stream, frames: np.ndarray, stop: threading.Event) -> None:
    """What the worker thread does: frame after frame through the stream's stages (the
    same held pose over and over) until told to stop."""
    for seq in range(100_000):
        if stop.is_set():
            return
        world = frames[seq % len(frames)]
        result = PoseResult(
            stream=stream,
            meta=FrameMeta(seq=seq, capture_ts=seq * 1000.0 / 30),
            received=0.0,
            image=(640, 480),
            persons=[Person(0.9, world.copy(), world)],
        )
        for stage in stream.stages:
            result = stage(result)


async def calibrate_while_streaming(stream: Stream, frames: np.ndarray, stats: BodyStats) -> Any:
    stop = threading.Event()
    worker = threading.Thread(target=feed, args=(stream, frames, stop))
    worker.start()
    try:
        return await calibrate_stream(OWNER, stream, stats)
    finally:
        stop.set()
        await asyncio.to_thread(worker.join)


async def test_a_synthetic_t_pose_is_accepted_and_stored_for_the_stream() -> None:
    stream, stats = make_stream(), BodyStats()
    ack = await calibrate_while_streaming(stream, t_pose(np.random.default_rng(3), 90), stats)
    verdict = CalibrationAck.model_validate(ack)
    assert verdict.accepted and verdict.reasons == [] and verdict.stream_id == "cam"
    assert verdict.frames in (31, 32)  # 1 s at 30 fps (inclusive; float rounding of the clock)
    assert 0.9 < verdict.measured["scale"] < 1.1 and verdict.measured["leftUpperArm"] > 0.2
    stage = kinematics_of(stream)
    assert stage is not None and stage.tracker.measures.calibrated
    assert stats.snapshot()[1] == {"accepted": 1, "refused": 0}


async def test_refusals_before_any_frame() -> None:
    stats = BodyStats()
    with pytest.raises(BadRequest, match="kinematics"):
        await calibrate_stream(OWNER, make_stream(kinematics=False), stats)
    someone_else = Principal(subject="user:bob", role="operator")
    with pytest.raises(Forbidden):
        await calibrate_stream(someone_else, make_stream(), stats)
    viewer = Principal(subject="user:alice", role="viewer", scopes=frozenset({"stream.watch"}))
    with pytest.raises(Forbidden):
        await calibrate_stream(viewer, make_stream(), stats)
    stream = make_stream()
    stage = kinematics_of(stream)
    assert stage is not None
    stage.start_calibration()
    with pytest.raises(Conflict):
        await calibrate_stream(OWNER, stream, stats)
    assert stats.snapshot()[1] == {"accepted": 0, "refused": 0}
