"""The agent's named errors; they become HTTP or Socket.IO errors only at the edge.

They extend the shared error base (`posestudio_core.errors`) so every service speaks one
error shape, `{error: {code, message, details?}}`.
"""

from __future__ import annotations

from posestudio_core.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    PoseStudioError,
    RateLimited,
    Unauthorized,
)

__all__ = [
    "AgentNotConfigured",
    "BadRequest",
    "Forbidden",
    "NotFound",
    "PoseStudioError",
    "QueueFull",
    "RateLimited",
    "ToolFailed",
    "Unauthorized",
]


class AgentNotConfigured(PoseStudioError):
    code = "AGENT_NOT_CONFIGURED"
    http_status = 503


class QueueFull(PoseStudioError):
    code = "QUEUE_FULL"
    http_status = 503


class ToolFailed(PoseStudioError):
    """A tool could not get its data; the agent sees the message as an observation."""

    code = "TOOL_FAILED"
