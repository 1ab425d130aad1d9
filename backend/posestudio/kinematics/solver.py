"""The rotation solver: BlazePose world landmarks to bone rotations, stateless.

Vectorised over frames (and over left/right): every step works on arrays of shape
(frames, ...), so one call solves one live pose or a whole recorded take. Each bone's
rotation is built from the landmarks so that, with the bone lengths of the frame,
forward kinematics lands on the landmarks again: directions are kept exactly and only
the lengths are replaced by the person's constant ones. Twists that landmarks leave
undetermined (a straight elbow or knee) blend towards the least rotation from the parent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posestudio.kinematics import quaternions as q
from posestudio.kinematics.skeleton import BONE_PARENT, BONES, to_y_up
from posestudio.protocol import LANDMARK_INDEX

# The nose lies below the ears' line when the head is upright; the head's rest frame
# is the ear-nose frame pitched up by this much (radians). A calibration measures it.
DEFAULT_HEAD_PITCH = 0.25
# Below this bend an elbow's or knee's plane is noise; its twist blends to the parent's.
_BEND_BLEND = np.sin(np.radians(15.0))
# Landmark visibility below LOW counts as unseen, above HIGH as seen (linear between).
LOW, HIGH = 0.3, 0.7
_FAR = 100.0  # metres: coordinates beyond this are not a person

SIDE = np.array([[1.0], [-1.0]])  # left, right: the sign of each arm's rest axis (+X / -X)
EX, EY, EZ = np.eye(3)


def _pair(name: str) -> list[int]:
    return [LANDMARK_INDEX[f"left_{name}"], LANDMARK_INDEX[f"right_{name}"]]


SH, EL, WR, PI, IN = (
    _pair("shoulder"),
    _pair("elbow"),
    _pair("wrist"),
    _pair("pinky"),
    _pair("index"),
)
HP, KN, AN, HE, TO = _pair("hip"), _pair("knee"), _pair("ankle"), _pair("heel"), _pair("foot_index")
EARS, NOSE = _pair("ear"), LANDMARK_INDEX["nose"]


@dataclass(frozen=True)
class Solution:
    """Rotations of one or more frames (T frames, B bones, M measures)."""

    world: np.ndarray  # (T, B, 4) bone rotations in the body frame
    local: np.ndarray  # (T, B, 4) rotations relative to the parent bone (the root's: world)
    root: np.ndarray  # (T, 3) the hips' position
    confidence: np.ndarray  # (T, B) how well the landmarks behind each bone were seen, 0..1
    measures: np.ndarray  # (T, M) segment lengths and offset vectors seen in each frame
    measure_confidence: np.ndarray  # (T, M)


def sanitize(world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 33, >=4) BlazePose world landmarks -> Y-up points (T, 33, 3) and visibility (T, 33).

    Non-finite or absurd coordinates become unseen points at the origin.
    """
    world = np.asarray(world, dtype=np.float64)
    points = to_y_up(world)
    ok = np.isfinite(points).all(axis=-1) & (np.abs(points) < _FAR).all(axis=-1)
    vis = world[..., 3] if world.shape[-1] > 3 else np.ones(world.shape[:-1])
    vis = np.where(ok & np.isfinite(vis), np.clip(vis, 0.0, 1.0), 0.0)
    return np.where(ok[..., None], points, 0.0), vis


def seen(vis: np.ndarray) -> np.ndarray:
    return np.clip((vis - LOW) / (HIGH - LOW), 0.0, 1.0)


def _length(v: np.ndarray) -> np.ndarray:
    return np.asarray(np.linalg.norm(v, axis=-1))


def _hinged_frame(
    u: np.ndarray, f: np.ndarray, reference: np.ndarray, bend_sign: float, side: np.ndarray | None
) -> np.ndarray:
    """The direction (the flexion side) of a limb's upper bone u, lower bone f; towards
    `reference` when the limb is nearly straight.

    With `side` (the knee: where the pelvis faces, carried by the thigh's swing) a limb
    bent against it is taken as bent backwards, a negative flexion that the hinge's limit
    clamps, rather than as a limb twisted round.
    """
    fperp = q.reject(f, u)
    # Squared: a bend of a degree or two (landmark noise) barely moves the twist.
    weight = np.clip(_length(fperp) / _BEND_BLEND, 0.0, 1.0)[..., None] ** 2
    bend = q.unit(bend_sign * fperp, reference)
    if side is not None:
        bend = np.where(q.dot(bend, side) < 0, -bend, bend)
    return q.unit(weight * bend + (1 - weight) * reference, reference)


