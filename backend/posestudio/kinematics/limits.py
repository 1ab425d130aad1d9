"""Anatomical limits: hinges within their range, ball joints within cones, twist limits.

Each bone's local rotation is split into swing and twist about its rest axis
(q = swing * twist). A ball joint's swing stays inside a cone around the rest axis; a
hinge's swing is split into the angle about the hinge axis (its range) and a small
deviation off it (the carrying angle, a little laxity); every twist stays within its
range. Angles in degrees in the table, radians in the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posestudio.kinematics import quaternions as q
from posestudio.kinematics.skeleton import BONES

FREE, BALL, HINGE = 0, 1, 2
EX, EY, EZ = np.eye(3)
# A change below this (radians) is rounding, not a clamp.
_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Limit:
    kind: int
    axis: tuple[float, float, float] = (0.0, 1.0, 0.0)  # twist axis: the bone's rest direction
    cone: float = 180.0  # ball: largest swing away from the rest axis
    hinge: tuple[float, float, float] = (0.0, 0.0, 0.0)  # hinge: the axis of flexion
    bend: tuple[float, float] = (0.0, 0.0)  # hinge: flexion range
    off: float = 0.0  # hinge: largest swing off the hinge
    twist: tuple[float, float] = (-180.0, 180.0)


def _sided(side: str) -> dict[str, Limit]:
    s = 1.0 if side == "left" else -1.0
    arm = (s, 0.0, 0.0)
    return {
        f"{side}Shoulder": Limit(BALL, arm, cone=30, twist=(-20, 20)),
        f"{side}UpperArm": Limit(BALL, arm, cone=135, twist=(-110, 110)),
        # Flexion brings the forearm forward (+Z): about -Y on the left, +Y on the right.
        f"{side}LowerArm": Limit(
            HINGE, arm, hinge=(0.0, -s, 0.0), bend=(0, 155), off=15, twist=(-120, 120)
        ),
        f"{side}Hand": Limit(BALL, arm, cone=80, twist=(-40, 40)),
        f"{side}UpperLeg": Limit(BALL, (0, -1, 0), cone=125, twist=(-60, 60)),
        # Flexion takes the shank backwards (-Z): about +X on both sides.
        f"{side}LowerLeg": Limit(
            HINGE, (0, -1, 0), hinge=(1, 0, 0), bend=(0, 155), off=15, twist=(-20, 20)
        ),
        f"{side}Foot": Limit(BALL, (0, -1, 0), cone=55, twist=(-40, 40)),
        f"{side}Toes": Limit(BALL, (0, 0, 1), cone=0, twist=(0, 0)),
    }


LIMITS: dict[str, Limit] = {
    "hips": Limit(FREE),
    "spine": Limit(BALL, cone=30, twist=(-30, 30)),
    "chest": Limit(BALL, cone=30, twist=(-30, 30)),
    "neck": Limit(BALL, cone=50, twist=(-20, 20)),
    "head": Limit(BALL, cone=50, twist=(-80, 80)),
    **_sided("left"),
    **_sided("right"),
}


@dataclass(frozen=True)
class LimitTable:
    """The limits as arrays over the bones, for clamping every bone at once."""

    kind: np.ndarray
    axis: np.ndarray
    cone: np.ndarray
    hinge: np.ndarray
    off_axis: np.ndarray
    bend: np.ndarray
    off: np.ndarray
    twist: np.ndarray

    @classmethod
    def build(cls, limits: dict[str, Limit] = LIMITS) -> LimitTable:
        rows = [limits[b] for b in BONES]
        axis = q.unit(np.array([r.axis for r in rows], dtype=float), EY)
        hinge = np.array([r.hinge for r in rows], dtype=float)
        return cls(
            kind=np.array([r.kind for r in rows]),
            axis=axis,
            cone=np.radians([r.cone for r in rows]),
            hinge=hinge,
            off_axis=q.cross(axis, hinge),
            bend=np.radians([r.bend for r in rows]),
            off=np.radians([r.off for r in rows]),
            twist=np.radians([r.twist for r in rows]),
        )


TABLE = LimitTable.build()


def clamp(local: np.ndarray, table: LimitTable = TABLE) -> tuple[np.ndarray, np.ndarray]:
    """Local rotations (T, B, 4) within the limits, and which of them were clamped (T, B)."""
    swing, phi = q.swing_twist(local, table.axis)
    size = np.linalg.norm(swing, axis=-1)
    ball = swing * np.minimum(1.0, table.cone / np.maximum(size, 1e-12))[..., None]
    flex = np.sum(swing * table.hinge, axis=-1)
    off = np.sum(swing * table.off_axis, axis=-1)
    hinge = (
        np.clip(flex, table.bend[:, 0], table.bend[:, 1])[..., None] * table.hinge
        + np.clip(off, -table.off, table.off)[..., None] * table.off_axis
    )
    kind = table.kind[:, None]
    new_swing = np.where(kind == HINGE, hinge, np.where(kind == BALL, ball, swing))
    new_phi = np.clip(phi, table.twist[:, 0], table.twist[:, 1])
    hit = (np.linalg.norm(new_swing - swing, axis=-1) > _TOLERANCE) | (
        np.abs(new_phi - phi) > _TOLERANCE
    )
    rebuilt = q.mul(q.from_rotvec(new_swing), q.about(table.axis, new_phi))
    return q.positive(np.where(hit[..., None], rebuilt, local)), hit
