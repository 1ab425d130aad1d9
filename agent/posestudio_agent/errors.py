"""The agent's named errors; they become HTTP or Socket.IO errors only at the edge.

They extend the backend's error base (`posestudio.errors`) so both services speak one
error shape, `{error: {code, message, details?}}`.
"""

from __future__ import annotations

from posestudio.errors import BadRequest, NotFound, PoseStudioError, RateLimited, Unauthorized

__all__ = [
    "AgentNotConfigured",
    "BadRequest",
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
