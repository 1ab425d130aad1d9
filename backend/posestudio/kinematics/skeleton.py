"""The humanoid: VRM bone names, hierarchy, rest pose, and the map from BlazePose landmarks.

Frame: right-handed, Y up, metres. The rest pose is the VRM T-pose: the body faces +Z,
its left hand points along +X, legs straight down, every bone's rest rotation the
identity. BlazePose's `world` landmarks are x to the image's right, y down, z away from
the camera (hip-centred metres), so `to_y_up` maps (x, y, z) to (x, -y, -z): a person
facing the camera faces +Z and their left is +X, exactly the rest frame.
"""

from __future__ import annotations

import numpy as np

from posestudio.protocol import LANDMARK_INDEX, NUM_LANDMARKS

BONES: tuple[str, ...] = (
    "hips",
    "spine",
    "chest",
    "neck",
    "head",
    "leftShoulder",
    "leftUpperArm",
    "leftLowerArm",
    "leftHand",
    "rightShoulder",
    "rightUpperArm",
    "rightLowerArm",
    "rightHand",
    "leftUpperLeg",
    "leftLowerLeg",
    "leftFoot",
    "leftToes",
    "rightUpperLeg",
    "rightLowerLeg",
    "rightFoot",
    "rightToes",
)
BONE = {name: i for i, name in enumerate(BONES)}
NUM_BONES = len(BONES)
PARENT: dict[str, str | None] = {
    "hips": None,
    "spine": "hips",
    "chest": "spine",
    "neck": "chest",
    "head": "neck",
    "leftShoulder": "chest",
    "leftUpperArm": "leftShoulder",
    "leftLowerArm": "leftUpperArm",
    "leftHand": "leftLowerArm",
    "rightShoulder": "chest",
    "rightUpperArm": "rightShoulder",
    "rightLowerArm": "rightUpperArm",
    "rightHand": "rightLowerArm",
    "leftUpperLeg": "hips",
    "leftLowerLeg": "leftUpperLeg",
    "leftFoot": "leftLowerLeg",
    "leftToes": "leftFoot",
    "rightUpperLeg": "hips",
    "rightLowerLeg": "rightUpperLeg",
    "rightFoot": "rightLowerLeg",
    "rightToes": "rightFoot",
}
# Tips of the leaf bones (BVH "End Site"s): a joint position without a bone of its own.
END_SITES: tuple[tuple[str, str], ...] = (
    ("nose", "head"),
    ("leftHandTip", "leftHand"),
    ("rightHandTip", "rightHand"),
    ("leftToesTip", "leftToes"),
    ("rightToesTip", "rightToes"),
)
JOINTS: tuple[str, ...] = BONES + tuple(name for name, _ in END_SITES)
JOINT = {name: i for i, name in enumerate(JOINTS)}
# Parent of every joint (bones, then end sites); -1 for the root.
JOINT_PARENT = np.array(
    [BONE[p] if (p := PARENT[b]) else -1 for b in BONES] + [BONE[b] for _, b in END_SITES]
)


def _depths() -> np.ndarray:
    depth = np.zeros(len(JOINTS), dtype=int)
    for j, p in enumerate(JOINT_PARENT):
        depth[j] = 0 if p < 0 else depth[p] + 1
    return depth


JOINT_DEPTH = _depths()
BONE_PARENT = JOINT_PARENT[:NUM_BONES]
# The bones that must be rotated one after the other (forward kinematics by level).
LEVELS: tuple[np.ndarray, ...] = tuple(
    np.flatnonzero(np.equal(JOINT_DEPTH, d)) for d in range(1, int(JOINT_DEPTH.max()) + 1)
)

# Where the spine's chest joint sits along hips -> neck.
SPINE_FRACTION = 0.45
# The toes' tip continues the foot forward by this share of the foot's forward reach.
TOE_TIP_FRACTION = 0.3

# Measured quantities, one flat vector: segment lengths (metres), then offset vectors
# of the nose in the head's frame and of the toes in each foot's frame.
LENGTHS: tuple[str, ...] = (
    "torso",
    "neck",
    "leftClavicle",
    "rightClavicle",
    "leftUpperArm",
    "rightUpperArm",
    "leftLowerArm",
    "rightLowerArm",
    "leftHand",
    "rightHand",
    "leftHip",
    "rightHip",
    "leftUpperLeg",
    "rightUpperLeg",
    "leftLowerLeg",
    "rightLowerLeg",
)
VECTORS: tuple[str, ...] = ("nose", "leftToes", "rightToes")
MEASURES: tuple[str, ...] = LENGTHS + tuple(f"{v}.{c}" for v in VECTORS for c in "xyz")
NUM_LENGTHS = len(LENGTHS)
NUM_MEASURES = len(MEASURES)
MEASURE = {name: i for i, name in enumerate(MEASURES)}

# An adult of about 1.70 m (BlazePose's landmark positions, not bone ends of anatomy).
_REFERENCE_LENGTHS = {"torso": 0.50, "neck": 0.20, "Clavicle": 0.165, "UpperArm": 0.26,
                      "LowerArm": 0.24, "Hand": 0.08, "Hip": 0.11, "UpperLeg": 0.42,
                      "LowerLeg": 0.40}  # fmt: skip
_REFERENCE_VECTORS = {"nose": (0.0, -0.03, 0.12), "Toes": (0.0, -0.07, 0.15)}
REFERENCE = np.array(
    [_REFERENCE_LENGTHS[n.removeprefix("left").removeprefix("right")] for n in LENGTHS]
    + [c for v in VECTORS for c in _REFERENCE_VECTORS[v.removeprefix("left").removeprefix("right")]]
)


