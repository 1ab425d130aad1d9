"""BVH (Biovision hierarchy) for Blender, Maya and MotionBuilder.

The humanoid's hierarchy with constant offsets (the take's bone lengths), the rest pose
being the T-pose; per frame the root's position and every joint's local rotation. Y up,
right-handed, the body facing +Z; lengths in centimetres by default (`units="m"` for
metres; the format has no field for it, so the unit is the writer's promise: import
into Blender with scale 0.01 for centimetres). Channels: the root `Xposition Yposition
Zposition Zrotation Xrotation Yrotation`, other joints `Zrotation Xrotation Yrotation`,
meaning R = Rz * Rx * Ry, in degrees.

Written in pieces (the hierarchy, the motion header, rows for any chunk of frames) so a
long session can be streamed without holding it whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, TextIO

import numpy as np

from posestudio.kinematics import quaternions as q
from posestudio.kinematics.skeleton import BONES, END_SITES, JOINT, PARENT, offsets

Units = Literal["cm", "m"]
SCALE: dict[str, float] = {"cm": 100.0, "m": 1.0}
_END = dict((bone, site) for site, bone in END_SITES)


def hierarchy(measures: np.ndarray, units: Units = "cm") -> str:
    """The HIERARCHY section for a body of these measures."""
    rest = offsets(measures) * SCALE[units]
    children: dict[str, list[str]] = {b: [c for c in BONES if PARENT[c] == b] for b in BONES}
    lines = ["HIERARCHY"]

    def vec(v: np.ndarray) -> str:
        return " ".join(f"{x:.4f}" for x in v)

    def joint(name: str, depth: int) -> None:
        pad = "\t" * depth
        if PARENT[name] is None:
            lines.append(f"{pad}ROOT {name}")
            channels = "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation"
        else:
            lines.append(f"{pad}JOINT {name}")
            channels = "CHANNELS 3 Zrotation Xrotation Yrotation"
        lines.extend([f"{pad}{{", f"{pad}\tOFFSET {vec(rest[JOINT[name]])}", f"{pad}\t{channels}"])
        for child in children[name]:
            joint(child, depth + 1)
        if not children[name]:
            lines.extend([f"{pad}\tEnd Site", f"{pad}\t{{"])
            lines.extend([f"{pad}\t\tOFFSET {vec(rest[JOINT[_END[name]]])}", f"{pad}\t}}"])
        lines.append(f"{pad}}}")

    joint(BONES[0], 0)
    return "\n".join(lines) + "\n"


def motion_header(frames: int, frame_time: float) -> str:
    return f"MOTION\nFrames: {frames}\nFrame Time: {frame_time:.6f}\n"


def euler_zxy(rotations: np.ndarray) -> np.ndarray:
    """Quaternions (..., 4) -> degrees (..., 3) as (z, x, y) with R = Rz(z) Rx(x) Ry(y)."""
    m = q.to_matrix(rotations)
    sx = np.clip(m[..., 2, 1], -1.0, 1.0)
    x = np.arcsin(sx)
    locked = np.abs(sx) > 1 - 1e-9  # gimbal lock: y folds into z
    y = np.where(locked, 0.0, np.arctan2(-m[..., 2, 0], m[..., 2, 2]))
    z = np.where(
        locked, np.arctan2(m[..., 1, 0], m[..., 0, 0]), np.arctan2(-m[..., 0, 1], m[..., 1, 1])
    )
    return np.asarray(np.degrees(np.stack([z, x, y], axis=-1)))


def motion_rows(rotations: np.ndarray, root: np.ndarray, units: Units = "cm") -> Iterator[str]:
    """One line per frame: the root's position, then every joint's angles in BONES order."""
    values = np.concatenate(
        [root * SCALE[units], euler_zxy(rotations).reshape(len(rotations), -1)], axis=1
    )
    for row in values:
        yield " ".join(f"{v:.4f}" for v in row) + "\n"


def write_bvh(
    out: TextIO,
    rotations: np.ndarray,
    root: np.ndarray,
    measures: np.ndarray,
    frame_time: float,
    units: Units = "cm",
) -> None:
    """A whole take (T, B, 4) rotations and (T, 3) root positions in metres."""
    out.write(hierarchy(measures, units))
    out.write(motion_header(len(rotations), frame_time))
    out.writelines(motion_rows(rotations, root, units))
