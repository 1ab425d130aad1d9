"""The solver on the real video: a seated person talking, seen from the chest up.

BlazePose sees the head and both shoulders in every frame (visibility ~1); the elbows
barely (~0.3) and the wrists, hands, hips and legs not at all (its world landmarks
there are guesses). What the video gives is tested here; the full body is tested on
synthetic poses in test_solver.py.
"""

from __future__ import annotations

import numpy as np

from posestudio.kinematics import calibrate, forward, solve
from posestudio.kinematics.lengths import robust_measures
from posestudio.kinematics.limits import clamp
from posestudio.kinematics.skeleton import (
    BONE,
    BONES,
    JOINT,
    JOINT_PARENT,
    landmark_joints,
    offsets,
    to_y_up,
)
from posestudio.kinematics.tracker import SkeletonTracker, TrackerConfig

SEEN_BONES = ["hips", "spine", "chest", "neck", "head", "leftShoulder", "rightShoulder"]
SEEN_JOINTS = ["hips", "neck", "head", "nose", "leftUpperArm", "rightUpperArm"]
UPPER_BODY = [*SEEN_JOINTS, "leftLowerArm", "rightLowerArm", "leftHand", "rightHand"]


def chain(joint: str) -> list[int]:
    """The bones whose rotations place a joint."""
    bones, j = [], JOINT_PARENT[JOINT[joint]]
    while j >= 0:
        bones.append(int(j))
        j = JOINT_PARENT[j]
    return bones


def rms_cm(world: np.ndarray, joints: list[str], threshold: float) -> tuple[float, int]:
    """FK of the solved rotations with constant measures against the landmarks, over the
    joints and frames whose chain of bones was not clamped; also how many were left out."""
    solution = solve(world)
    measures, _ = robust_measures(solution.measures, solution.measure_confidence, threshold)
    clamped, hit = clamp(solution.local)
    _, fk = forward(clamped, solution.root, offsets(measures))
    expected = landmark_joints(to_y_up(world))
    errors, left_out = [], 0
    for joint in joints:
        free = ~hit[:, chain(joint)].any(axis=1)
        left_out += int((~free).sum())
        errors.append(np.linalg.norm(fk[free, JOINT[joint]] - expected[free, JOINT[joint]], axis=1))
    return float(np.sqrt(np.mean(np.concatenate(errors) ** 2)) * 100), left_out


def test_what_the_video_shows(video_world: np.ndarray) -> None:
    confidence = np.median(solve(video_world).confidence, axis=0)
    seen = {b for b in BONES if confidence[BONE[b]] >= 0.5}
    assert seen == set(SEEN_BONES)


def test_forward_kinematics_reproduces_the_seen_joints_within_2_cm(
    video_world: np.ndarray,
) -> None:
    rms, left_out = rms_cm(video_world, SEEN_JOINTS, threshold=0.5)
    print(f"seen joints: {rms:.2f} cm RMS, {left_out} joint-frames clamped")
    assert left_out == 0
    assert rms < 2.0


def test_the_upper_body_with_blazeposes_guesses_is_reproduced_within_2_cm(
    video_world: np.ndarray,
) -> None:
    # Elbows and wrists are barely seen; taken as they are (threshold 0), their
    # constant lengths still put the arms' joints back where BlazePose guessed them.
    rms, left_out = rms_cm(video_world, UPPER_BODY, threshold=0.0)
    print(f"upper body incl. elbows and wrists: {rms:.2f} cm RMS, {left_out} clamped")
    assert left_out < len(video_world)
    assert rms < 2.0


def test_bone_lengths_are_identical_across_frames(
    video_world: np.ndarray, video_times: np.ndarray
) -> None:
    tracker = SkeletonTracker(TrackerConfig(samples=30))
    poses = [tracker.update(w, t) for w, t in zip(video_world, video_times, strict=True)]
    measures = np.stack([p.measures for p in poses])
    changes = np.flatnonzero((measures[1:] != measures[:-1]).any(axis=1)) + 1
    # The seen measures lock after 30 good frames; nothing changes after that.
    assert len(changes) > 0 and changes.max() <= 30
    rotations = np.stack([p.rotations for p in poses])
    roots = np.stack([p.root for p in poses])
    _, fk = forward(rotations, roots, offsets(measures[-1]))
    bone = fk[:, 1:] - fk[:, JOINT_PARENT[1:]]
    lengths = np.linalg.norm(bone, axis=-1)
    assert np.ptp(lengths[30:], axis=0).max() < 1e-9
    assert np.isfinite(rotations).all() and not tracker.measures.calibrated


def test_calibration_refuses_the_seated_person(video_world: np.ndarray) -> None:
    result = calibrate(video_world[:60])
    assert not result.accepted
    assert {"not_visible", "arms_not_level", "not_standing"} <= set(result.reasons)
    assert result.measures is None
    wire = result.to_wire()
    assert wire["accepted"] is False and wire["frames"] == 60
    assert all(r["message"] for r in wire["reasons"])
    assert wire["measured"]["arm_elevation_deg"] > 20
