"""Who may see a stream. The permissions table (posestudio_core) replaces this when it lands."""

from __future__ import annotations

from posestudio.auth import Principal
from posestudio.errors import Forbidden
from posestudio.pipeline.stream import Stream


def is_admin(principal: Principal) -> bool:
    return getattr(principal, "role", None) == "admin"


def may_see(principal: Principal, stream: Stream) -> bool:
    """Owners see their own streams; admins see every stream."""
    return principal.subject == stream.owner.subject or is_admin(principal)


def authorize_watch(principal: Principal, stream: Stream) -> None:
    if not may_see(principal, stream):
        raise Forbidden("this stream is not yours to watch", details={"stream": stream.id})
