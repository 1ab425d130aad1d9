"""Named domain errors. They become HTTP or Socket.IO errors only at the edge."""

from __future__ import annotations

from typing import Any


class PoseStudioError(Exception):
    """Base error carrying a stable code for the wire."""

    code = "INTERNAL"
    # The status the error gets when it ends an HTTP request.
    http_status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_wire(self, stream_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if stream_id is not None:
            body["stream_id"] = stream_id
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(PoseStudioError):
    code = "BAD_REQUEST"


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


class RateLimited(PoseStudioError):
    code = "RATE_LIMITED"
    http_status = 429


class UnknownEngine(PoseStudioError):
    code = "UNKNOWN_ENGINE"


class EngineUnavailable(PoseStudioError):
    code = "ENGINE_UNAVAILABLE"


class Unauthorized(PoseStudioError):
    code = "UNAUTHORIZED"
    http_status = 401


class NotFound(PoseStudioError):
    code = "NOT_FOUND"
    http_status = 404


class Forbidden(PoseStudioError):
    code = "FORBIDDEN"
    http_status = 403


class SinkBehind(PoseStudioError):
    """A sink that must not lose results (the recorder) could not keep up."""

    code = "SINK_BEHIND"
