"""The kinematics pipeline stage: a skeleton for the first person of every result.

Written against the Stage protocol of docs/interfaces.md (`name`, `__call__(result) ->
result`, run in the worker thread after inference); `solve` is the same on plain arrays.
Calibration: `start_calibration` makes the next `calibration_s` seconds of frames a
T-pose candidate; when they are in, the verdict goes to the callback (from the worker
thread) and, when accepted, the stream's skeleton uses what was measured.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from threading import Lock
from typing import Any, Protocol, TypeVar

import numpy as np

from posestudio.kinematics.calibration import CalibrationResult, calibrate
from posestudio.kinematics.tracker import SkeletonTracker, TrackerConfig
from posestudio.kinematics.wire import skeleton_to_wire

CalibrationCallback = Callable[[CalibrationResult], None]


class _Person(Protocol):
    @property
    def world(self) -> np.ndarray: ...


class _Meta(Protocol):
    @property
    def capture_ts(self) -> float: ...  # milliseconds, the client's capture clock


class _Result(Protocol):
    """The part of pipeline.PoseResult this stage reads and writes."""

    @property
    def meta(self) -> _Meta: ...
    @property
    def persons(self) -> Sequence[_Person]: ...
    @property
    def extras(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=_Result)


class KinematicsStage:
    name = "kinematics"
    needs_pixels = False

    def __init__(self, config: TrackerConfig | None = None, calibration_s: float = 2.0) -> None:
        self.tracker = SkeletonTracker(config)
        self.calibration_s = calibration_s
        self.calibrations = 0  # verdicts given
        self._lock = Lock()  # start_calibration comes from the event loop
        self._pending: CalibrationCallback | None = None
        self._collecting = False
        self._frames: list[np.ndarray] = []
        self._started: float | None = None

    def __call__(self, result: R) -> R:
        """Adds `extras["skeleton"]` (the wire form) when the result has a person."""
        world = result.persons[0].world if result.persons else None
        skeleton = self.solve(world, float(result.meta.capture_ts) / 1000.0)
        if skeleton is not None:
            result.extras["skeleton"] = skeleton
        return result

    def solve(self, world: np.ndarray | None, t: float) -> dict[str, Any] | None:
        """World landmarks (33, >=4) at time t (seconds) -> the skeleton's wire form."""
        self._collect(world, t)
        if world is None:
            return None
        return skeleton_to_wire(self.tracker.update(np.asarray(world), t))

    def start_calibration(self, callback: CalibrationCallback | None = None) -> None:
        """Collect the next `calibration_s` seconds of frames as a T-pose (restarts one
        in progress; its callback is not called)."""
        with self._lock:
            self._pending, self._collecting = callback, True
            self._frames, self._started = [], None

    @property
    def calibrating(self) -> bool:
        """Whether frames are being collected for a calibration."""
        with self._lock:
            return self._collecting

    def cancel_calibration(self) -> int:
        """Stop collecting without a verdict (its callback is not called); the frames it
        had collected."""
        with self._lock:
            frames = len(self._frames)
            self._pending, self._collecting = None, False
            self._frames, self._started = [], None
        return frames

    def _collect(self, world: np.ndarray | None, t: float) -> None:
        with self._lock:
            if not self._collecting:
                return
            if self._started is None:
                self._started = t
            if world is not None:
                self._frames.append(np.asarray(world, dtype=float))
            if t - self._started < self.calibration_s:
                return
            frames, callback = self._frames, self._pending
            self._collecting, self._frames, self._pending = False, [], None
        shape = (0, 33, 5)
        result = calibrate(np.stack(frames) if frames else np.zeros(shape))
        self.tracker.calibrate(result)
        self.calibrations += 1
        if callback is not None:
            callback(result)
