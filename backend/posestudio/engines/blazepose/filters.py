"""MediaPipe's landmark filters, as `PoseLandmarkFiltering` in 0.10.21 configures them.

The values were read from the subgraph config compiled into the wheel: visibility through
a low-pass filter (alpha 0.1); image landmarks through a One-Euro filter (min cutoff 0.05,
beta 80, derivative cutoff 1) scaled by the ROI; the two auxiliary landmarks that steer
tracking through their own (0.01, 10, 1), which MediaPipe always applies; world landmarks
through (0.1, 40, 1) without value scaling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

NS = 1_000_000_000


@dataclass(frozen=True)
class OneEuro:
    min_cutoff: float
    beta: float
    derivate_cutoff: float
    scaled: bool = True


LANDMARKS = OneEuro(0.05, 80.0, 1.0)
AUXILIARY = OneEuro(0.01, 10.0, 1.0)
WORLD = OneEuro(0.1, 40.0, 1.0, scaled=False)
VISIBILITY_ALPHA = 0.1


def _alpha(cutoff: float, frequency: float) -> float:
    te = 1.0 / frequency
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / te)


class OneEuroFilter:
    """One filter per value array (all axes of all landmarks at once, as MediaPipe does each)."""

    def __init__(self, params: OneEuro) -> None:
        self.params = params
        self.frequency = 30.0
        self.last_ns = 0
        self.x: np.ndarray | None = None
        self.raw: np.ndarray | None = None
        self.dx: np.ndarray | None = None

    def apply(self, ns: int, value_scale: float, value: np.ndarray) -> np.ndarray:
        if self.last_ns >= ns:
            return value
        if self.last_ns != 0:
            self.frequency = NS / (ns - self.last_ns)
        self.last_ns = ns
        dvalue = (
            (value - self.raw) * value_scale * self.frequency
            if self.raw is not None
            else np.zeros_like(value)
        )
        a_d = _alpha(self.params.derivate_cutoff, self.frequency)
        self.dx = dvalue if self.dx is None else a_d * dvalue + (1 - a_d) * self.dx
        cutoff = self.params.min_cutoff + self.params.beta * np.abs(self.dx)
        te = 1.0 / self.frequency
        tau = 1.0 / (2 * np.pi * cutoff)
        a = 1.0 / (1.0 + tau / te)
        self.x = value if self.x is None else a * value + (1 - a) * self.x
        self.raw = value
        return self.x


class LandmarkSmoother:
    """Visibility low-pass, then One-Euro on (x, y, z) of a (N, 5) landmark array."""

    def __init__(self, params: OneEuro) -> None:
        self.params = params
        self.filter = OneEuroFilter(params)
        self.visibility: np.ndarray | None = None

    def apply(
        self, ns: int, landmarks: np.ndarray, image_w: int, image_h: int, object_scale: float
    ) -> np.ndarray:
        out = landmarks.copy()
        vis = landmarks[:, 3]
        self.visibility = (
            vis
            if self.visibility is None
            else VISIBILITY_ALPHA * vis + (1 - VISIBILITY_ALPHA) * self.visibility
        )
        out[:, 3] = self.visibility
        if self.params.scaled:
            if object_scale < 1e-6:
                return out
            value_scale = 1.0 / object_scale
            size = np.array([image_w, image_h, image_w], dtype=np.float64)
        else:
            value_scale = 1.0
            size = np.ones(3)
        xyz = landmarks[:, :3].astype(np.float64) * size
        out[:, :3] = self.filter.apply(ns, value_scale, xyz) / size
        return out
