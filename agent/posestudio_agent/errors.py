"""The agent's named errors; they become HTTP or Socket.IO errors only at the edge.

They extend the shared error base (`posestudio_core.errors`, where the common ones such
as `BadRequest` and `NotFound` live) so every service speaks one error shape,
`{error: {code, message, details?}}`.
"""

from __future__ import annotations

from posestudio_core.errors import PoseStudioError


class AgentNotConfigured(PoseStudioError):
    code = "AGENT_NOT_CONFIGURED"
    http_status = 503


class QueueFull(PoseStudioError):
    code = "QUEUE_FULL"
    http_status = 503
