"""Joint angles and window statistics on poses with known geometry."""

from __future__ import annotations

import numpy as np
import pytest

from posestudio.analysis import JOINTS, joint_angles, window_stats
from posestudio.history import PoseHistory, PoseSample
from posestudio.protocol import LANDMARK_INDEX


def pose(knee_degrees: float, visibility: float = 0.9) -> np.ndarray:
    """A (33, 5) world pose: a standing figure whose left knee bends by `knee_degrees`."""
    world = np.zeros((33, 5))
    world[:, 3:5] = visibility
    points = {
        "left_shoulder": (0.2, 0.5, 0.0),
        "right_shoulder": (-0.2, 0.5, 0.0),
        "left_elbow": (0.2, 0.2, 0.0),
        "right_elbow": (-0.2, 0.2, 0.0),
        "left_wrist": (0.2, -0.1, 0.0),
        "right_wrist": (-0.2, 0.2, 0.3),  # right elbow bent at 90 degrees
        "left_hip": (0.1, 0.0, 0.0),
        "right_hip": (-0.1, 0.0, 0.0),
        "left_knee": (0.1, -0.4, 0.0),
        "right_knee": (-0.1, -0.4, 0.0),
        "right_ankle": (-0.1, -0.8, 0.0),
    }
    for name, xyz in points.items():
        world[LANDMARK_INDEX[name], :3] = xyz
    # The shank turns in the sagittal (y, z) plane away from the straight line.
    bend = np.radians(180.0 - knee_degrees)
    world[LANDMARK_INDEX["left_ankle"], :3] = (0.1, -0.4 - 0.4 * np.cos(bend), 0.4 * np.sin(bend))
    return world


def test_joint_angles_in_3d() -> None:
    angles = joint_angles(pose(120.0))
    assert set(angles) == set(JOINTS)
    assert angles["left_knee"] == pytest.approx(120.0)
    assert angles["right_knee"] == pytest.approx(180.0)
    assert angles["left_elbow"] == pytest.approx(180.0)
    assert angles["right_elbow"] == pytest.approx(90.0)
    # Arm hanging straight down, the hip 0.1 m inwards and 0.5 m below the shoulder.
    assert angles["left_shoulder"] == pytest.approx(np.degrees(np.arctan2(0.1, 0.5)))


def test_window_stats_extremes_visibility_and_time_in_view() -> None:
    knees = [170.0, 90.0, None, None, 130.0, 150.0]
    samples = [
        PoseSample(
            time=100.0 + i,
            capture_ts=1_700_000_000_000.0 + 100 * i,
            landmarks=None,
            world=None if k is None else pose(k, visibility=0.5 + 0.1 * i),
        )
        for i, k in enumerate(knees)
    ]
    stats = window_stats(samples)
    knee = stats["angles"]["left_knee"]
    assert knee["min"] == 90.0 and knee["max"] == 170.0
    assert knee["mean"] == pytest.approx(135.0)
    assert knee["range_of_motion"] == 80.0
    assert knee["min_ts"] == 1_700_000_000_100.0
    assert knee["max_ts"] == 1_700_000_000_000.0
    assert knee["samples"] == 4
    assert knee["visibility"] == pytest.approx(np.mean([0.5, 0.6, 0.9, 1.0]))
    assert stats["samples"] == 6
    assert stats["samples_with_person"] == 4
    assert stats["in_view_fraction"] == pytest.approx(4 / 6, abs=1e-3)
    assert stats["first_ts"] == 1_700_000_000_000.0
    assert stats["last_ts"] == 1_700_000_000_500.0
    assert stats["out_of_view"] == [
        {"start_ts": 1_700_000_000_200.0, "end_ts": 1_700_000_000_400.0}
    ]


def test_empty_window_and_nobody_in_view() -> None:
    assert window_stats([])["in_view_fraction"] is None
    empty = [PoseSample(time=1.0, capture_ts=5.0, landmarks=None, world=None)]
    stats = window_stats(empty)
    assert stats["in_view_fraction"] == 0.0
    assert all(value is None for value in stats["angles"].values())
    assert stats["out_of_view"] == [{"start_ts": 5.0, "end_ts": 5.0}]


def test_history_window_is_by_wall_time_and_bounded() -> None:
    history = PoseHistory(seconds=10.0, max_samples=5)
    for t in range(8):
        history.append(PoseSample(time=float(t), capture_ts=float(t), landmarks=None, world=None))
    assert len(history) == 5
    assert [s.time for s in history.window(since=5.0)] == [5.0, 6.0, 7.0]


def test_a_joint_with_coincident_landmarks_has_no_angle() -> None:
    world = pose(120.0)
    world[LANDMARK_INDEX["left_ankle"], :3] = world[LANDMARK_INDEX["left_knee"], :3]
    assert "left_knee" not in joint_angles(world)
    sample = PoseSample(time=1.0, capture_ts=1.0, landmarks=None, world=world)
    stats = window_stats([sample])
    assert stats["angles"]["left_knee"] is None
    assert stats["angles"]["right_knee"]["max"] == 180.0
