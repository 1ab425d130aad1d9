"""T-pose calibration: check about two seconds of frames were a T-pose, then measure.

Accepted when, in most frames, the person stands (torso upright, legs straight and
vertical) with both arms out to the sides, level and straight, all of it seen. The
result says what was measured (bone lengths, the head's rest pitch, the angles checked)
or which checks failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from posestudio.kinematics import quaternions as q
from posestudio.kinematics.lengths import robust_measures, scale_of
from posestudio.kinematics.skeleton import BONE, LENGTHS, MEASURES
from posestudio.kinematics.solver import AN, EL, HP, KN, SH, WR, sanitize, solve

EX, EY = np.eye(3)[0], np.eye(3)[1]


@dataclass(frozen=True)
class Thresholds:
    min_frames: int = 10
    min_share: float = 0.8  # of the frames must pass each check
    visibility: float = 0.5
    arm_level_deg: float = 20.0  # upper and lower arms within this of horizontal
    elbow_deg: float = 20.0  # elbows bent at most this much
    arm_out_deg: float = 35.0  # upper arms within this of the shoulders' line
    torso_deg: float = 20.0  # torso within this of vertical
    leg_deg: float = 25.0  # thighs and shanks within this of straight down


# The stable codes of refusals, with what the person should do.
REASONS: dict[str, str] = {
    "too_few_frames": "too few frames with a person in them; hold the pose in view",
    "not_visible": "shoulders, arms, hips and legs must all be in view",
    "arms_not_level": "hold both arms level, at shoulder height",
    "arms_bent": "straighten both arms",
    "arms_not_out": "hold the arms out to the sides, not forwards",
    "not_standing": "stand upright with straight legs",
}


@dataclass(frozen=True)
class CalibrationResult:
    accepted: bool
    frames: int
    reasons: tuple[str, ...] = ()
    measured: dict[str, float] = field(default_factory=dict)
    measures: np.ndarray | None = None  # (M,) the skeleton's measures, when accepted
    head_pitch: float | None = None  # radians, when accepted

    def to_wire(self) -> dict[str, Any]:
        """The calibration acknowledgement: what was measured, or why it was refused."""
        return {
            "accepted": self.accepted,
            "frames": self.frames,
            "reasons": [{"code": r, "message": REASONS[r]} for r in self.reasons],
            "measured": {k: round(v, 4) for k, v in self.measured.items()},
        }


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    cos = np.sum(q.unit(a, EX) * q.unit(b, EX), axis=-1)
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def _elevation_deg(v: np.ndarray) -> np.ndarray:
    return np.asarray(np.abs(90.0 - _angle_deg(v, np.broadcast_to(EY, v.shape))))


def calibrate(world: np.ndarray, limits: Thresholds | None = None) -> CalibrationResult:
    """Frames of BlazePose world landmarks (T, 33, >=4) -> the verdict and the measures."""
    t = limits or Thresholds()
    world = np.asarray(world, dtype=float).reshape(-1, *np.shape(world)[-2:])
    frames = len(world)
    if frames < t.min_frames:
        return CalibrationResult(False, frames, ("too_few_frames",))
    p, vis = sanitize(world)
    sh, el, wr = p[:, SH], p[:, EL], p[:, WR]
    hp, kn, an = p[:, HP], p[:, KN], p[:, AN]
    upper, lower = el - sh, wr - el
    out = np.stack([sh[:, 0] - sh[:, 1], sh[:, 1] - sh[:, 0]], axis=1)
    thigh, shank = kn - hp, an - kn
    down = np.broadcast_to(-EY, thigh.shape)
    torso = sh.mean(axis=1) - hp.mean(axis=1)
    angles = {
        "arm_elevation_deg": np.maximum(_elevation_deg(upper), _elevation_deg(lower)).max(axis=1),
        "elbow_bend_deg": _angle_deg(upper, lower).max(axis=1),
        "arm_spread_deg": _angle_deg(upper, out).max(axis=1),
        "torso_tilt_deg": _angle_deg(torso, np.broadcast_to(EY, torso.shape)),
        "leg_tilt_deg": np.maximum(_angle_deg(thigh, down), _angle_deg(shank, down)).max(axis=1),
    }
    checks = {
        "not_visible": vis[:, SH + EL + WR + HP + KN + AN].min(axis=1) >= t.visibility,
        "arms_not_level": angles["arm_elevation_deg"] <= t.arm_level_deg,
        "arms_bent": angles["elbow_bend_deg"] <= t.elbow_deg,
        "arms_not_out": angles["arm_spread_deg"] <= t.arm_out_deg,
        "not_standing": (angles["torso_tilt_deg"] <= t.torso_deg)
        & (angles["leg_tilt_deg"] <= t.leg_deg),
    }
    reasons = tuple(code for code, ok in checks.items() if ok.mean() < t.min_share)
    measured = {name: float(np.median(v)) for name, v in angles.items()}
    if reasons:
        return CalibrationResult(False, frames, reasons, measured)
    good = np.logical_and.reduce(list(checks.values()))
    # Upright and looking ahead, the head is level with the chest: what remains between
    # the ear-nose frame and the chest is the head's rest pitch.
    level = solve(world[good], head_pitch=0.0)
    rel = q.mul(q.conj(level.world[:, BONE["chest"]]), level.world[:, BONE["head"]])
    head_pitch = float(np.clip(np.median(q.twist_angle(rel, EX)), -0.8, 0.8))
    solution = solve(world[good], head_pitch=head_pitch)
    measures, _ = robust_measures(solution.measures, solution.measure_confidence, minimum=1)
    measured |= {name: float(measures[MEASURES.index(name)]) for name in LENGTHS}
    measured |= {"head_pitch_deg": float(np.degrees(head_pitch)), "scale": scale_of(measures)}
    return CalibrationResult(True, frames, (), measured, measures, head_pitch)
