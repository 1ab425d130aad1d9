"""Who may see a stream: the core's permission table, with the stream as the resource."""

from __future__ import annotations

from dataclasses import dataclass

from posestudio.pipeline.stream import Stream
from posestudio_core.auth import Principal
from posestudio_core.permissions import Action, allowed, authorize


@dataclass(frozen=True)
class StreamResource:
    """A stream as `authorize` sees it: its owner's subject and who it is shared with."""

    owner: str
    shared_with: frozenset[str]


def resource(stream: Stream) -> StreamResource:
    return StreamResource(owner=stream.owner.subject, shared_with=stream.shared_with)


def is_admin(principal: Principal) -> bool:
    return principal.role == "admin"


def may_see(principal: Principal, stream: Stream) -> bool:
    """Owners see their own streams, admins every stream, others what is shared with them."""
    return allowed(principal, Action.STREAM_READ, resource(stream))


def authorize_watch(principal: Principal, stream: Stream) -> None:
    """Forbidden unless the principal may watch the stream."""
    authorize(principal, Action.STREAM_WATCH, resource(stream))


def authorize_stop(principal: Principal, stream: Stream) -> None:
    authorize(principal, Action.STREAM_STOP, resource(stream))
