"""A tiny VRM 1.0 file made in the test (never a downloaded model): the solver's 21 humanoid
bones as glTF nodes in the T-pose (the reference body's proportions, facing +Z), an orange
box on each, and the `VRMC_vrm` extension naming them."""

from __future__ import annotations

import json
import struct

import numpy as np

from posestudio.kinematics.skeleton import BONES, JOINTS, PARENT, REFERENCE, offsets

# The fixture's colour, to find it in a screenshot (sRGB).
BOX_RGB = (242, 140, 26)
HIPS_HEIGHT = 0.9
# Boxes of the bones without a child bone: hands along the arm, toes forwards, head up.
_LEAF_BOX = {
    "leftHand": np.array([0.08, 0.0, 0.0]),
    "rightHand": np.array([-0.08, 0.0, 0.0]),
    "leftToes": np.array([0.0, 0.0, 0.05]),
    "rightToes": np.array([0.0, 0.0, 0.05]),
}


def _box() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    positions, normals = [], []
    for n in np.eye(3).tolist() + (-np.eye(3)).tolist():
        n_ = np.array(n)
        u = np.roll(n_, 1) if n_.sum() > 0 else np.roll(n_, 2)
        v = np.cross(n_, u)
        for a, b in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            positions.append(0.5 * (n_ + a * u + b * v))
            normals.append(n_)
    indices = [i + 4 * f for f in range(6) for i in (0, 1, 2, 0, 2, 3)]
    return (
        np.array(positions, np.float32),
        np.array(normals, np.float32),
        np.array(indices, np.uint16),
    )


def build_vrm() -> bytes:
    rest = offsets(REFERENCE)
    joint = {name: i for i, name in enumerate(JOINTS)}
    nodes: list[dict[str, object]] = []
    index: dict[str, int] = {}
    for name in BONES:
        t = [0.0, HIPS_HEIGHT, 0.0] if name == "hips" else rest[joint[name]].tolist()
        index[name] = len(nodes)
        nodes.append({"name": name, "translation": t, "children": []})
    for name in BONES:
        if (parent := PARENT[name]) is not None:
            nodes[index[parent]]["children"].append(index[name])  # type: ignore[attr-defined]
    for name in BONES:
        child = next((b for b in BONES if PARENT[b] == name and not b.endswith("Shoulder")), None)
        d = rest[joint[child]] if child else _LEAF_BOX.get(name, np.array([0.0, 0.2, 0.0]))
        nodes[index[name]]["children"].append(len(nodes))  # type: ignore[attr-defined]
        nodes.append(
            {
                "name": f"{name}Box",
                "mesh": 0,
                "translation": (d / 2).tolist(),
                "scale": (np.abs(d) + 0.06).tolist(),
            }
        )
    positions, normals, indices = _box()
    bin_ = positions.tobytes() + normals.tobytes() + indices.tobytes()
    p, n = positions.nbytes, normals.nbytes
    colour = [(c / 255) ** 2.2 for c in BOX_RGB] + [1.0]  # glTF colours are linear
    document = {
        "asset": {"version": "2.0", "generator": "pose-studio test fixture"},
        "extensionsUsed": ["VRMC_vrm"],
        "extensions": {
            "VRMC_vrm": {
                "specVersion": "1.0",
                "meta": {
                    "name": "fixture",
                    "version": "1",
                    "authors": ["pose-studio tests"],
                    "licenseUrl": "https://vrm.dev/licenses/1.0/",
                },
                "humanoid": {"humanBones": {b: {"node": index[b]} for b in BONES}},
            }
        },
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": nodes,
        "meshes": [
            {
                "primitives": [
                    {"attributes": {"POSITION": 0, "NORMAL": 1}, "indices": 2, "material": 0}
                ]
            }
        ],
        "materials": [{"pbrMetallicRoughness": {"baseColorFactor": colour, "metallicFactor": 0.0}}],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": 24,
                "type": "VEC3",
                "min": [-0.5] * 3,
                "max": [0.5] * 3,
            },
            {"bufferView": 1, "componentType": 5126, "count": 24, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5123, "count": 36, "type": "SCALAR"},
        ],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": p},
            {"buffer": 0, "byteOffset": p, "byteLength": n},
            {"buffer": 0, "byteOffset": p + n, "byteLength": indices.nbytes},
        ],
        "buffers": [{"byteLength": len(bin_)}],
    }
    return glb(document, bin_)


def glb(document: object, bin_: bytes) -> bytes:
    """glTF 2.0 binary: header, JSON chunk (space-padded), BIN chunk (zero-padded)."""
    text = json.dumps(document).encode()
    text += b" " * (-len(text) % 4)
    bin_ += b"\0" * (-len(bin_) % 4)
    total = 12 + 8 + len(text) + 8 + len(bin_)
    return (
        struct.pack("<III", 0x46546C67, 2, total)
        + struct.pack("<II", len(text), 0x4E4F534A)
        + text
        + struct.pack("<II", len(bin_), 0x004E4942)
        + bin_
    )
