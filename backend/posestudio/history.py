"""A bounded in-memory history of recent poses per stream (the agent's tools read it)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PoseSample:
    """One processed frame: wall time, the client's capture time, and the first person."""

    time: float
    capture_ts: float
    landmarks: np.ndarray | None
    world: np.ndarray | None


class PoseHistory:
    """Keeps the last `seconds` of samples (and at most `max_samples`).

    Worker threads append while HTTP handlers read, hence the lock.
    """

    def __init__(self, seconds: float, max_samples: int) -> None:
        self.seconds = seconds
        self._samples: deque[PoseSample] = deque(maxlen=max(1, max_samples))
        self._lock = threading.Lock()

    def append(self, sample: PoseSample) -> None:
        horizon = sample.time - self.seconds
        with self._lock:
            self._samples.append(sample)
            while self._samples and self._samples[0].time < horizon:
                self._samples.popleft()

    def window(self, since: float) -> list[PoseSample]:
        with self._lock:
            return [s for s in self._samples if s.time >= since]

    def __len__(self) -> int:
        return len(self._samples)
