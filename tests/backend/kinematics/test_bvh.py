"""BVH export read back by an independent reader (bvhio, from PyPI)."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import ModuleType

import numpy as np

from posestudio.kinematics import BONES
from posestudio.kinematics import quaternions as q
from posestudio.kinematics.bvh import euler_zxy, hierarchy, write_bvh
from posestudio.kinematics.skeleton import JOINT, MEASURE, landmark_joints, to_y_up
from posestudio.kinematics.take import solve_take
from posestudio.kinematics.tracker import TrackerConfig
from tests.utils.bodies import body_measures, posed, random_pose

EX, EY, EZ = np.eye(3)
SEEN = ["hips", "neck", "head", "leftUpperArm", "rightUpperArm"]
FULL_BODY = [b for b in BONES if b not in ("spine", "chest", "leftShoulder", "rightShoulder")]


def bvhio() -> ModuleType:
    with warnings.catch_warnings():  # it imports PyGLM by a name PyGLM is deprecating
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        import bvhio

    return bvhio


def read_positions(path: Path) -> dict[str, np.ndarray]:
    """Joint world positions (T, 3) per joint name, in the file's units, from bvhio."""
    root = bvhio().readAsHierarchy(str(path))
    frames = root.getKeyframeRange()[1] + 1
    out: dict[str, list[list[float]]] = {}
    for frame in range(frames):
        root.loadPose(frame)
        for joint, _, _ in root.layout():
            out.setdefault(joint.Name, []).append(list(joint.PositionWorld))
    return {name: np.array(rows) for name, rows in out.items()}


def rms_cm(path: Path, world: np.ndarray, joints: list[str]) -> float:
    read = read_positions(path)
    expected = landmark_joints(to_y_up(world)) * 100
    errors = [np.linalg.norm(read[j] - expected[:, JOINT[j]], axis=1) for j in joints]
    return float(np.sqrt(np.mean(np.concatenate(errors) ** 2)))


def test_the_real_video_read_back_reproduces_the_seen_joints_within_3_cm(
    video_world: np.ndarray, video_times: np.ndarray, tmp_path: Path
) -> None:
    take = solve_take(video_world, video_times, TrackerConfig(filter=None))
    path = tmp_path / "take.bvh"
    with path.open("w") as out:
        write_bvh(out, take.rotations, take.root, take.measures, 1 / 29.97)
    assert not take.clamped[:, [BONES.index(j) for j in ("hips", "neck", "head")]].any()
    rms = rms_cm(path, video_world, SEEN)
    print(f"BVH read back by bvhio: {rms:.2f} cm RMS over the seen joints")
    assert rms < 3.0
    container = bvhio().readAsBvh(str(path))
    assert container.FrameCount == 120 and abs(container.FrameTime - 1 / 29.97) < 1e-6


def test_full_body_poses_read_back_within_3_cm(tmp_path: Path) -> None:
    _, world = posed(40, seed=21)
    take = solve_take(world, np.arange(40) / 30, TrackerConfig(filter=None))
    path = tmp_path / "poses.bvh"
    with path.open("w") as out:
        write_bvh(out, take.rotations, take.root, take.measures, 1 / 30)
    assert rms_cm(path, world, FULL_BODY) < 0.1  # rounding to 0.1 mm and 1e-4 degrees


def test_the_euler_convention_is_z_then_x_then_y() -> None:
    rng = np.random.default_rng(8)
    rotations = np.stack([random_pose(rng) for _ in range(50)])
    z, x, y = np.radians(np.moveaxis(euler_zxy(rotations), -1, 0))
    rebuilt = q.mul(q.mul(q.about(EZ, z), q.about(EX, x)), q.about(EY, y))
    assert np.allclose(np.abs(np.sum(rebuilt * rotations, axis=-1)), 1, atol=1e-9)
    locked = q.about(EX, np.full(3, np.pi / 2))  # gimbal lock at x = 90 degrees
    assert np.allclose(euler_zxy(locked)[:, 1], 90)


def test_units_are_centimetres_or_metres() -> None:
    measures = body_measures()
    cm, m = hierarchy(measures, "cm"), hierarchy(measures, "m")
    arm = f"{measures[MEASURE['leftUpperArm']]:.4f}"
    assert f"OFFSET {100 * float(arm):.4f} 0.0000 0.0000" in cm
    assert f"OFFSET {arm} 0.0000 0.0000" in m
