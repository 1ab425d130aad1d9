"""Joint-angle statistics over a window of a stream's pose history (the agent reads these).

Angles are measured in 3D on the `world` landmarks (metres, hip-centred), so they do not
depend on the camera's view angle the way 2D image angles do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from posestudio.history import PoseSample
from posestudio.schema import LANDMARK_INDEX

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


def joint_angles(world: np.ndarray) -> dict[str, float]:
    """Every joint's angle in degrees for one (33, 5) world-landmark array."""
    out: dict[str, float] = {}
    for joint, (a, v, b) in JOINTS.items():
        vertex = world[LANDMARK_INDEX[v], :3]
        u = world[LANDMARK_INDEX[a], :3] - vertex
        w = world[LANDMARK_INDEX[b], :3] - vertex
        norm = float(np.linalg.norm(u) * np.linalg.norm(w))
        if norm < 1e-9:
            continue
        cosine = float(np.clip(np.dot(u, w) / norm, -1.0, 1.0))
        out[joint] = float(np.degrees(np.arccos(cosine)))
    return out


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
    series: dict[str, list[tuple[float, float, float]]] = {joint: [] for joint in JOINTS}
    for sample in with_person:
        assert sample.world is not None
        for joint, angle in joint_angles(sample.world).items():
            a, v, b = JOINTS[joint]
            vis = float(
                np.mean([sample.world[LANDMARK_INDEX[name], VISIBILITY] for name in (a, v, b)])
            )
            series[joint].append((angle, sample.capture_ts, vis))
    angles: dict[str, Any] = {}
    for joint, values in series.items():
        if not values:
            angles[joint] = None
            continue
        degrees = np.array([v[0] for v in values])
        lo, hi = int(np.argmin(degrees)), int(np.argmax(degrees))
        stats = JointStats(
            min=round(float(degrees[lo]), 1),
            mean=round(float(degrees.mean()), 1),
            max=round(float(degrees[hi]), 1),
            range_of_motion=round(float(degrees[hi] - degrees[lo]), 1),
            min_ts=values[lo][1],
            max_ts=values[hi][1],
            visibility=round(float(np.mean([v[2] for v in values])), 3),
            samples=len(values),
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
