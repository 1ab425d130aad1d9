"""The small base classes pose engines implement: per-stream and batching."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np

from posestudio.protocol import Person

S = TypeVar("S")


@dataclass(frozen=True)
class EngineInfo:
    """What `/api/engines` and `posestudio engines` say about an engine."""

    name: str
    loaded: bool
    device: str
    description: str
    error: str | None = None


class PoseEngine(ABC):
    """One engine instance holds tracking state for exactly one stream at a time.

    `process` takes an RGB uint8 array (H, W, 3) and returns the people found,
    with landmarks normalised to that image.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    device: ClassVar[str] = "cpu"
    # Resident memory one instance holds (measured; docs/benchmarks.md, Capacity): the
    # default global budget divides the host's memory by it. A plugin declares its own.
    memory_bytes: ClassVar[int] = 110_000_000

    @abstractmethod
    def process(self, rgb: np.ndarray) -> list[Person]: ...

    @abstractmethod
    def reset(self) -> None:
        """Forget tracking state, so the instance can serve another stream."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Free native resources."""

    def warm_up(self) -> None:
        """Run one inference so that the first real frame is not slow."""
        self.process(np.zeros((256, 256, 3), dtype=np.uint8))
        self.reset()


class BatchPoseEngine(PoseEngine, Generic[S]):
    """An engine that infers many streams' frames in one call (under the `BatchScheduler`).

    Each stream gets its own tracking state from `new_state`; `infer_batch` takes
    (state, RGB image) pairs and returns each image's people, in order. A batching
    engine also serves one stream on its own (`process`, on a state of its own), which
    is what the warm-up and the ceiling loop use.
    """

    _own: S | None = None
    decodes_on_device: bool = False
    """Whether `decode_jpegs` decodes JPEG frames on the engine's device (nvJPEG on a
    GPU): the scheduler then hands it a batch's JPEGs, whose pixels never pass through
    the CPU, and `infer_batch` gets its device images instead of arrays."""
    batches_in_flight: int = 1
    """How many batches (of different streams) `infer_batch` may run at once, each in a
    worker thread of its own; the scheduler takes at most one per worker. More than one
    suits an engine whose calls do not share a device: a CPU engine on one core per call."""
    max_batch: int | None = None
    """The engine's own cap on a batch, below the `batch_max_size` setting (None: the
    setting's): an engine that gains nothing from larger batches keeps its latency."""

    @abstractmethod
    def new_state(self) -> S:
        """Tracking state for one stream (blocking; called in a worker thread)."""

    @abstractmethod
    def infer_batch(self, items: Sequence[tuple[S, np.ndarray]]) -> list[list[Person]]: ...

    def release_state(self, state: S) -> None:
        """The stream ended: free or recycle its state."""

    def decode_jpegs(self, jpegs: Sequence[bytes]) -> list[Any]:
        """(H, W, 3) uint8 images on the engine's device, one per JPEG, in order (only
        when `decodes_on_device`); raises on a JPEG it cannot decode."""
        raise NotImplementedError(f"{self.name} decodes on the CPU")

    def process(self, rgb: np.ndarray) -> list[Person]:
        if self._own is None:
            self._own = self.new_state()
        return self.infer_batch([(self._own, rgb)])[0]

    def reset(self) -> None:
        if self._own is not None:
            own, self._own = self._own, None
            self.release_state(own)
