"""The small base class every pose engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from posestudio.protocol import Person


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
