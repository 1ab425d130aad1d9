"""One person's skeleton over time: solve, hold unseen bones, filter, clamp.

The tracker owns what must persist between frames of a stream: the locked measures
(bone lengths), the head's rest pitch, the last good rotation of every bone, the
filter's state and the clamp counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posestudio.kinematics.calibration import CalibrationResult
from posestudio.kinematics.filtering import FilterConfig, RotationFilter, VisibilityHold
from posestudio.kinematics.lengths import MeasureEstimator
from posestudio.kinematics.limits import clamp
from posestudio.kinematics.skeleton import NUM_BONES, relaxed_pose
from posestudio.kinematics.solver import DEFAULT_HEAD_PITCH, solve


@dataclass(frozen=True)
class TrackerConfig:
    visibility: float = 0.5  # a bone is seen when its landmarks' confidence reaches this
    hold_s: float = 0.5  # an unseen bone keeps its last rotation this long
    ease_s: float = 1.0  # then eases to the relaxed rest pose with this time constant
    window: int = 60  # frames of recent measures kept for the medians
    samples: int = 30  # good frames before a measure locks
    filter: FilterConfig | None = field(default_factory=FilterConfig)  # None: unfiltered


@dataclass(frozen=True)
class SkeletonPose:
    rotations: np.ndarray  # (B, 4) local rotations, x y z w
    root: np.ndarray  # (3,) the hips' position, metres, Y up
    measures: np.ndarray  # (M,) the person's constant measures in use
    scale: float
    calibrated: bool
    held: np.ndarray  # (B,) bones not seen in this frame
    clamped: np.ndarray  # (B,) bones the limits changed in this frame


class SkeletonTracker:
    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = config or TrackerConfig()
        c = self.config
        self.measures = MeasureEstimator(c.window, c.samples, c.visibility)
        self.hold = VisibilityHold(relaxed_pose(), c.visibility, c.hold_s, c.ease_s)
        self.filter = RotationFilter(c.filter) if c.filter else None
        self.head_pitch = DEFAULT_HEAD_PITCH
        self.clamps = np.zeros(NUM_BONES, dtype=np.int64)  # per bone, since the start
        self.frames = 0

    def calibrate(self, result: CalibrationResult) -> None:
        """Adopt an accepted calibration's measures and rest pitch (refusals change nothing)."""
        if result.accepted and result.measures is not None and result.head_pitch is not None:
            self.measures.set(result.measures)
            self.head_pitch = result.head_pitch

    def update(self, world: np.ndarray, t: float) -> SkeletonPose:
        """One frame of world landmarks (33, >=4) at time t (seconds) -> the skeleton."""
        solution = solve(world[None], self.head_pitch)
        measures = self.measures.update(solution.measures[0], solution.measure_confidence[0])
        rotations, held = self.hold(solution.local[0], solution.confidence[0], t)
        if self.filter is not None:
            rotations = self.filter(rotations, t)
        # Last, so that what leaves is within the limits whatever the filter did.
        clamped_rotations, clamped = clamp(rotations[None])
        rotations, clamped = clamped_rotations[0], clamped[0]
        self.clamps += clamped
        self.frames += 1
        return SkeletonPose(
            rotations=rotations,
            root=solution.root[0],
            measures=measures,
            scale=self.measures.scale,
            calibrated=self.measures.calibrated,
            held=held,
            clamped=clamped,
        )
