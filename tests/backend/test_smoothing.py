from __future__ import annotations

import numpy as np

from posestudio.protocol import SmoothingConfig
from posestudio.smoothing import OneEuroFilter, PoseSmoother


def test_one_euro_cuts_jitter_on_a_still_signal() -> None:
    rng = np.random.default_rng(0)
    noisy = 0.5 + rng.normal(0, 0.01, size=(200, 3))
    smoother = OneEuroFilter(SmoothingConfig(min_cutoff=1.0, beta=0.0))
    out = np.stack([smoother(x, t / 30) for t, x in enumerate(noisy)])
    assert out[50:].std() < noisy[50:].std() / 2


def test_one_euro_follows_a_fast_move_when_beta_is_high() -> None:
    step = np.concatenate([np.zeros(30), np.ones(30)])[:, None]
    slow = OneEuroFilter(SmoothingConfig(min_cutoff=0.5, beta=0.0))
    fast = OneEuroFilter(SmoothingConfig(min_cutoff=0.5, beta=50.0))
    slow_out = [slow(np.array(x), t / 30)[0] for t, x in enumerate(step)]
    fast_out = [fast(np.array(x), t / 30)[0] for t, x in enumerate(step)]
    assert fast_out[35] > slow_out[35]
    assert fast_out[-1] > 0.9


def test_reset_forgets_the_past() -> None:
    smoother = OneEuroFilter(SmoothingConfig())
    smoother(np.zeros(3), 0.0)
    smoother(np.zeros(3), 0.1)
    smoother.reset()
    assert (smoother(np.ones(3), 0.2) == 1).all()


def test_pose_smoother_touches_xyz_but_not_visibility() -> None:
    smoother = PoseSmoother(SmoothingConfig(min_cutoff=0.1, beta=0.0))
    first = np.zeros((33, 5))
    second = np.ones((33, 5))
    smoother(first, first, 0.0)
    landmarks, world = smoother(second, second, 0.033)
    assert (landmarks[:, :3] < 0.5).all() and (world[:, :3] < 0.5).all()
    assert (landmarks[:, 3:] == 1).all() and (world[:, 3:] == 1).all()
