"""Repetition counting on joint-angle series (squats from the knee, curls from the elbow).

The series are resampled to a regular grid and smoothed; the joint that moves most
periodically (the highest autocorrelation peak at a lag between the shortest and the
longest period, among joints seen well that move at least `min_amplitude_deg`) is the
one counted. A repetition is a full swing with hysteresis: from the rest side past 70 %
of the swing's amplitude to the far side past 35 % and back, so jitter around one
threshold never counts; two bottoms closer than `min_period_s` count once. Whether the
rest side is the high angle (a squat, a curl: the knee or elbow straight) or the low one
(an arm raise) is read from where the angle spends most of its time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RepetitionConfig:
    rate_hz: float = 20.0
    smooth_s: float = 0.25
    max_gap_s: float = 0.5  # shorter gaps are interpolated; longer ones break the series
    min_period_s: float = 0.8
    max_period_s: float = 12.0
    min_amplitude_deg: float = 20.0
    min_visibility: float = 0.5
    upper: float = 0.7  # the rest-side threshold, as a fraction of the amplitude
    lower: float = 0.35  # the far-side threshold


@dataclass(frozen=True)
class Rep:
    ts: float
    end_ts: float
    joint: str
    depth_deg: float
    bottom_ts: float
    bottom_deg: float


def resample(times: np.ndarray, values: np.ndarray, config: RepetitionConfig) -> np.ndarray:
    """(grid times, values): NaN where the series has no value within `max_gap_s`."""
    valid = ~np.isnan(values)
    if valid.sum() < 2:
        return np.empty((2, 0))
    t, v = times[valid], values[valid]
    grid = np.arange(t[0], t[-1], 1.0 / config.rate_hz)
    out = np.interp(grid, t, v)
    # A grid point between two samples further apart than max_gap_s has no value.
    after = np.clip(np.searchsorted(t, grid, side="right"), 1, len(t) - 1)
    out[(t[after] - t[after - 1]) > config.max_gap_s] = np.nan
    return np.vstack([grid, out])


def smooth(values: np.ndarray, width: int) -> np.ndarray:
    """A centred moving average that ignores NaN (NaN stays NaN)."""
    if width <= 1 or values.size == 0:
        return values
    kernel = np.ones(width)
    valid = ~np.isnan(values)
    total = np.convolve(np.where(valid, values, 0.0), kernel, mode="same")
    count = np.convolve(valid.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(valid, total / count, np.nan)


def periodicity(values: np.ndarray, config: RepetitionConfig) -> float:
    """The highest normalised autocorrelation peak at a lag in the period range (0..1)."""
    if values.size < 4 or np.isnan(values).all():
        return 0.0
    x = np.where(np.isnan(values), np.nanmedian(values), values)
    x = x - x.mean()
    energy = float(np.dot(x, x))
    if energy <= 1e-9:
        return 0.0
    n = x.size
    spectrum = np.fft.rfft(x, 2 * n)
    ac = np.fft.irfft(spectrum * np.conj(spectrum))[:n] / energy
    lo = max(1, int(config.min_period_s * config.rate_hz))
    hi = min(n // 2, int(config.max_period_s * config.rate_hz))
    if hi <= lo + 1:
        return 0.0
    window = ac[lo - 1 : hi + 1]
    peaks = (window[1:-1] > window[:-2]) & (window[1:-1] >= window[2:])
    return float(max(0.0, window[1:-1][peaks].max())) if peaks.any() else 0.0


def _edge(s: np.ndarray, start: int, step: int, tolerance: float) -> int:
    """From `start`, walk (by `step`) while the signal keeps rising: the top's edge."""
    i = start
    while 0 <= i + step < s.size and not np.isnan(s[i + step]) and s[i + step] > s[i] + tolerance:
        i += step
    return i


def count(
    times: np.ndarray, values: np.ndarray, joint: str, config: RepetitionConfig | None = None
) -> list[Rep]:
    """The repetitions of one joint's angle series (degrees at `times` seconds)."""
    config = config or RepetitionConfig()
    grid, raw = resample(times, values, config)
    v = smooth(raw, round(config.smooth_s * config.rate_hz))
    if v.size == 0 or np.isnan(v).all():
        return []
    lo, hi = np.nanpercentile(v, 5), np.nanpercentile(v, 95)
    amplitude = float(hi - lo)
    if amplitude < config.min_amplitude_deg:
        return []
    # s dips at every repetition: v itself when the rest side is the high angle.
    sign = 1.0 if np.nanmedian(v) >= (lo + hi) / 2 else -1.0
    s = sign * v
    base = float(np.nanpercentile(s, 5))
    upper, lower = base + config.upper * amplitude, base + config.lower * amplitude
    tolerance = 0.005 * amplitude
    reps: list[Rep] = []
    state, last_top, bottom = "unknown", -1, -1
    for i, value in enumerate(s):
        if np.isnan(value):  # a gap: a repetition across it is not counted
            state = "unknown"
            continue
        if value >= upper:
            if state == "down":
                start = _edge(s, last_top, -1, tolerance)
                end = _edge(s, i, 1, tolerance)
                top = max(s[start], s[end])
                period_ok = not reps or grid[bottom] - reps[-1].bottom_ts >= config.min_period_s
                if period_ok and grid[end] - grid[start] >= config.min_period_s / 2:
                    reps.append(
                        Rep(
                            ts=round(float(grid[start]), 3),
                            end_ts=round(float(grid[end]), 3),
                            joint=joint,
                            depth_deg=round(float(top - s[bottom]), 1),
                            bottom_ts=round(float(grid[bottom]), 3),
                            bottom_deg=round(float(v[bottom]), 1),
                        )
                    )
            state, last_top = "up", i
        elif value <= lower and state in ("up", "down"):
            if state == "up" or value < s[bottom]:
                bottom = i
            state = "down"
    return reps


def best_joint(
    times: np.ndarray,
    angles: dict[str, np.ndarray],
    visibility: dict[str, np.ndarray],
    config: RepetitionConfig | None = None,
) -> str | None:
    """The joint whose angle moves most periodically, among those seen well enough."""
    config = config or RepetitionConfig()
    best: tuple[float, str] | None = None
    for joint, values in angles.items():
        seen = ~np.isnan(values)
        if seen.sum() < 4 or np.median(visibility[joint][seen]) < config.min_visibility:
            continue
        _, raw = resample(times, values, config)
        v = smooth(raw, round(config.smooth_s * config.rate_hz))
        if v.size == 0 or np.isnan(v).all():
            continue
        amplitude = float(np.nanpercentile(v, 95) - np.nanpercentile(v, 5))
        if amplitude < config.min_amplitude_deg:
            continue
        score = periodicity(v, config) * min(1.0, amplitude / 60.0)
        if best is None or score > best[0]:
            best = (score, joint)
    return None if best is None else best[1]


def repetitions(
    times: np.ndarray,
    angles: dict[str, np.ndarray],
    visibility: dict[str, np.ndarray],
    config: RepetitionConfig | None = None,
) -> list[Rep]:
    """The repetitions of the most periodic joint (none when no joint qualifies)."""
    joint = best_joint(times, angles, visibility, config)
    return [] if joint is None else count(times, angles[joint], joint, config)
