"""What inference and the stages make of one frame, and its `pose_v1` form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from posestudio.pipeline.frames import FrameMeta
from posestudio.protocol import SCHEMA, Person, person_to_wire

if TYPE_CHECKING:
    from posestudio.pipeline.stream import Stream


@dataclass(eq=False)
class PoseResult:
    stream: Stream
    meta: FrameMeta
    received: float
    """`time.monotonic()` when the frame arrived."""
    image: tuple[int, int]
    """(width, height) of the image inferred on."""
    persons: list[Person]
    rgb: np.ndarray | None = None
    """The decoded image inferred on (HxWx3 uint8, a reference to the decoder's array,
    never a copy), for stages that look at pixels (hands). Read-only; not on the wire."""
    raw: list[Person] | None = None
    """The persons before smoothing, when a stage changed them."""
    timing: dict[str, float] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    """Fields stages add to the reply ("skeleton", "hands", …)."""
    costs: dict[str, float] = field(default_factory=dict)
    """Seconds each stage took (for metrics; not on the wire)."""
    jpeg: bytes | None = None
    """The frame as received (Socket.IO path), for sinks that keep it (the recorder)."""
    _wire: dict[str, Any] | None = None

    def wire(self) -> dict[str, Any]:
        """The `pose_v1` message, built once (in the worker thread) and shared by every sink.

        Sinks must not change it. `timing.server_ms` and `dropped` are filled in on the
        event loop just before the sinks get it.
        """
        if self._wire is None:
            width, height = self.image
            self._wire = {
                "schema": SCHEMA,
                "stream_id": self.stream.name,
                "seq": self.meta.seq,
                "capture_ts": self.meta.capture_ts,
                "engine": self.stream.engine_name,
                "image": {"width": width, "height": height},
                "persons": [person_to_wire(p) for p in self.persons],
                "timing": self.timing,
                "dropped": 0,
                **self.extras,
            }
        return self._wire
