"""A frame as the pipeline takes it: encoded JPEG bytes or an already-decoded image."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class FrameMeta:
    """The client's frame counter and capture time (epoch ms), echoed in the reply."""

    seq: int
    capture_ts: float


@dataclass(slots=True)
class Frame:
    """Exactly one of `jpeg` (the Socket.IO path) or `rgb` (HxWx3 uint8, WebRTC) is set."""

    meta: FrameMeta
    received: float
    """`time.monotonic()` when the frame arrived."""
    jpeg: bytes | None = None
    rgb: np.ndarray | None = None

    def __post_init__(self) -> None:
        if (self.jpeg is None) == (self.rgb is None):
            raise ValueError("a frame holds either JPEG bytes or a decoded image")

    @property
    def nbytes(self) -> int:
        """What the frame weighs as it arrived (checked against `max_frame_bytes`)."""
        if self.jpeg is not None:
            return len(self.jpeg)
        assert self.rgb is not None
        return int(self.rgb.nbytes)
