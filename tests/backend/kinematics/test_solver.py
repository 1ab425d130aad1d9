"""The solver on synthetic full-body poses built from known rotations."""

from __future__ import annotations

import numpy as np

from posestudio.kinematics import forward, solve
from posestudio.kinematics import quaternions as q
from posestudio.kinematics.limits import clamp
from posestudio.kinematics.skeleton import (
    BONES,
    JOINT,
    LANDMARK_JOINTS,
    landmark_joints,
    offsets,
    to_y_up,
)
from posestudio.kinematics.tracker import SkeletonTracker, TrackerConfig
from tests.utils.bodies import body_measures, identity_pose, landmarks, posed

MAPPED = [JOINT[j] for j in LANDMARK_JOINTS]


def test_the_known_rotations_are_recovered() -> None:
    truth, world = posed(200)
    assert not clamp(truth)[1].any(), "the synthetic poses lie within the limits"
    solution = solve(world)
    error = np.degrees(q.angle(q.mul(q.conj(truth), solution.local)))
    worst = dict(zip(BONES, error.max(axis=0).round(6), strict=True))
    assert error.max() < 1e-4, worst


def test_forward_kinematics_lands_on_the_landmarks() -> None:
    _, world = posed(100, seed=3)
    solution = solve(world)
    _, joints = forward(solution.local, solution.root, offsets(body_measures(1.1)))
    expected = landmark_joints(to_y_up(world))
    assert np.abs(joints[:, MAPPED] - expected[:, MAPPED]).max() < 1e-9
    assert np.allclose(solution.measures, body_measures(1.1), atol=1e-9)


def test_the_rest_pose_is_identity_and_faces_the_camera() -> None:
    world = landmarks(identity_pose(), body_measures())
    solution = solve(world[None])
    assert np.allclose(solution.local, q.IDENTITY, atol=1e-9)
    # BlazePose: the person's left is +x, up is -y, the camera is at -z.
    left, right = world[11, :3], world[12, :3]
    assert left[0] > right[0] and world[0, 1] < world[23, 1] and world[0, 2] < 0


def test_many_frames_at_once_equal_one_at_a_time() -> None:
    _, world = posed(20, seed=5)
    together = solve(world)
    apart = np.concatenate([solve(w[None]).local for w in world])
    assert np.allclose(together.local, apart, atol=1e-12)


def test_tracked_full_body_keeps_constant_lengths_and_follows_the_landmarks() -> None:
    _, world = posed(90, seed=11)
    tracker = SkeletonTracker(TrackerConfig(filter=None, samples=30))
    outputs = [tracker.update(w, i / 30) for i, w in enumerate(world)]
    measures = np.stack([o.measures for o in outputs])
    assert (measures[30:] == measures[30]).all()
    assert np.allclose(measures[30], body_measures(1.1), atol=1e-9)
    rotations = np.stack([o.rotations for o in outputs])
    _, joints = forward(rotations, np.stack([o.root for o in outputs]), offsets(measures[30]))
    expected = landmark_joints(to_y_up(world))
    rms = np.sqrt(np.mean(np.sum((joints[30:, MAPPED] - expected[30:, MAPPED]) ** 2, axis=-1)))
    assert rms < 1e-6
    assert tracker.clamps.sum() == 0
