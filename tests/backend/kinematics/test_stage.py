"""The kinematics stage on results shaped like pipeline.PoseResult."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from posestudio.kinematics import BONES, CalibrationResult, KinematicsStage
from posestudio.kinematics import quaternions as q
from posestudio.kinematics.limits import TABLE
from posestudio.kinematics.wire import BONE_NAMES
from posestudio.protocol import Person
from tests.utils.bodies import t_pose


@dataclass
class Meta:
    seq: int
    capture_ts: float  # milliseconds


@dataclass
class Result:
    meta: Meta
    persons: list[Person]
    extras: dict[str, Any] = field(default_factory=dict)


def result(world: np.ndarray | None, seq: int, fps: float = 30.0) -> Result:
    persons = [] if world is None else [Person(0.9, world.copy(), world)]
    return Result(Meta(seq, seq * 1000.0 / fps), persons)


def test_each_pose_of_the_video_gets_a_skeleton(video_world: np.ndarray) -> None:
    stage = KinematicsStage()
    assert stage.name == "kinematics" and len(BONE_NAMES) == len(BONES) == 21
    assert BONE_NAMES[:5] == ["hips", "spine", "chest", "neck", "head"]
    for seq, world in enumerate(video_world):
        out = stage(result(world, seq, fps=29.97))
        skeleton = json.loads(json.dumps(out.extras["skeleton"]))
        assert set(skeleton) == {"rotations", "root", "scale", "calibrated"}
        rotations = np.array(skeleton["rotations"])
        assert rotations.shape == (len(BONES), 4)
        assert np.allclose(np.linalg.norm(rotations, axis=1), 1, atol=1e-4)
        assert np.abs(skeleton["root"]).max() < 0.1  # BlazePose's world is hip-centred
        assert skeleton["calibrated"] is False and 0.5 < skeleton["scale"] < 1.5
    assert len(json.dumps(skeleton)) < 1500


def test_no_person_no_skeleton() -> None:
    out = KinematicsStage()(result(None, 0))
    assert "skeleton" not in out.extras


def test_calibration_through_the_stage() -> None:
    stage = KinematicsStage(calibration_s=2.0)
    verdicts: list[CalibrationResult] = []
    stage.start_calibration(verdicts.append)
    frames = t_pose(np.random.default_rng(5), 70)
    skeletons = [stage(result(w, i)).extras["skeleton"] for i, w in enumerate(frames)]
    (verdict,) = verdicts
    assert verdict.accepted and verdict.frames == 61  # 0 s to 2 s inclusive at 30 fps
    assert stage.calibrations == 1
    assert not skeletons[59]["calibrated"] and skeletons[61]["calibrated"]
    # Calibrated on a T-pose: the T-pose is the rest pose (every bone along its rest
    # axis; a straight limb's twist about itself is what the landmarks cannot tell).
    swing, _ = q.swing_twist(np.array(skeletons[-1]["rotations"]), TABLE.axis)
    assert np.degrees(np.linalg.norm(swing, axis=1)).max() < 6  # 4 mm of jitter on 8 cm hands


def test_a_refused_calibration_changes_nothing(video_world: np.ndarray) -> None:
    stage = KinematicsStage(calibration_s=1.0)
    verdicts: list[CalibrationResult] = []
    stage.start_calibration(verdicts.append)
    for seq, world in enumerate(video_world[:40]):
        skeleton = stage(result(world, seq)).extras["skeleton"]
    (verdict,) = verdicts
    assert not verdict.accepted and verdict.reasons
    assert skeleton["calibrated"] is False and not stage.tracker.measures.calibrated
