"""The body model over a real server: `bones` in the ack, `skeleton` and `hands` in the
poses (validated against the wire models), `calibrate` refused on the real video's
seated person, and the body metrics at scrape time."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from posestudio.client import PoseClient, PoseClientError
from posestudio.hands.stage import HandsStage
from posestudio.imaging import encode_jpeg
from posestudio.kinematics.wire import BONE_NAMES
from posestudio.protocol import ErrorCode, PoseMessage, StartAck
from posestudio.protocol.body import CalibrationAck
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.hands import hand_frames
from tests.utils.server import LiveServer


def metric(server: LiveServer, name: str, **labels: str) -> float:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    raise AssertionError(f"no sample {name}{labels}")


async def test_a_kinematics_stream_gets_bones_once_and_a_skeleton_per_pose(
    client: PoseClient,
) -> None:
    ack = StartAck.model_validate(await client.start("body", kinematics=True))
    assert ack.bones == BONE_NAMES and len(BONE_NAMES) == 21
    plain = StartAck.model_validate(await client.start("plain"))
    assert plain.bones is None
    for jpeg in video_jpegs(320, 240)[:5]:
        pose = PoseMessage.model_validate((await send_and_wait(client, "body", jpeg)).data)
        assert pose.persons and pose.skeleton is not None and pose.hands is None
        assert len(pose.skeleton.rotations) == 21 and not pose.skeleton.calibrated
        other = await send_and_wait(client, "plain", jpeg)
        assert "skeleton" not in other.data and "hands" not in other.data


async def test_calibrate_is_refused_on_the_seated_person(
    server: LiveServer, client: PoseClient
) -> None:
    refused_before = metric(server, "pose_kinematics_calibrations_total", result="refused")
    await client.start("seated", kinematics=True)
    verdict = asyncio.create_task(client.calibrate("seated"))
    frames = itertools.cycle(video_jpegs(320, 240))
    for _ in range(2000):  # until the verdict (about 2 s of frames)
        if verdict.done():
            break
        await send_and_wait(client, "seated", next(frames))
    ack = CalibrationAck.model_validate(await verdict)
    assert not ack.accepted and ack.stream_id == "seated" and ack.frames >= 10
    codes = {reason.code for reason in ack.reasons}
    assert {"not_visible", "arms_not_level", "not_standing"} <= codes
    assert ack.measured["leg_tilt_deg"] > 25  # seated: the thighs are far from vertical
    after = PoseMessage.model_validate((await send_and_wait(client, "seated", next(frames))).data)
    assert after.skeleton is not None and not after.skeleton.calibrated
    refused = metric(server, "pose_kinematics_calibrations_total", result="refused")
    assert refused == refused_before + 1
    for group in ("torso", "head", "arms", "hands", "legs", "feet"):
        assert metric(server, "pose_kinematics_clamps_total", group=group) >= 0


async def test_calibrate_refusals(client: PoseClient) -> None:
    await client.start("no-body")
    with pytest.raises(PoseClientError) as refused:
        await client.calibrate("no-body")
    assert refused.value.error["code"] == ErrorCode.BAD_REQUEST
    with pytest.raises(PoseClientError) as refused:
        await client.calibrate("not-started")
    assert refused.value.error["code"] == ErrorCode.UNKNOWN_STREAM
    with pytest.raises(PoseClientError) as refused:
        await client.calibrate("bad id!")
    assert refused.value.error["code"] == ErrorCode.BAD_REQUEST


async def test_a_hands_stream_gets_the_hands_in_view(
    server: LiveServer, client: PoseClient
) -> None:
    found_before = metric(server, "pose_hands_found_total", side="right")
    await client.start("hands", hands=True)
    assert server.runtime is not None
    (stream,) = [s for s in server.runtime.manager.all_streams() if s.name == "hands"]
    (stage,) = [stage for stage in stream.stages if isinstance(stage, HandsStage)]
    poses = []
    for rgb in hand_frames():
        message = await send_and_wait(client, "hands", encode_jpeg(rgb, 95))
        poses.append(PoseMessage.model_validate(message.data))
    hands = [hand for pose in poses if pose.persons for hand in pose.hands or []]
    assert len(hands) >= 4
    for hand in hands:
        assert hand.side == "right" and len(hand.landmarks) == 21
        assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y, _, _ in hand.landmarks)
        assert 0 <= hand.score <= 1
    assert all(pose.skeleton is None for pose in poses)
    assert metric(server, "pose_hands_found_total", side="right") == found_before + len(hands)
    assert stage.graph is not None
    await client.stop("hands")
    assert stage.graph is None, "the stream's end closed the hands' graph"
