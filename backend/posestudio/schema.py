"""The `pose_v1` result schema and the `/pose` protocol's message models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

SCHEMA = "pose_v1"

# MediaPipe BlazePose's 33 landmarks, in its order and with its names.
LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
NUM_LANDMARKS = len(LANDMARK_NAMES)
LANDMARK_INDEX = {name: i for i, name in enumerate(LANDMARK_NAMES)}

STREAM_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


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


class SmoothingConfig(BaseModel):
    """One-Euro filter parameters; see `smoothing.py`."""

    model_config = ConfigDict(extra="forbid")

    min_cutoff: float = Field(1.0, gt=0, le=100)
    beta: float = Field(0.05, ge=0, le=100)
    d_cutoff: float = Field(1.0, gt=0, le=100)


class StartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stream_id: str = Field(pattern=STREAM_ID_PATTERN)
    engine: str | None = Field(None, max_length=64)
    # `true` means defaults, `false`/absent means off, an object sets the parameters.
    smoothing: SmoothingConfig | bool | None = None

    def smoothing_config(self) -> SmoothingConfig | None:
        if self.smoothing is True:
            return SmoothingConfig()
        if isinstance(self.smoothing, SmoothingConfig):
            return self.smoothing
        return None


class StopRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stream_id: str = Field(pattern=STREAM_ID_PATTERN)


class FrameMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stream_id: str = Field(pattern=STREAM_ID_PATTERN)
    seq: StrictInt = Field(ge=0, le=2**53)
    capture_ts: StrictFloat | StrictInt = Field(ge=0, le=1e15)
