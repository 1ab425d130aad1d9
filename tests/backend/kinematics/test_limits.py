"""Limits hold on any input: fuzzed, degenerate and adversarial landmarks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from posestudio.kinematics import quaternions as q
from posestudio.kinematics.limits import TABLE, clamp
from posestudio.kinematics.skeleton import BONE, BONES
from posestudio.kinematics.stage import KinematicsStage
from posestudio.kinematics.tracker import SkeletonPose, SkeletonTracker, TrackerConfig
from posestudio.protocol import LANDMARK_INDEX
from tests.utils.bodies import body_measures, identity_pose, landmarks, random_pose, rot

EX, EY, EZ = np.eye(3)
anything = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-2, 2),
    st.just(0.0),
)


def assert_sane(pose: SkeletonPose) -> None:
    assert np.isfinite(pose.rotations).all() and np.isfinite(pose.root).all()
    assert np.allclose(np.linalg.norm(pose.rotations, axis=1), 1, atol=1e-9)
    assert np.isfinite(pose.measures).all() and np.isfinite(pose.scale)
    _, hit = clamp(pose.rotations[None])
    assert not hit.any(), [BONES[i] for i in np.flatnonzero(hit[0])]


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (4, 33, 5), elements=anything))
def test_fuzzed_landmarks_give_finite_rotations_within_the_limits(frames: np.ndarray) -> None:
    tracker = SkeletonTracker()
    for i, world in enumerate(frames):
        assert_sane(tracker.update(world, i / 30))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (16, 4), elements=st.floats(-1, 1)))
def test_clamped_rotations_stay_clamped(raw: np.ndarray) -> None:
    rotations = np.tile(q.IDENTITY, (len(BONES), 1))
    rotations[: len(raw)] = q.normalize(raw)
    once, _ = clamp(rotations[None])
    twice, hit = clamp(once)
    assert not hit.any()
    assert np.allclose(once, twice, atol=1e-9)


def adversarial() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    good = landmarks(random_pose(rng), body_measures())
    collapsed = good.copy()
    for side in ("left", "right"):
        for part in ("elbow", "wrist", "index", "pinky", "thumb", "knee", "ankle"):
            collapsed[LANDMARK_INDEX[f"{side}_{part}"]] = collapsed[LANDMARK_INDEX[f"{side}_hip"]]
    mirrored = good.copy()
    mirrored[:, 0] *= -1
    swapped = good.copy()
    for i in range(11, 33, 2):  # left and right labels exchanged
        swapped[[i, i + 1]] = swapped[[i + 1, i]]
    nan = good.copy()
    nan[LANDMARK_INDEX["left_elbow"], :3] = np.nan
    return {
        "zeros": np.zeros((33, 5)),
        "nan": np.full((33, 5), np.nan),
        "inf": np.full((33, 5), np.inf),
        "one point": np.tile([0.1, 0.2, 0.3, 1.0, 1.0], (33, 1)),
        "collapsed limbs": collapsed,
        "mirrored": mirrored,
        "left and right swapped": swapped,
        "one nan landmark": nan,
        "huge": good * 1e12,
    }


def test_adversarial_landmarks_give_finite_rotations_within_the_limits() -> None:
    for name, world in adversarial().items():
        tracker = SkeletonTracker()
        for i in range(3):
            pose = tracker.update(world, i / 30)
            assert_sane(pose)
        assert np.isfinite(tracker.clamps).all(), name


def test_the_stage_survives_adversarial_frames_and_recovers() -> None:
    stage = KinematicsStage()
    rng = np.random.default_rng(4)
    for i, world in enumerate(
        [*adversarial().values(), landmarks(random_pose(rng), body_measures())]
    ):
        skeleton = stage.solve(world, i / 30)
        assert skeleton is not None
        assert np.isfinite(np.array(skeleton["rotations"])).all()


def bent(bone: str, rotation: np.ndarray) -> np.ndarray:
    pose = identity_pose()
    pose[BONE["leftUpperArm"]] = rot(EZ, -60)
    pose[BONE["rightUpperArm"]] = rot(EZ, 60)
    pose[BONE["leftLowerArm"]] = rot(-EY, 40)
    pose[BONE["rightLowerArm"]] = rot(EY, 40)
    pose[BONE["leftLowerLeg"]] = pose[BONE["rightLowerLeg"]] = rot(EX, 30)
    pose[BONE[bone]] = rotation
    return landmarks(pose, body_measures())


def flexion_deg(rotation: np.ndarray, bone: str) -> float:
    swing, _ = q.swing_twist(rotation, TABLE.axis[BONE[bone]])
    return float(np.degrees(np.dot(swing, TABLE.hinge[BONE[bone]])))


def test_a_knee_bent_backwards_is_clamped_straight_and_counted() -> None:
    tracker = SkeletonTracker(TrackerConfig(filter=None))
    pose = tracker.update(bent("leftLowerLeg", rot(EX, -40)), 0.0)
    knee = BONE["leftLowerLeg"]
    assert tracker.clamps[knee] == 1 and pose.clamped[knee]
    assert flexion_deg(pose.rotations[knee], "leftLowerLeg") >= -1e-6
    assert flexion_deg(pose.rotations[BONE["rightLowerLeg"]], "rightLowerLeg") > 29


def test_an_elbow_bent_backwards_and_a_head_turned_round_are_clamped() -> None:
    tracker = SkeletonTracker(TrackerConfig(filter=None))
    pose = tracker.update(bent("rightLowerArm", rot(EY, -50)), 0.0)
    assert pose.clamped[BONE["rightLowerArm"]] or pose.clamped[BONE["rightUpperArm"]]
    assert flexion_deg(pose.rotations[BONE["rightLowerArm"]], "rightLowerArm") >= -1e-6
    pose = tracker.update(bent("head", rot(EY, 170)), 0.1)
    assert pose.clamped[BONE["head"]]
    assert abs(np.degrees(q.twist_angle(pose.rotations[BONE["head"]], EY))) <= 80 + 1e-6
