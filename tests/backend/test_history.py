from __future__ import annotations

import itertools
import threading

import numpy as np

from posestudio.history import PoseHistory, PoseSample


def sample(t: float) -> PoseSample:
    return PoseSample(time=t, capture_ts=t * 1000, landmarks=np.zeros((33, 5)), world=None)


def test_keeps_only_the_last_seconds_and_at_most_max_samples() -> None:
    history = PoseHistory(seconds=10, max_samples=1000)
    for t in range(30):
        history.append(sample(float(t)))
    assert [s.time for s in history.window(0)] == [float(t) for t in range(19, 30)]
    small = PoseHistory(seconds=100, max_samples=5)
    for t in range(30):
        small.append(sample(float(t)))
    assert len(small) == 5


def test_reading_while_a_worker_appends_is_safe() -> None:
    history = PoseHistory(seconds=1e9, max_samples=500)
    done = threading.Event()

    def writer() -> None:
        for t in range(20_000):
            history.append(sample(float(t)))
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    reads = 0
    while not done.is_set():
        window = history.window(0)
        assert all(a.time < b.time for a, b in itertools.pairwise(window))
        reads += 1
    thread.join()
    assert reads > 0 and len(history) == 500
