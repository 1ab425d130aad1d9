"""T-pose calibration on synthetic people: accepted, and refused for each failed check."""

from __future__ import annotations

import numpy as np

from posestudio.kinematics import calibrate
from posestudio.kinematics import quaternions as q
from posestudio.kinematics.skeleton import BONE, LENGTHS, MEASURE
from posestudio.kinematics.solver import DEFAULT_HEAD_PITCH
from posestudio.kinematics.tracker import SkeletonTracker
from tests.utils.bodies import body_measures, identity_pose, landmarks, rot, t_pose

EX, EY, EZ = np.eye(3)


def held(pose: np.ndarray, frames: int = 60, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = landmarks(q.positive(pose), body_measures())
    out = np.repeat(base[None], frames, axis=0)
    out[:, :, :3] += rng.normal(scale=0.004, size=out[:, :, :3].shape)
    return out


def test_a_t_pose_is_accepted_and_measured() -> None:
    result = calibrate(t_pose(np.random.default_rng(1), 60))
    assert result.accepted, result.reasons
    assert result.measures is not None and result.head_pitch is not None
    lengths = result.measures[: len(LENGTHS)]
    assert np.abs(lengths - body_measures()[: len(LENGTHS)]).max() < 0.005
    assert abs(result.head_pitch - DEFAULT_HEAD_PITCH) < np.radians(3)
    wire = result.to_wire()
    assert wire["accepted"] and wire["reasons"] == []
    assert abs(wire["measured"]["leftUpperArm"] - body_measures()[MEASURE["leftUpperArm"]]) < 0.005
    assert abs(wire["measured"]["scale"] - 1.0) < 0.02
    tracker = SkeletonTracker()
    tracker.calibrate(result)
    pose = tracker.update(t_pose(np.random.default_rng(2), 1)[0], 0.0)
    assert pose.calibrated and np.array_equal(pose.measures, result.measures)


def arms(upper_left: np.ndarray, lower_left: np.ndarray | None = None) -> np.ndarray:
    """A standing pose with both arms placed alike (the right one mirrored)."""
    pose = identity_pose()
    mirror = np.array([1.0, -1.0, -1.0, 1.0])  # the same rotation seen in a mirror (x -> -x)
    pose[BONE["leftUpperArm"]], pose[BONE["rightUpperArm"]] = upper_left, upper_left * mirror
    if lower_left is not None:
        pose[BONE["leftLowerArm"]], pose[BONE["rightLowerArm"]] = lower_left, lower_left * mirror
    return pose


def test_each_failed_check_is_a_reason() -> None:
    cases = {
        "arms_not_level": arms(rot(EZ, -60)),
        "arms_bent": arms(q.IDENTITY, rot(-EY, 50)),
        "arms_not_out": arms(rot(-EY, 80)),
    }
    sitting = identity_pose()
    sitting[BONE["leftUpperLeg"]] = sitting[BONE["rightUpperLeg"]] = rot(-EX, 90)
    sitting[BONE["leftLowerLeg"]] = sitting[BONE["rightLowerLeg"]] = rot(EX, 90)
    cases["not_standing"] = sitting
    for reason, pose in cases.items():
        result = calibrate(held(pose))
        assert not result.accepted and reason in result.reasons, (reason, result.reasons)


def test_unseen_limbs_and_too_few_frames_are_refused() -> None:
    frames = t_pose(np.random.default_rng(3), 60)
    frames[:, 27:29, 3] = 0.1  # ankles not seen
    assert calibrate(frames).reasons == ("not_visible",)
    assert calibrate(frames[:3]).reasons == ("too_few_frames",)
    assert calibrate(np.zeros((0, 33, 5))).reasons == ("too_few_frames",)
    assert not calibrate(np.full((30, 33, 5), np.nan)).accepted
