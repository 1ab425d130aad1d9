"""A frame as the pipeline takes it: JPEG bytes, a decoded RGB image, or a decoded video
frame (YUV, straight from the WebRTC track's decoder: converted to RGB in the worker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class VideoImage(Protocol):
    """A decoded video frame (`av.VideoFrame`), kept in its own pixel format until a worker
    converts it, so the event loop does no pixel work."""

    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    def to_ndarray(self, **kwargs: Any) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class FrameMeta:
    """The client's frame counter and capture time (epoch ms), echoed in the reply."""

    seq: int
    capture_ts: float


@dataclass(slots=True)
class Frame:
    """Exactly one of `jpeg` (the Socket.IO path), `rgb` (HxWx3 uint8) or `video` (a
    decoded video frame, the WebRTC path) is set."""

    meta: FrameMeta
    received: float
    """`time.monotonic()` when the frame arrived."""
    jpeg: bytes | None = None
    rgb: np.ndarray | None = None
    video: VideoImage | None = None

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.jpeg, self.rgb, self.video)) != 1:
            raise ValueError("a frame holds one of JPEG bytes, an RGB image or a video frame")

    @property
    def nbytes(self) -> int:
        """What the frame weighs as it arrived (checked against `max_frame_bytes`)."""
        if self.jpeg is not None:
            return len(self.jpeg)
        if self.video is not None:  # YUV 4:2:0 as decoded
            return self.video.width * self.video.height * 3 // 2
        assert self.rgb is not None
        return int(self.rgb.nbytes)