def solve(world: np.ndarray, head_pitch: float = DEFAULT_HEAD_PITCH) -> Solution:
    """Solve frames of world landmarks (T, 33, >=4) into bone rotations."""
    p, vis = sanitize(world)
    s = SIDE  # broadcasts against (T, 2, 3)
    mid_hip, mid_sh = p[:, HP].mean(axis=1), p[:, SH].mean(axis=1)
    mid_ear, nose = p[:, EARS].mean(axis=1), p[:, NOSE]
    torso, hip_line, sh_line = (
        mid_sh - mid_hip,
        p[:, HP[0]] - p[:, HP[1]],
        p[:, SH[0]] - p[:, SH[1]],
    )

    # Torso: the pelvis from the hips' line, the chest from the shoulders' line, both
    # about the hips -> shoulders axis; the spine takes half of the twist between them.
    m_hips = q.basis(hip_line, torso, 0, 1)
    m_chest = q.basis(torso, sh_line, 1, 0)
    hips, chest = q.from_matrix(m_hips), q.from_matrix(m_chest)
    spine = q.slerp(q.from_matrix(q.basis(torso, hip_line, 1, 0)), chest, 0.5)
    x_chest, y_chest = m_chest[..., 0], m_chest[..., 1]
    neck = q.mul(q.between(y_chest, q.unit(mid_ear - mid_sh, y_chest)), chest)
    ear_nose = q.from_matrix(q.basis(p[:, EARS[0]] - p[:, EARS[1]], nose - mid_ear, 0, 2))
    head = q.mul(ear_nose, np.array([np.sin(-head_pitch / 2), 0.0, 0.0, np.cos(head_pitch / 2)]))

    # Arms (left, right): clavicle, upper arm (twist from the elbow's plane), lower arm
    # (its twist from the hand, as far as the hand is seen), hand.
    sh, el, wr = p[:, SH], p[:, EL], p[:, WR]
    axis = s * EX
    clav_dir = q.unit(sh - mid_sh[:, None], s * x_chest[:, None])
    clavicle = q.mul(q.between(s * x_chest[:, None], clav_dir), chest[:, None])
    u = q.unit(el - sh, clav_dir)
    f = q.unit(wr - el, u)
    z_swing = q.rotate(q.between(clav_dir, u), q.rotate(clavicle, EZ))
    z_arm = _hinged_frame(u, f, z_swing, 1.0, side=None)
    upper_arm = q.from_matrix(q.basis(s * u, z_arm, 0, 2))
    lower_arm0 = q.mul(upper_arm, q.between(axis, q.rotate(q.conj(upper_arm), f)))
    tip = (p[:, IN] + p[:, PI]) / 2
    hand = q.from_matrix(q.basis(s * q.unit(tip - wr, f), p[:, IN] - p[:, PI], 0, 2))
    hand_seen = seen(np.minimum(vis[:, WR], np.minimum(vis[:, IN], vis[:, PI])))
    twist = q.twist_angle(q.mul(q.conj(lower_arm0), hand), axis) * hand_seen
    lower_arm = q.mul(lower_arm0, q.about(axis, twist))

    # Legs: upper leg (twist from the knee's plane, or the foot when the knee is
    # straight), lower leg, foot from ankle, heel and toes; toes follow the foot.
    hp, kn, an, he, to = p[:, HP], p[:, KN], p[:, AN], p[:, HE], p[:, TO]
    down = -m_hips[..., 1][:, None]
    u = q.unit(kn - hp, down)
    f = q.unit(an - kn, u)
    z_swing = q.rotate(q.between(down, u), m_hips[..., 2][:, None])
    foot_seen = seen(np.minimum(vis[:, HE], vis[:, TO]))[..., None]
    forward = q.unit(q.reject(to - he, u), z_swing)
    z_ref = q.unit(foot_seen * forward + (1 - foot_seen) * z_swing, z_swing)
    z_leg = _hinged_frame(u, f, z_ref, -1.0, side=z_swing)
    upper_leg = q.from_matrix(q.basis(-u, z_leg, 1, 2))
    lower_leg = q.mul(upper_leg, q.between(-EY, q.rotate(q.conj(upper_leg), f)))
    x_foot = q.unit(q.cross(to - an, he - an), q.rotate(lower_leg, EX))
    foot = q.from_matrix(q.basis(x_foot, to - he, 0, 2))

    parts = {"hips": hips, "spine": spine, "chest": chest, "neck": neck, "head": head}
    for i, side in enumerate(("left", "right")):
        parts |= {
            f"{side}Shoulder": clavicle[:, i],
            f"{side}UpperArm": upper_arm[:, i],
            f"{side}LowerArm": lower_arm[:, i],
            f"{side}Hand": hand[:, i],
            f"{side}UpperLeg": upper_leg[:, i],
            f"{side}LowerLeg": lower_leg[:, i],
            f"{side}Foot": foot[:, i],
            f"{side}Toes": foot[:, i],
        }
    world_q = q.positive(np.stack([parts[b] for b in BONES], axis=1))
    local = q.mul(q.conj(world_q[:, np.maximum(BONE_PARENT, 0)]), world_q)
    local[:, 0] = world_q[:, 0]

    measures = np.concatenate(
        [
            _length(torso)[:, None],
            _length(mid_ear - mid_sh)[:, None],
            _length(sh - mid_sh[:, None]),
            _length(el - sh),
            _length(wr - el),
            _length(tip - wr),
            _length(hp - mid_hip[:, None]),
            _length(kn - hp),
            _length(an - kn),
            q.rotate(q.conj(head), nose - mid_ear),
            q.rotate(q.conj(foot), to - an).reshape(-1, 6),
        ],
        axis=1,
    )
    confidence, measure_confidence = _confidences(vis)
    return Solution(world_q, q.positive(local), mid_hip, confidence, measures, measure_confidence)


