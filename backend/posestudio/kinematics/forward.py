"""Forward kinematics: rotations and constant offsets back to joint positions."""

from __future__ import annotations

import numpy as np

from posestudio.kinematics import quaternions as q
from posestudio.kinematics.skeleton import BONE_PARENT, JOINT_PARENT, JOINTS, LEVELS, NUM_BONES


def forward(
    local: np.ndarray, root: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Local rotations (T, B, 4), root positions (T, 3) and rest offsets (joints, 3) ->
    world rotations (T, B, 4) and joint positions (T, joints, 3).

    One step per level of the hierarchy, each vectorised over frames and bones.
    """
    frames = local.shape[0]
    world = np.empty_like(local)
    world[:, 0] = local[:, 0]
    positions = np.empty((frames, len(JOINTS), 3))
    positions[:, 0] = root
    for level in LEVELS:
        parents = JOINT_PARENT[level]
        positions[:, level] = positions[:, parents] + q.rotate(world[:, parents], offsets[level])
        bones = level[level < NUM_BONES]
        world[:, bones] = q.mul(world[:, BONE_PARENT[bones]], local[:, bones])
    return world, positions
