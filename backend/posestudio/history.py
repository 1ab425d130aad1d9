"""A bounded in-memory history of recent poses per stream (the agent's tools read it)."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from posestudio.pipeline.results import PoseResult
    from posestudio.pipeline.stream import Stream


@dataclass(frozen=True)
class PoseSample:
    """One processed frame: wall time, the client's capture time, and the first person."""

    time: float
    capture_ts: float
    landmarks: np.ndarray | None
    world: np.ndarray | None


class PoseHistory:
    """Keeps the last `seconds` of samples (and at most `max_samples`).

    The history sink appends on the event loop while HTTP handlers read in threads,
    hence the lock.
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


class HistorySink:
    """The sink that keeps a stream's recent poses for the analysis routes."""

    name = "history"
    lossless = False
    inline = True  # never waits on the client: it queues a message (or appends)

    def __init__(self, history: PoseHistory) -> None:
        self._history = history

    async def deliver(self, result: PoseResult) -> None:
        first = result.persons[0] if result.persons else None
        self._history.append(
            PoseSample(
                time=time.time(),
                capture_ts=float(result.meta.capture_ts),
                landmarks=first.landmarks if first else None,
                world=first.world if first else None,
            )
        )

    async def close(self) -> None:
        pass


def history_sink(stream: Stream) -> HistorySink:
    return HistorySink(stream.history)
