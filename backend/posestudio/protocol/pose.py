"""A detected person and its `pose_v1` wire form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Person:
    """One detected person: arrays of shape (33, 5) holding x, y, z, visibility, presence."""

    score: float
    landmarks: np.ndarray
    world: np.ndarray


def _rows(array: np.ndarray, xyz_digits: int) -> list[list[float]]:
    # Rounding keeps a pose message well under 3 KB; 4 decimals of a normalised
    # coordinate is 0.1 px at 1000 px, and 4 decimals of metres is 0.1 mm.
    xyz = np.round(array[:, :3].astype(np.float64), xyz_digits)
    vp = np.round(array[:, 3:5].astype(np.float64), 3)
    return np.concatenate([xyz, vp], axis=1).tolist()  # type: ignore[no-any-return]


def person_to_wire(person: Person) -> dict[str, Any]:
    return {
        "score": round(float(person.score), 3),
        "landmarks": _rows(person.landmarks, 4),
        "world": _rows(person.world, 4),
    }
