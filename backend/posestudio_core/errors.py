"""The error base every service raises; errors become HTTP or Socket.IO errors at the edge.

Each error carries its stable wire code and the HTTP status it gets when it ends a
request. Service-specific errors subclass these in the service's own `errors.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

# At most this many validation problems are listed in an error's details.
MAX_PROBLEMS = 10


class PoseStudioError(Exception):
    """Base error carrying a stable code for the wire."""

    code: ClassVar[str] = "INTERNAL"
    # The status the error gets when it ends an HTTP request.
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_wire(self, stream_id: str | None = None) -> dict[str, Any]:
        """`{code, message, stream_id?, details?}`, the body of every error on the wire."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if stream_id is not None:
            body["stream_id"] = stream_id
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(PoseStudioError):
    code = "BAD_REQUEST"


class Unauthorized(PoseStudioError):
    """No credentials, or ones that name nobody."""

    code = "UNAUTHORIZED"
    http_status = 401


class Forbidden(PoseStudioError):
    """Known, but not allowed to do this."""

    code = "FORBIDDEN"
    http_status = 403


class NotFound(PoseStudioError):
    code = "NOT_FOUND"
    http_status = 404


class Conflict(PoseStudioError):
    code = "CONFLICT"
    http_status = 409


class RateLimited(PoseStudioError):
    code = "RATE_LIMITED"
    http_status = 429


# -- robots: raised by the robot service and the backend's relay alike ----------------


class RobotOffline(PoseStudioError):
    """No live link to the robot: not connected, or its telemetry stopped."""

    code = "ROBOT_OFFLINE"
    http_status = 503


class RobotEstopped(PoseStudioError):
    """The robot is damped and latched until an operator clears the e-stop."""

    code = "ROBOT_ESTOPPED"
    http_status = 409


class CommandStale(PoseStudioError):
    """The command arrived after its deadline."""

    code = "COMMAND_STALE"
    http_status = 409


class RobotTimeout(PoseStudioError):
    """The robot did not answer a request in time."""

    code = "ROBOT_TIMEOUT"
    http_status = 504


class RobotRefused(PoseStudioError):
    """The robot answered with an error, or the model has no such action."""

    code = "ROBOT_REFUSED"
    http_status = 422


def validation_problems(errors: Iterable[Any]) -> list[dict[str, str]]:
    """pydantic's errors as `[{field, problem}]`, the `details.errors` of a BAD_REQUEST."""
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "(message)", "problem": err["msg"]}
        for err in list(errors)[:MAX_PROBLEMS]
    ]
