"""A whole recorded take solved at once, with the take's own constant bone lengths."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posestudio.kinematics.lengths import robust_measures
from posestudio.kinematics.solver import solve
from posestudio.kinematics.tracker import SkeletonTracker, TrackerConfig


@dataclass(frozen=True)
class Take:
    rotations: np.ndarray  # (T, B, 4) local rotations, held, clamped and filtered
    root: np.ndarray  # (T, 3) metres, Y up
    measures: np.ndarray  # (M,) constant over the take
    clamped: np.ndarray  # (T, B)
    scale: float  # the body's size relative to the reference


def solve_take(world: np.ndarray, times: np.ndarray, config: TrackerConfig | None = None) -> Take:
    """Frames of world landmarks (T, 33, >=4) at `times` (T,) seconds -> the take.

    The bone lengths are the medians over every frame where each was seen (the reference
    body, scaled, for those never seen), so they are the same in every frame.
    """
    config = config or TrackerConfig()
    solution = solve(world)
    measures, _ = robust_measures(solution.measures, solution.measure_confidence, config.visibility)
    tracker = SkeletonTracker(config)
    tracker.measures.set(measures, calibrated=False)
    poses = [tracker.update(w, float(t)) for w, t in zip(world, times, strict=True)]
    return Take(
        rotations=np.stack([p.rotations for p in poses]),
        root=np.stack([p.root for p in poses]),
        measures=measures,
        clamped=np.stack([p.clamped for p in poses]),
        scale=tracker.measures.scale,
    )
