"""Constant measures: locked medians, the scaled reference, robust to outliers."""

from __future__ import annotations

import numpy as np

from posestudio.kinematics.lengths import MeasureEstimator, robust_measures, scale_of
from posestudio.kinematics.skeleton import MEASURE, NUM_LENGTHS, NUM_MEASURES, REFERENCE


def test_measures_lock_after_enough_good_frames_and_stay() -> None:
    rng = np.random.default_rng(2)
    truth = REFERENCE * 1.2
    estimator = MeasureEstimator(window=40, samples=20)
    confidence = np.ones(NUM_MEASURES)
    confidence[MEASURE["leftUpperLeg"]] = 0.0  # never seen
    history = []
    for _ in range(60):
        sample = truth + rng.normal(scale=0.01, size=NUM_MEASURES)
        history.append(estimator.update(sample, confidence).copy())
    history_arr = np.stack(history)
    assert (history_arr[19:] == history_arr[19]).all()
    assert np.abs(history_arr[-1] - truth).max() < 0.01
    # The unseen thigh is the reference thigh scaled like the measured bones.
    leg = MEASURE["leftUpperLeg"]
    assert not estimator.locked[leg]
    assert abs(history_arr[-1, leg] - REFERENCE[leg] * 1.2) < 0.01
    assert abs(scale_of(history_arr[-1]) - 1.2) < 0.01


def test_collapsed_and_wild_samples_do_not_become_lengths() -> None:
    rng = np.random.default_rng(3)
    truth = REFERENCE.copy()
    measures = np.tile(truth, (100, 1)) + rng.normal(scale=0.005, size=(100, NUM_MEASURES))
    measures[::10, :NUM_LENGTHS] *= 3.0  # every tenth frame, wild
    measures[5::10, :NUM_LENGTHS] = 0.0  # collapsed limbs
    measures[7, :] = np.nan
    values, known = robust_measures(measures, np.ones_like(measures))
    assert known.all()
    assert np.abs(values - truth).max() < 0.01


def test_a_calibration_sets_every_measure() -> None:
    estimator = MeasureEstimator()
    estimator.set(REFERENCE * 0.9)
    assert estimator.calibrated and estimator.locked.all()
    assert np.allclose(estimator.update(REFERENCE, np.ones(NUM_MEASURES)), REFERENCE * 0.9)
