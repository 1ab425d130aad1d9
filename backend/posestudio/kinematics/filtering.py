"""Temporal behaviour of rotations: a slerp One-Euro filter and the visibility hold.

Both keep one row per bone and work on all bones at once. They act on rotations,
after the solver, and are independent of the landmark smoothing a stream may also use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posestudio.kinematics import quaternions as q


@dataclass(frozen=True)
class FilterConfig:
    """One-Euro parameters for rotations (Casiez et al., CHI 2012), angular units."""

    min_cutoff: float = 1.5  # Hz, the cutoff at rest: lower is smoother and lags more
    beta: float = 0.5  # per rad/s: how fast the cutoff opens with angular speed
    d_cutoff: float = 1.0  # Hz, for the speed estimate


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + 1.0 / (2.0 * math.pi * np.asarray(cutoff) * dt)))


class RotationFilter:
    """One-Euro on unit quaternions: each step slerps from the last output towards the
    new rotation by the filter's alpha, with the cutoff opened by the angular speed."""

    def __init__(self, config: FilterConfig) -> None:
        self.config = config
        self._q: np.ndarray | None = None
        self._speed: np.ndarray | None = None
        self._t = 0.0

    def reset(self) -> None:
        self._q = self._speed = None

    def __call__(self, rotations: np.ndarray, t: float) -> np.ndarray:
        """Rotations (B, 4) at time t (seconds) -> filtered rotations (B, 4)."""
        if self._q is None or self._speed is None or t <= self._t:
            # The first frame, or time went back (a new clock): start over from here.
            self._q, self._speed, self._t = rotations.copy(), np.zeros(len(rotations)), t
            return rotations
        dt = min(t - self._t, 1.0)
        speed = q.angle(q.mul(q.conj(self._q), rotations)) / dt
        c = self.config
        self._speed = self._speed + _alpha(c.d_cutoff, dt) * (speed - self._speed)
        alpha = _alpha(c.min_cutoff + c.beta * self._speed, dt)
        self._q = q.slerp(self._q, rotations, alpha)
        self._t = t
        return self._q


class VisibilityHold:
    """Bones whose landmarks are not seen keep their last good rotation for `hold_s`,
    then ease towards the rest pose with time constant `ease_s` (never seen: rest)."""

    def __init__(
        self, rest: np.ndarray, threshold: float = 0.5, hold_s: float = 0.5, ease_s: float = 1.0
    ) -> None:
        self.rest = rest
        self.threshold, self.hold_s, self.ease_s = threshold, hold_s, ease_s
        self.reset()

    def reset(self) -> None:
        self._last = self.rest.copy()
        self._since = np.full(len(self.rest), -np.inf)

    def __call__(
        self, rotations: np.ndarray, confidence: np.ndarray, t: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rotations (B, 4) with confidences (B,) -> rotations with unseen bones held, and
        which bones were held (B,)."""
        good = confidence >= self.threshold
        self._last = np.where(good[:, None], rotations, self._last)
        self._since = np.where(good, t, self._since)
        waited = np.maximum(t - self._since - self.hold_s, 0.0)
        eased = q.slerp(self._last, self.rest, 1.0 - np.exp(-waited / self.ease_s))
        return np.where(good[:, None], rotations, eased), ~good
