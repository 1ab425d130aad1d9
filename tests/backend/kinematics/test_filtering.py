"""The rotation filter and the visibility hold."""

from __future__ import annotations

import numpy as np

from posestudio.kinematics import quaternions as q
from posestudio.kinematics.filtering import FilterConfig, RotationFilter, VisibilityHold
from posestudio.kinematics.skeleton import BONE, NUM_BONES, relaxed_pose
from posestudio.kinematics.tracker import SkeletonTracker, TrackerConfig
from posestudio.protocol import LANDMARK_INDEX
from tests.utils.bodies import body_measures, identity_pose, landmarks, rot

EX, EY, EZ = np.eye(3)


def jittered(rng: np.random.Generator, base: np.ndarray, degrees: float) -> np.ndarray:
    noise = q.from_rotvec(rng.normal(scale=np.radians(degrees), size=(len(base), 3)))
    return q.mul(base, noise)


def test_the_filter_cuts_jitter_on_a_still_pose() -> None:
    rng = np.random.default_rng(1)
    base = q.normalize(rng.normal(size=(NUM_BONES, 4)))
    smooth = RotationFilter(FilterConfig())
    raw_error, filtered_error = [], []
    for i in range(120):
        noisy = jittered(rng, base, 2.0)
        out = smooth(noisy, i / 30)
        if i >= 30:
            raw_error.append(q.angle(q.mul(q.conj(base), noisy)))
            filtered_error.append(q.angle(q.mul(q.conj(base), out)))
    assert np.mean(filtered_error) < 0.5 * np.mean(raw_error)


def test_the_filter_follows_a_turn_and_stays_unit() -> None:
    smooth = RotationFilter(FilterConfig())
    start = np.tile(q.IDENTITY, (NUM_BONES, 1))
    end = np.tile(rot(EY, 90), (NUM_BONES, 1))
    smooth(start, 0.0)
    outputs = [smooth(end, (i + 1) / 30) for i in range(30)]
    assert q.angle(q.mul(q.conj(end), outputs[0])).min() > np.radians(10)  # it lags
    assert np.degrees(q.angle(q.mul(q.conj(end), outputs[-1]))).max() < 1.0
    assert np.allclose(np.linalg.norm(outputs[-1], axis=1), 1)


def test_a_clock_going_back_restarts_the_filter() -> None:
    smooth = RotationFilter(FilterConfig())
    smooth(np.tile(q.IDENTITY, (NUM_BONES, 1)), 10.0)
    turned = np.tile(rot(EX, 45), (NUM_BONES, 1))
    assert np.allclose(smooth(turned, 1.0), turned)


def test_an_unseen_bone_holds_then_eases_to_the_relaxed_pose() -> None:
    rest = relaxed_pose()
    hold = VisibilityHold(rest, threshold=0.5, hold_s=0.5, ease_s=1.0)
    bone = BONE["leftUpperArm"]
    good = np.tile(q.IDENTITY, (NUM_BONES, 1))
    good[bone] = rot(EZ, 30)
    seen, unseen = np.ones(NUM_BONES), np.ones(NUM_BONES)
    unseen[bone] = 0.0
    hold(good, seen, 0.0)
    flailing = good.copy()
    flailing[bone] = rot(EX, 170)
    held, which = hold(flailing, unseen, 0.3)
    assert which[bone] and which.sum() == 1
    assert np.allclose(held[bone], good[bone])
    half_way, _ = hold(flailing, unseen, 1.5)
    to_rest = q.angle(q.mul(q.conj(rest[bone]), half_way[bone]))
    assert 0 < to_rest < q.angle(q.mul(q.conj(rest[bone]), good[bone]))
    late, _ = hold(flailing, unseen, 8.0)
    assert np.degrees(q.angle(q.mul(q.conj(rest[bone]), late[bone]))) < 0.1


def test_a_bone_never_seen_is_at_rest_and_the_tracker_holds_unseen_arms() -> None:
    tracker = SkeletonTracker(TrackerConfig(filter=None))
    pose = identity_pose()
    pose[BONE["leftLowerArm"]] = rot(-EY, 60)
    world = landmarks(pose, body_measures())
    first = tracker.update(world, 0.0)
    assert not first.held.any()
    hidden = world.copy()
    hidden[LANDMARK_INDEX["left_wrist"], 3] = 0.1
    hidden[LANDMARK_INDEX["left_wrist"], :3] = [5.0, 5.0, 5.0]  # a wild guess
    later = tracker.update(hidden, 0.2)
    assert later.held[BONE["leftLowerArm"]] and later.held[BONE["leftHand"]]
    assert np.allclose(later.rotations[BONE["leftLowerArm"]], first.rotations[BONE["leftLowerArm"]])
    fresh = SkeletonTracker(TrackerConfig(filter=None)).update(hidden, 0.0)
    assert np.allclose(fresh.rotations[BONE["leftLowerArm"]], relaxed_pose()[BONE["leftLowerArm"]])
