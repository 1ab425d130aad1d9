"""A batching engine over MediaPipe: one BlazePose graph per stream, run in one call.

MediaPipe's legacy graph cannot take several images at once, so `infer_batch` runs each
stream's own graph one after another. On a CPU that gains nothing over the per-stream
pump (MediaPipe's XNNPACK is already as fast alone); it exists to run the
`BatchScheduler` with a real engine, in the shape a GPU engine will take.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from posestudio.engines.base import BatchPoseEngine
from posestudio.engines.mediapipe import MediaPipeConfig, MediaPipePoseEngine
from posestudio.protocol import Person

KEY = "mediapipe-batch"


class MediaPipeBatchConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    graph: MediaPipeConfig = Field(default_factory=MediaPipeConfig)
    max_idle_states: int = Field(2, ge=0, le=64)
    """Warm per-stream graphs kept for reuse (each holds its model, ~150 MB)."""


class MediaPipeBatchEngine(BatchPoseEngine[MediaPipePoseEngine]):
    name = KEY
    config_model: ClassVar[type[BaseModel]] = MediaPipeBatchConfig
    description = "MediaPipe BlazePose full, batched: one graph per stream state, one call"
    device = "cpu"

    def __init__(self, config: MediaPipeBatchConfig | None = None) -> None:
        self.config = config or MediaPipeBatchConfig()
        self._idle: list[MediaPipePoseEngine] = []
        self._lock = threading.Lock()

    def new_state(self) -> MediaPipePoseEngine:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        graph = MediaPipePoseEngine(self.config.graph)
        graph.warm_up()
        return graph

    def release_state(self, state: MediaPipePoseEngine) -> None:
        state.reset()
        with self._lock:
            if len(self._idle) < self.config.max_idle_states:
                self._idle.append(state)
                return
        state.close()

    def infer_batch(
        self, items: Sequence[tuple[MediaPipePoseEngine, np.ndarray]]
    ) -> list[list[Person]]:
        return [graph.process(rgb) for graph, rgb in items]

    def close(self) -> None:
        self.reset()
        with self._lock:
            idle, self._idle = self._idle, []
        for graph in idle:
            graph.close()
