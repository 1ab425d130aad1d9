"""The wire: message models, error codes, landmark names, the pose form and the packet."""

from posestudio.protocol.codes import ERROR_MEANINGS, ErrorCode
from posestudio.protocol.landmarks import (
    LANDMARK_INDEX,
    LANDMARK_NAMES,
    NUM_LANDMARKS,
    SKELETON_EDGES,
)
from posestudio.protocol.messages import (
    SCHEMA,
    STREAM_ID_PATTERN,
    CreditMessage,
    ErrorBody,
    ErrorMessage,
    ErrorResponse,
    FrameMeta,
    Limits,
    PoseMessage,
    Refused,
    SmoothingConfig,
    StartAck,
    StartRequest,
    StopAck,
    StopRequest,
    StreamList,
    StreamSummary,
)
from posestudio.protocol.pose import Person, person_to_wire

__all__ = [
    "ERROR_MEANINGS",
    "LANDMARK_INDEX",
    "LANDMARK_NAMES",
    "NUM_LANDMARKS",
    "SCHEMA",
    "SKELETON_EDGES",
    "STREAM_ID_PATTERN",
    "CreditMessage",
    "ErrorBody",
    "ErrorCode",
    "ErrorMessage",
    "ErrorResponse",
    "FrameMeta",
    "Limits",
    "Person",
    "PoseMessage",
    "Refused",
    "SmoothingConfig",
    "StartAck",
    "StartRequest",
    "StopAck",
    "StopRequest",
    "StreamList",
    "StreamSummary",
    "person_to_wire",
]