def _offset_map() -> np.ndarray:
    """(joints, 3, measures): each joint's rest offset from its parent, linear in the measures."""
    m = np.zeros((len(JOINTS), 3, NUM_MEASURES))
    t, f = MEASURE["torso"], SPINE_FRACTION
    m[JOINT["chest"], 1, t] = f
    for name in ("neck", "leftShoulder", "rightShoulder"):
        m[JOINT[name], 1, t] = 1 - f
    m[JOINT["head"], 1, MEASURE["neck"]] = 1
    for side, sign in (("left", 1.0), ("right", -1.0)):
        m[JOINT[f"{side}UpperArm"], 0, MEASURE[f"{side}Clavicle"]] = sign
        m[JOINT[f"{side}LowerArm"], 0, MEASURE[f"{side}UpperArm"]] = sign
        m[JOINT[f"{side}Hand"], 0, MEASURE[f"{side}LowerArm"]] = sign
        m[JOINT[f"{side}HandTip"], 0, MEASURE[f"{side}Hand"]] = sign
        m[JOINT[f"{side}UpperLeg"], 0, MEASURE[f"{side}Hip"]] = sign
        m[JOINT[f"{side}LowerLeg"], 1, MEASURE[f"{side}UpperLeg"]] = -1
        m[JOINT[f"{side}Foot"], 1, MEASURE[f"{side}LowerLeg"]] = -1
        for c in range(3):
            m[JOINT[f"{side}Toes"], c, MEASURE[f"{side}Toes.{'xyz'[c]}"]] = 1
        m[JOINT[f"{side}ToesTip"], 2, MEASURE[f"{side}Toes.z"]] = TOE_TIP_FRACTION
    for c in range(3):
        m[JOINT["nose"], c, MEASURE[f"nose.{'xyz'[c]}"]] = 1
    return m


OFFSET_MAP = _offset_map()


def offsets(measures: np.ndarray) -> np.ndarray:
    """Rest offsets (joints, 3) of every joint from its parent, in the parent's frame."""
    return np.asarray(OFFSET_MAP @ measures)


def _landmarks(*names: str) -> list[int]:
    return [LANDMARK_INDEX[n] for n in names]


def _joint_map() -> tuple[np.ndarray, np.ndarray]:
    """Weights (joints, 33) placing each joint among the landmarks, and which are mapped."""
    w = np.zeros((len(JOINTS), NUM_LANDMARKS))
    hips = _landmarks("left_hip", "right_hip")
    shoulders = _landmarks("left_shoulder", "right_shoulder")
    for j in ("hips", "spine"):
        w[JOINT[j], hips] = 0.5
    w[JOINT["chest"], hips] = (1 - SPINE_FRACTION) / 2
    w[JOINT["chest"], shoulders] += SPINE_FRACTION / 2
    for j in ("neck", "leftShoulder", "rightShoulder"):
        w[JOINT[j], shoulders] = 0.5
    w[JOINT["head"], _landmarks("left_ear", "right_ear")] = 0.5
    w[JOINT["nose"], LANDMARK_INDEX["nose"]] = 1
    for side in ("left", "right"):
        for joint, landmark in (
            ("UpperArm", "shoulder"),
            ("LowerArm", "elbow"),
            ("Hand", "wrist"),
            ("UpperLeg", "hip"),
            ("LowerLeg", "knee"),
            ("Foot", "ankle"),
            ("Toes", "foot_index"),
        ):
            w[JOINT[side + joint], LANDMARK_INDEX[f"{side}_{landmark}"]] = 1
        w[JOINT[f"{side}HandTip"], _landmarks(f"{side}_index", f"{side}_pinky")] = 0.5
    return w, w.sum(axis=1) > 0


JOINT_WEIGHTS, MAPPED = _joint_map()
# The joints with a landmark of their own (not interpolated, not a repeat, not a free end).
LANDMARK_JOINTS: tuple[str, ...] = tuple(
    j
    for j in JOINTS
    if MAPPED[JOINT[j]] and j not in ("spine", "chest", "leftShoulder", "rightShoulder")
)


def to_y_up(world: np.ndarray) -> np.ndarray:
    """BlazePose world coordinates (..., 3), y down and z away, to the Y-up rest frame."""
    return np.asarray(world[..., :3] * np.array([1.0, -1.0, -1.0]))


def landmark_joints(points: np.ndarray) -> np.ndarray:
    """Joint positions (..., joints, 3) where the landmarks (..., 33, 3) put them (NaN if none)."""
    joints = np.einsum("jl,...lc->...jc", JOINT_WEIGHTS, points)
    return np.where(MAPPED[:, None], joints, np.nan)


def relaxed_pose() -> np.ndarray:
    """Local rotations (B, 4) of the pose unseen bones ease to: the rest pose with the
    upper arms lowered 70 degrees to the sides (a T-pose is no pose to rest in)."""
    pose = np.tile([0.0, 0.0, 0.0, 1.0], (NUM_BONES, 1))
    half = np.radians(70.0) / 2
    pose[BONE["leftUpperArm"]] = [0.0, 0.0, -np.sin(half), np.cos(half)]
    pose[BONE["rightUpperArm"]] = [0.0, 0.0, np.sin(half), np.cos(half)]
    return pose
