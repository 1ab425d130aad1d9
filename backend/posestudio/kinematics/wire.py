"""The skeleton's wire form, added to a `pose` as `skeleton` on streams that ask for it."""

from __future__ import annotations

from typing import Any

import numpy as np

from posestudio.kinematics.skeleton import BONES
from posestudio.kinematics.tracker import SkeletonPose

# Sent once per stream (in the start acknowledgement): the order of `rotations`.
BONE_NAMES: list[str] = list(BONES)


def skeleton_to_wire(pose: SkeletonPose) -> dict[str, Any]:
    """`{rotations: [[x, y, z, w] per bone], root: [x, y, z], scale, calibrated}`."""
    return skeleton_wire(pose.rotations, pose.root, pose.scale, pose.calibrated)


def skeleton_wire(
    rotations: np.ndarray, root: np.ndarray, scale: float, calibrated: bool
) -> dict[str, Any]:
    """The wire form of one frame's (B, 4) rotations and (3,) root.

    Five decimals of a unit quaternion are about 0.001 degrees; four of metres, 0.1 mm.
    """
    return {
        "rotations": np.round(rotations.astype(np.float64), 5).tolist(),
        "root": np.round(root.astype(np.float64), 4).tolist(),
        "scale": round(float(scale), 4),
        "calibrated": bool(calibrated),
    }
