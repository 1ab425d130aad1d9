"""Synthetic bodies for the kinematics tests: BlazePose world landmarks built by forward
kinematics from known rotations, so what the solver should find is known exactly."""

from __future__ import annotations

import numpy as np

from posestudio.kinematics import quaternions as q
from posestudio.kinematics.forward import forward
from posestudio.kinematics.skeleton import BONE, JOINT, MEASURE, NUM_BONES, REFERENCE, offsets
from posestudio.kinematics.solver import DEFAULT_HEAD_PITCH
from posestudio.protocol import LANDMARK_INDEX, NUM_LANDMARKS

EX, EY, EZ = np.eye(3)
EAR_HALF_WIDTH = 0.07
PALM_HALF_WIDTH = 0.03
HEEL_BACK = 0.05


def body_measures(scale: float = 1.0) -> np.ndarray:
    """A symmetric body whose nose sits where the solver's default head pitch expects it."""
    m = REFERENCE * scale
    nose = 0.12 * scale * np.array([0.0, -np.sin(DEFAULT_HEAD_PITCH), np.cos(DEFAULT_HEAD_PITCH)])
    m[[MEASURE[f"nose.{c}"] for c in "xyz"]] = nose
    return m


def identity_pose() -> np.ndarray:
    return np.tile(q.IDENTITY, (NUM_BONES, 1))


def landmarks(
    local: np.ndarray, measures: np.ndarray, root: np.ndarray | None = None
) -> np.ndarray:
    """Local rotations (B, 4) of a body -> its BlazePose world landmarks (33, 5), y down."""
    root = np.zeros(3) if root is None else root
    world, pos = forward(local[None], root[None], offsets(measures))
    world, pos = world[0], pos[0]
    out = np.zeros((NUM_LANDMARKS, 3))

    def at(name: str, point: np.ndarray) -> None:
        out[LANDMARK_INDEX[name]] = point

    head = world[BONE["head"]]
    nose = pos[JOINT["nose"]]
    at("nose", nose)
    for side, s in (("left", 1.0), ("right", -1.0)):
        at(f"{side}_ear", pos[JOINT["head"]] + q.rotate(head, s * EAR_HALF_WIDTH * EX))
        for part, dx in (("eye_inner", 0.015), ("eye", 0.03), ("eye_outer", 0.045)):
            at(f"{side}_{part}", nose + q.rotate(head, np.array([s * dx, 0.03, -0.02])))
        at(f"mouth_{side}", nose + q.rotate(head, np.array([s * 0.025, -0.04, -0.01])))
        for landmark, joint in (
            ("shoulder", "UpperArm"),
            ("elbow", "LowerArm"),
            ("wrist", "Hand"),
            ("hip", "UpperLeg"),
            ("knee", "LowerLeg"),
            ("ankle", "Foot"),
            ("foot_index", "Toes"),
        ):
            at(f"{side}_{landmark}", pos[JOINT[side + joint]])
        hand, tip = world[BONE[f"{side}Hand"]], pos[JOINT[f"{side}HandTip"]]
        at(f"{side}_index", tip + q.rotate(hand, PALM_HALF_WIDTH * EZ))
        at(f"{side}_pinky", tip - q.rotate(hand, PALM_HALF_WIDTH * EZ))
        at(
            f"{side}_thumb",
            pos[JOINT[f"{side}Hand"]] + q.rotate(hand, np.array([s * 0.03, 0, 0.04])),
        )
        toes = measures[[MEASURE[f"{side}Toes.{c}"] for c in "xyz"]]
        heel = np.array([0.0, toes[1], -HEEL_BACK])
        at(f"{side}_heel", pos[JOINT[f"{side}Foot"]] + q.rotate(world[BONE[f"{side}Foot"]], heel))
    result = np.ones((NUM_LANDMARKS, 5))
    result[:, :3] = out * np.array([1.0, -1.0, -1.0])
    return result


def rot(axis: np.ndarray | tuple[float, float, float], degrees: float) -> np.ndarray:
    return q.about(q.unit(np.asarray(axis, dtype=float), EY), np.radians(degrees))


def random_pose(rng: np.random.Generator) -> np.ndarray:
    """Local rotations inside the limits, of the family the solver recovers exactly:
    elbows and knees bent past the blend zone, neck, hands and the spine's tilt pure
    swings, the spine's twist shared by spine and chest, clavicles at rest (BlazePose has
    no landmark at the neck's base: the shoulders' midpoint is the neck)."""

    def swing(max_deg: float) -> np.ndarray:
        axis = rng.normal(size=3)
        axis[1] = 0.0
        return rot(axis, rng.uniform(0, max_deg))

    pose = identity_pose()
    pose[BONE["hips"]] = q.normalize(rng.normal(size=4))
    twist = rng.uniform(-20, 20)
    pose[BONE["spine"]] = q.mul(rot(EZ, rng.uniform(-20, 20)), rot(EY, twist))
    pose[BONE["chest"]] = rot(EY, twist)
    pose[BONE["neck"]] = swing(30)
    pose[BONE["head"]] = q.mul(swing(30), rot(EY, rng.uniform(-60, 60)))
    for side, s in (("left", 1.0), ("right", -1.0)):
        arm = np.array([s, 0.0, 0.0])

        def arm_swing(max_deg: float, arm: np.ndarray = arm) -> np.ndarray:
            axis = np.cross(arm, q.unit(rng.normal(size=3), EY))
            return rot(axis, rng.uniform(0, max_deg))

        pose[BONE[f"{side}UpperArm"]] = q.mul(arm_swing(100), rot(arm, rng.uniform(-80, 80)))
        pose[BONE[f"{side}LowerArm"]] = q.mul(
            rot((0, -s, 0), rng.uniform(25, 140)), rot(arm, rng.uniform(-90, 90))
        )
        pose[BONE[f"{side}Hand"]] = arm_swing(50)
        pose[BONE[f"{side}UpperLeg"]] = q.mul(swing(80), rot(EY, rng.uniform(-40, 40)))
        pose[BONE[f"{side}LowerLeg"]] = rot(EX, rng.uniform(25, 130))
        pose[BONE[f"{side}Foot"]] = q.mul(
            rot(EX, rng.uniform(-30, 30)), rot(EY, rng.uniform(-20, 20))
        )
    return q.positive(pose)


def t_pose(rng: np.random.Generator, frames: int, noise: float = 0.004) -> np.ndarray:
    """Frames (T, 33, 5) of a person holding a T-pose, with landmark jitter in metres."""
    base = landmarks(identity_pose(), body_measures())
    out = np.repeat(base[None], frames, axis=0)
    out[:, :, :3] += rng.normal(scale=noise, size=(frames, NUM_LANDMARKS, 3))
    return out


def posed(count: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Known rotations (count, B, 4) of a body 1.1 times the reference, and the world
    landmarks (count, 33, 5) they give, each at a random root position."""
    rng = np.random.default_rng(seed)
    truth = np.stack([random_pose(rng) for _ in range(count)])
    measures = body_measures(1.1)
    world = np.stack([landmarks(p, measures, rng.normal(scale=0.5, size=3)) for p in truth])
    return truth, world
