"""Joint-angle statistics over a window of a stream's pose history (the agent reads these).

Angles are measured in 3D on the `world` landmarks (metres, hip-centred), so they do not
depend on the camera's view angle the way 2D image angles do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from posestudio.history import PoseSample
from posestudio.protocol import LANDMARK_INDEX

# joint -> (a, vertex, b): the angle at `vertex` between the rays to `a` and `b`.
JOINTS: dict[str, tuple[str, str, str]] = {
    "left_elbow": ("left_shoulder", "left_elbow", "left_wrist"),
    "right_elbow": ("right_shoulder", "right_elbow", "right_wrist"),
    "left_shoulder": ("left_hip", "left_shoulder", "left_elbow"),
    "right_shoulder": ("right_hip", "right_shoulder", "right_elbow"),
    "left_hip": ("left_shoulder", "left_hip", "left_knee"),
    "right_hip": ("right_shoulder", "right_hip", "right_knee"),
    "left_knee": ("left_hip", "left_knee", "left_ankle"),
    "right_knee": ("right_hip", "right_knee", "right_ankle"),
}

VISIBILITY = 3


@dataclass(frozen=True)
class JointStats:
    """Degrees; `min_ts`/`max_ts` are the capture_ts (epoch ms) of the extremes."""

    min: float
    mean: float
    max: float
    range_of_motion: float
    min_ts: float
    max_ts: float
    visibility: float
    samples: int


def angle_series(worlds: np.ndarray) -> dict[str, np.ndarray]:
    """Every joint's angle in degrees for (N, 33, 5) world landmarks, vectorised.

    NaN where a ray has no length (coincident landmarks).
    """
    out: dict[str, np.ndarray] = {}
    for joint, (a, v, b) in JOINTS.items():
        vertex = worlds[:, LANDMARK_INDEX[v], :3]
        u = worlds[:, LANDMARK_INDEX[a], :3] - vertex
        w = worlds[:, LANDMARK_INDEX[b], :3] - vertex
        norm = np.linalg.norm(u, axis=1) * np.linalg.norm(w, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            cosine = np.clip(np.sum(u * w, axis=1) / norm, -1.0, 1.0)
        out[joint] = np.where(norm > 1e-9, np.degrees(np.arccos(cosine)), np.nan)
    return out


def joint_angles(world: np.ndarray) -> dict[str, float]:
    """Every joint's angle in degrees for one (33, 5) world-landmark array."""
    series = angle_series(world[np.newaxis])
    return {joint: float(values[0]) for joint, values in series.items() if not np.isnan(values[0])}


def _absences(samples: list[PoseSample]) -> list[dict[str, float]]:
    """Spans (capture_ts) in which no person was in view, each from its first empty frame."""
    spans: list[dict[str, float]] = []
    start: float | None = None
    for sample in samples:
        if sample.world is None and start is None:
            start = sample.capture_ts
        elif sample.world is not None and start is not None:
            spans.append({"start_ts": start, "end_ts": sample.capture_ts})
            start = None
    if start is not None:
        spans.append({"start_ts": start, "end_ts": samples[-1].capture_ts})
    return spans


def window_stats(samples: list[PoseSample]) -> dict[str, Any]:
    """Per-joint min/mean/max/range of motion, visibility and time in view for `samples`."""
    with_person = [s for s in samples if s.world is not None]
    angles: dict[str, Any] = {joint: None for joint in JOINTS}
    if with_person:
        worlds = np.stack([s.world for s in with_person if s.world is not None])
        times = np.array([s.capture_ts for s in with_person])
        for joint, degrees in angle_series(worlds).items():
            valid = ~np.isnan(degrees)
            if not valid.any():
                continue
            idx = [LANDMARK_INDEX[name] for name in JOINTS[joint]]
            visibility = worlds[:, idx, VISIBILITY].mean(axis=1)[valid]
            values, ts = degrees[valid], times[valid]
            lo, hi = int(np.argmin(values)), int(np.argmax(values))
            stats = JointStats(
                min=round(float(values[lo]), 1),
                mean=round(float(values.mean()), 1),
                max=round(float(values[hi]), 1),
                range_of_motion=round(float(values[hi] - values[lo]), 1),
                min_ts=float(ts[lo]),
                max_ts=float(ts[hi]),
                visibility=round(float(visibility.mean()), 3),
                samples=int(valid.sum()),
            )
            angles[joint] = asdict(stats)
    return {
        "samples": len(samples),
        "samples_with_person": len(with_person),
        "in_view_fraction": round(len(with_person) / len(samples), 3) if samples else None,
        "first_ts": samples[0].capture_ts if samples else None,
        "last_ts": samples[-1].capture_ts if samples else None,
        "angles": angles,
        "out_of_view": _absences(samples),
    }
