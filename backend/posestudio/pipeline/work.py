"""What a worker thread does with a frame: decode, then (after inference) the stages.

Both schedulers call these; only the inference call between them differs.
"""

from __future__ import annotations

import time

import numpy as np

from posestudio.errors import FrameTooLarge
from posestudio.imaging import decode_jpeg, jpeg_size
from posestudio.pipeline.frames import Frame
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.stream import Stream
from posestudio.protocol import Person


class FrameWork:
    def __init__(self, *, max_width: int, max_height: int) -> None:
        self.max_width = max_width
        self.max_height = max_height

    def decode(self, frame: Frame) -> np.ndarray:
        if frame.rgb is not None:
            height, width = frame.rgb.shape[:2]
            self._check(width, height)
            return frame.rgb
        if frame.video is not None:
            self._check(frame.video.width, frame.video.height)
            return frame.video.to_ndarray(format="rgb24")
        assert frame.jpeg is not None
        return decode_jpeg(frame.jpeg, max_width=self.max_width, max_height=self.max_height)

    def check_jpeg(self, frame: Frame) -> None:
        """The size limit, from a JPEG frame's header (before a device decodes it)."""
        assert frame.jpeg is not None
        self._check(*jpeg_size(frame.jpeg))

    def _check(self, width: int, height: int) -> None:
        if width > self.max_width or height > self.max_height:
            raise FrameTooLarge(
                f"frame is {width}x{height}, the limit is {self.max_width}x{self.max_height}",
                details={"width": width, "height": height},
            )

    def finish(
        self,
        stream: Stream,
        frame: Frame,
        rgb: np.ndarray | None,
        persons: list[Person],
        *,
        size: tuple[int, int] | None = None,
        started: float,
        decoded: float,
        inferred: float,
    ) -> PoseResult:
        """Run the stream's stages and build the reply (all but `server_ms` and `dropped`).

        `rgb` is None for a frame decoded on the engine's device; `size` (width, height)
        then says how large it was."""
        if size is None:
            assert rgb is not None
            height, width = rgb.shape[:2]
        else:
            width, height = size
        result = PoseResult(
            stream=stream,
            meta=frame.meta,
            received=frame.received,
            image=(int(width), int(height)),
            persons=persons,
            rgb=rgb,
            jpeg=frame.jpeg,
            timing={
                "queue_ms": round((started - frame.received) * 1000, 2),
                "decode_ms": round((decoded - started) * 1000, 2),
                "infer_ms": round((inferred - decoded) * 1000, 2),
            },
        )
        for stage in stream.stages:
            began = time.perf_counter()
            result = stage(result)
            result.costs[stage.name] = time.perf_counter() - began
        began = time.perf_counter()
        result.wire()
        result.costs["wire"] = time.perf_counter() - began
        return result
