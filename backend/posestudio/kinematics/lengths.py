"""Constant bone lengths per person: robust medians, locked once measured.

A measure (a segment length, or the nose's or a foot's offset vector) takes samples only
from frames where its landmarks were seen; once it has enough, its value is the median of
the recent ones and stays fixed, so the skeleton never stretches from frame to frame.
Measures not seen yet use the reference body scaled to the ones measured; they change
only at the moment another measure locks. A T-pose calibration sets them all at once.
"""

from __future__ import annotations

import numpy as np

from posestudio.kinematics.skeleton import NUM_LENGTHS, NUM_MEASURES, REFERENCE

# A segment shorter than this is a collapsed limb, not a sample of its length.
MIN_LENGTH = 0.02


def usable(measures: np.ndarray, confidence: np.ndarray, threshold: float) -> np.ndarray:
    """Which samples (..., M) can be trusted as samples of the person's measures."""
    ok: np.ndarray = (confidence >= threshold) & np.isfinite(measures)
    ok[..., :NUM_LENGTHS] &= measures[..., :NUM_LENGTHS] >= MIN_LENGTH
    return ok


def scaled_reference(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """`values` where known, else the reference body scaled to the known lengths."""
    lengths = known[:NUM_LENGTHS]
    scale = (
        float(np.median(values[:NUM_LENGTHS][lengths] / REFERENCE[:NUM_LENGTHS][lengths]))
        if lengths.any()
        else 1.0
    )
    return np.where(known, values, REFERENCE * scale)


def scale_of(values: np.ndarray) -> float:
    """The body's size relative to the reference body (1.0: about 1.70 m)."""
    return float(np.median(values[:NUM_LENGTHS] / REFERENCE[:NUM_LENGTHS]))


def robust_measures(
    measures: np.ndarray, confidence: np.ndarray, threshold: float = 0.5, minimum: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """Measures over a whole take (T, M) -> the person's (M,) and which were seen (M,)."""
    ok = usable(measures, confidence, threshold)
    known = ok.sum(axis=0) >= minimum
    values = np.zeros(NUM_MEASURES)
    for_median = np.where(ok, measures, np.nan)[:, known]
    if known.any():
        values[known] = np.nanmedian(for_median, axis=0)
    return scaled_reference(values, known), known


class MeasureEstimator:
    """The streaming estimate: a ring of the last `window` frames, locked per measure
    after `samples` good ones."""

    def __init__(self, window: int = 60, samples: int = 30, threshold: float = 0.5) -> None:
        self.window, self.samples, self.threshold = window, max(1, min(samples, window)), threshold
        self.reset()

    def reset(self) -> None:
        self._ring = np.full((self.window, NUM_MEASURES), np.nan)
        self._next = 0
        self.locked = np.zeros(NUM_MEASURES, dtype=bool)
        self.values = REFERENCE.copy()
        self.scale = 1.0
        self.calibrated = False

    def set(self, values: np.ndarray, calibrated: bool = True) -> None:
        """Take all measures at once: from a calibration, or a whole take's medians."""
        self.values = values.astype(float).copy()
        self.scale = scale_of(self.values)
        self.locked[:] = True
        self.calibrated = calibrated

    def update(self, measures: np.ndarray, confidence: np.ndarray) -> np.ndarray:
        """One frame's measures (M,) and confidences (M,) -> the person's measures (M,)."""
        if self.locked.all():
            return self.values
        ok = usable(measures, confidence, self.threshold) & ~self.locked
        self._ring[self._next] = np.where(ok, measures, np.nan)
        self._next = (self._next + 1) % self.window
        ready = (np.isfinite(self._ring).sum(axis=0) >= self.samples) & ~self.locked
        if ready.any():
            medians = np.nanmedian(self._ring[:, ready], axis=0)
            raw = np.where(self.locked, self.values, 0.0)
            raw[ready] = medians
            self.locked |= ready
            self.values = scaled_reference(raw, self.locked)
            self.scale = scale_of(self.values)
        return self.values
