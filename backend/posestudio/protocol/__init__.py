"""The wire: message models, landmark names, the pose reply and the Socket.IO packet."""

from posestudio.protocol.landmarks import LANDMARK_INDEX, LANDMARK_NAMES, NUM_LANDMARKS
from posestudio.protocol.messages import (
    SCHEMA,
    STREAM_ID_PATTERN,
    FrameMeta,
    SmoothingConfig,
    StartRequest,
    StopRequest,
)
from posestudio.protocol.pose import Person, person_to_wire

__all__ = [
    "LANDMARK_INDEX",
    "LANDMARK_NAMES",
    "NUM_LANDMARKS",
    "SCHEMA",
    "STREAM_ID_PATTERN",
    "FrameMeta",
    "Person",
    "SmoothingConfig",
    "StartRequest",
    "StopRequest",
    "person_to_wire",
]