def _landmark_sets() -> tuple[np.ndarray, np.ndarray]:
    """For every bone and every measure, the landmarks it rests on: an index table
    (rows padded by repeating a landmark) whose least visibility is its confidence."""
    pelvis = [*HP, *SH]  # stands for the pelvis rule below
    bones: dict[str, list[int]] = {"hips": pelvis, "spine": pelvis, "chest": pelvis}
    bones |= {"neck": [*SH, *EARS], "head": [*EARS, NOSE]}
    for i, side in enumerate(("left", "right")):
        bones |= {
            f"{side}Shoulder": SH,
            f"{side}UpperArm": [SH[i], EL[i]],
            f"{side}LowerArm": [EL[i], WR[i]],
            f"{side}Hand": [WR[i], IN[i], PI[i]],
            f"{side}UpperLeg": [HP[i], KN[i]],
            f"{side}LowerLeg": [KN[i], AN[i]],
            f"{side}Foot": [AN[i], HE[i], TO[i]],
            f"{side}Toes": [AN[i], HE[i], TO[i]],
        }
    # In the order of skeleton.MEASURES: lengths, then the nose and toes vectors.
    measures = [pelvis, bones["neck"]]
    for bone in ("Shoulder", "UpperArm", "LowerArm", "Hand", "Hip", "UpperLeg", "LowerLeg"):
        for side in ("left", "right"):
            measures.append(pelvis if bone == "Hip" else bones[side + bone])
    measures += [bones["head"]] * 3 + [bones["leftFoot"]] * 3 + [bones["rightFoot"]] * 3
    rows = [bones[b] for b in BONES] + measures
    width = max(len(r) for r in rows)
    table = np.array([r + [r[0]] * (width - len(r)) for r in rows])
    is_pelvis = np.array([r is pelvis for r in rows])
    return table, is_pelvis


_SETS, _PELVIS = _landmark_sets()


def _confidences(vis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How well each bone (T, B), and each measure (T, M), was seen: its least visible
    landmark."""
    least = seen(vis[:, _SETS].min(axis=-1))
    # BlazePose anchors its world frame at the hip centre, which it places from the
    # whole body: the pelvis is as good as the hips or the shoulders it is inferred from.
    pelvis = np.maximum(seen(vis[:, HP].min(axis=-1)), seen(vis[:, SH].min(axis=-1)))
    least = np.where(_PELVIS, pelvis[:, None], least)
    return least[:, : len(BONES)], least[:, len(BONES) :]
