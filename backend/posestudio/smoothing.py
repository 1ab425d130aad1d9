"""One-Euro filter (Casiez et al., CHI 2012) over whole landmark arrays."""

from __future__ import annotations

import math

import numpy as np

from posestudio.protocol import SmoothingConfig


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Smooths an array elementwise; speed-adaptive cutoff cuts jitter but not motion."""

    def __init__(self, config: SmoothingConfig) -> None:
        self.config = config
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    def reset(self) -> None:
        self._x = self._dx = self._t = None

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        if self._x is None or self._t is None or self._dx is None or t <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x
        dt = t - self._t
        dx = (x - self._x) / dt
        dx_hat = self._dx + _alpha(self.config.d_cutoff, dt) * (dx - self._dx)
        cutoff = self.config.min_cutoff + self.config.beta * np.abs(dx_hat)
        x_hat: np.ndarray = self._x + _alpha(cutoff, dt) * (x - self._x)
        self._x, self._dx, self._t = x_hat, dx_hat, t
        return x_hat


class PoseSmoother:
    """Smooths the x, y, z columns of both landmark sets; reset when tracking is lost."""

    def __init__(self, config: SmoothingConfig) -> None:
        self._image = OneEuroFilter(config)
        self._world = OneEuroFilter(config)

    def reset(self) -> None:
        self._image.reset()
        self._world.reset()

    def __call__(
        self, landmarks: np.ndarray, world: np.ndarray, t: float
    ) -> tuple[np.ndarray, np.ndarray]:
        landmarks = landmarks.copy()
        world = world.copy()
        landmarks[:, :3] = self._image(landmarks[:, :3], t)
        world[:, :3] = self._world(world[:, :3], t)
        return landmarks, world
