"""Who may see a stream: the core's permission table, with the stream as the resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from posestudio.errors import NotFound, UnknownStream
from posestudio.pipeline.stream import Stream
from posestudio_core.auth import Principal
from posestudio_core.permissions import Action, allowed, authorize

if TYPE_CHECKING:
    from posestudio.pipeline.manager import StreamManager


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


def visible_stream(manager: StreamManager, principal: Principal, stream_id: str) -> Stream:
    """The running stream with this server-wide id, if the principal may see it; someone
    else's stream is as absent (NotFound) as one that does not exist."""
    try:
        found = manager.get(stream_id)
    except UnknownStream:
        found = None
    if found is None or not may_see(principal, found):
        raise NotFound(f"no running stream {stream_id!r}", details={"id": stream_id})
    return found


def authorize_watch(principal: Principal, stream: Stream) -> None:
    """Forbidden unless the principal may watch the stream."""
    authorize(principal, Action.STREAM_WATCH, resource(stream))


def authorize_stop(principal: Principal, stream: Stream) -> None:
    authorize(principal, Action.STREAM_STOP, resource(stream))
