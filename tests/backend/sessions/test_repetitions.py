"""Repetition counting on synthetic joint-angle series whose repetitions are known."""

from __future__ import annotations

import numpy as np
import pytest

from posestudio.sessions.repetitions import (
    RepetitionConfig,
    best_joint,
    count,
    periodicity,
    repetitions,
)

RNG = np.random.default_rng(11)


def series(
    reps: list[tuple[float, float]],
    *,
    duration: float,
    fps: float = 30.0,
    rest: float = 175.0,
    far: float = 90.0,
    noise: float = 1.5,
    jitter: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Frame times (with optional jitter) and an angle at rest except for each (start,
    length) repetition, a cosine swing from `rest` to `far` and back."""
    times = np.arange(0.0, duration, 1.0 / fps)
    times = np.sort(times + RNG.uniform(-jitter, jitter, times.shape))
    angle = np.full(times.shape, rest)
    for start, length in reps:
        inside = (times >= start) & (times < start + length)
        phase = (1 - np.cos(2 * np.pi * (times[inside] - start) / length)) / 2
        angle[inside] = rest + (far - rest) * phase
    return times, angle + RNG.normal(0.0, noise, times.shape)


@pytest.mark.parametrize("period", [1.2, 2.5, 6.0])
def test_regular_squats_are_counted_exactly(period: float) -> None:
    reps = [(1.0 + n * period, period * 0.9) for n in range(8)]
    times, knee = series(reps, duration=1.0 + 8 * period + 2)
    found = count(times, knee, "left_knee")
    assert len(found) == 8
    for (start, length), rep in zip(reps, found, strict=True):
        assert rep.bottom_ts == pytest.approx(start + length / 2, abs=0.2)
        assert start - 0.3 <= rep.ts < rep.bottom_ts < rep.end_ts <= start + length + 0.3
        assert rep.depth_deg == pytest.approx(85, abs=8)
        assert rep.bottom_deg == pytest.approx(90, abs=5)


def test_irregular_pace_pauses_jittered_frames_and_a_bounce_at_the_bottom() -> None:
    reps = [(1.0, 2.0), (3.5, 1.5), (9.0, 3.0), (12.2, 1.1), (30.0, 2.4)]
    times, knee = series(reps, duration=35.0, fps=15.0, jitter=0.02, noise=2.5)
    # A bounce at the bottom of the third repetition (up 12°, down again) counts once.
    bounce = (times > 10.3) & (times < 10.7)
    knee[bounce] += 12.0
    assert len(count(times, knee, "right_knee")) == 5


def test_curls_rest_high_and_arm_raises_rest_low() -> None:
    reps = [(1.0 + 2.5 * n, 2.0) for n in range(6)]
    times, elbow = series(reps, duration=17.0, rest=165.0, far=40.0)
    assert len(count(times, elbow, "left_elbow")) == 6
    times, shoulder = series(reps, duration=17.0, rest=20.0, far=150.0)
    raises = count(times, shoulder, "left_shoulder")
    assert len(raises) == 6
    # Counted on the far side: the "bottom" of an arm raise is the arm at its highest.
    assert all(rep.bottom_deg > 130 for rep in raises)


def test_jitter_small_swings_and_too_fast_wobbles_are_not_repetitions() -> None:
    times, still = series([], duration=20.0, noise=4.0)
    assert count(times, still, "left_knee") == []
    small = [(1.0 + 2 * n, 1.8) for n in range(8)]
    times, shallow = series(small, duration=18.0, far=160.0)  # 15° swings
    assert count(times, shallow, "left_knee") == []
    times = np.arange(0.0, 10.0, 1 / 30)
    wobble = 130 + 40 * np.sin(2 * np.pi * times / 0.3)  # 0.3 s period: not a person's rep
    assert count(times, wobble, "left_knee") == []


def test_a_repetition_across_a_gap_is_not_counted() -> None:
    reps = [(1.0 + 3 * n, 2.4) for n in range(5)]
    times, knee = series(reps, duration=17.0)
    knee[(times > 7.5) & (times < 8.6)] = np.nan  # nobody in view through rep 3's bottom
    found = count(times, knee, "left_knee")
    assert len(found) == 4
    assert not any(7.0 < rep.bottom_ts < 9.0 for rep in found)


def test_the_most_periodic_well_seen_joint_is_counted() -> None:
    reps = [(1.0 + 2.5 * n, 2.0) for n in range(10)]
    times, knee = series(reps, duration=27.0)
    wander = 120 + np.cumsum(RNG.normal(0, 2.0, times.shape))  # large, not periodic
    _, hidden = series([(1.0 + 1.3 * n, 1.0) for n in range(20)], duration=27.0)
    angles = {"left_knee": knee, "left_hip": wander, "left_elbow": hidden}
    seen = np.full(times.shape, 0.9)
    visibility = {"left_knee": seen, "left_hip": seen, "left_elbow": np.full(times.shape, 0.2)}
    at_frame_rate = RepetitionConfig(rate_hz=30.0)  # the series are already on a 30 Hz grid
    assert periodicity(knee, at_frame_rate) > 0.5 > periodicity(wander, at_frame_rate)
    assert best_joint(times, angles, visibility) == "left_knee"
    found = repetitions(times, angles, visibility)
    assert len(found) == 10 and {r.joint for r in found} == {"left_knee"}
    only_hidden = {"left_elbow": visibility["left_elbow"]}
    assert repetitions(times, {"left_elbow": hidden}, only_hidden) == []
