"""The backend's named domain errors, on the shared base from `posestudio_core.errors`.

They become HTTP or Socket.IO errors only at the edge.
"""

from __future__ import annotations

from posestudio_core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PoseStudioError,
    RateLimited,
    Unauthorized,
)

__all__ = [
    "BadEngineConfig",
    "BadFrame",
    "BadOffer",
    "BadRequest",
    "Capacity",
    "Conflict",
    "EngineUnavailable",
    "Forbidden",
    "FrameTooLarge",
    "NotFound",
    "PayloadTooLarge",
    "PoseStudioError",
    "QuotaExceeded",
    "RateLimited",
    "SessionLimit",
    "SinkBehind",
    "StorageFailed",
    "StreamExists",
    "TooManyPeers",
    "TooManyStreams",
    "Unauthorized",
    "UnknownEngine",
    "UnknownStream",
    "WebRTCDisabled",
]


class BadFrame(PoseStudioError):
    code = "BAD_FRAME"


class FrameTooLarge(PoseStudioError):
    code = "FRAME_TOO_LARGE"


class UnknownStream(PoseStudioError):
    code = "UNKNOWN_STREAM"


class StreamExists(PoseStudioError):
    code = "STREAM_EXISTS"


class TooManyStreams(PoseStudioError):
    code = "TOO_MANY_STREAMS"


class Capacity(PoseStudioError):
    """The server's stream or engine budget, or the person's share of it, is used up."""

    code = "CAPACITY"


class UnknownEngine(PoseStudioError):
    code = "UNKNOWN_ENGINE"


class EngineUnavailable(PoseStudioError):
    code = "ENGINE_UNAVAILABLE"


class PayloadTooLarge(PoseStudioError):
    """A request body over its limit, refused at the edge before it is read."""

    code = "PAYLOAD_TOO_LARGE"
    http_status = 413


class BadEngineConfig(PoseStudioError):
    """An engine's config from settings does not validate against the plugin's model."""

    code = "BAD_ENGINE_CONFIG"


class SinkBehind(PoseStudioError):
    """A sink that must not lose results (the recorder) could not keep up."""

    code = "SINK_BEHIND"


class SessionLimit(PoseStudioError):
    """A recording beyond a limit from the settings (streams per session, length)."""

    code = "SESSION_LIMIT"


class QuotaExceeded(PoseStudioError):
    code = "QUOTA_EXCEEDED"
    http_status = 409


class StorageFailed(PoseStudioError):
    """The storage refused or failed an operation (disk full, server down, no bucket)."""

    code = "STORAGE_FAILED"
    http_status = 503


class BadOffer(BadRequest):
    """A WebRTC offer that is not SDP, carries no video track, or cannot be answered."""

    code = "BAD_OFFER"


class TooManyPeers(PoseStudioError):
    code = "TOO_MANY_PEERS"
    http_status = 503


class WebRTCDisabled(PoseStudioError):
    code = "WEBRTC_DISABLED"
    http_status = 409
