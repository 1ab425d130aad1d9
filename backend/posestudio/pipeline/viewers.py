"""Viewers: other connections that receive a stream's `pose` messages without sending frames.

Every stream's viewers sink is added to its sinks on the first `watch`, so a stream
nobody watches pays nothing for it. When the stream ends each viewer gets `unwatched`.
"""

from __future__ import annotations

import logging

from posestudio.errors import UnknownStream
from posestudio.pipeline.access import authorize_watch
from posestudio.pipeline.manager import StreamManager
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.stream import Channel, Stream
from posestudio.protocol.viewers import Unwatched
from posestudio_core.auth import Principal

log = logging.getLogger(__name__)


class ViewerSink:
    name = "viewers"
    lossless = False
    # Its own task: with many viewers one delivery takes an emit (a loop iteration) each.
    inline = False

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.viewers: dict[str, Channel] = {}

    async def deliver(self, result: PoseResult) -> None:
        message = result.wire()
        for viewer, send in list(self.viewers.items()):
            try:
                await send("pose", message)
            except Exception:  # one viewer going away must not stop the others
                log.warning("viewer %s of %s failed", viewer, self.stream.id, exc_info=True)

    async def close(self) -> None:
        notice = Unwatched(stream=self.stream.id, stream_id=self.stream.name).model_dump()
        viewers, self.viewers = self.viewers, {}
        for viewer, send in viewers.items():
            try:
                await send("unwatched", notice)
            except Exception:
                log.warning("viewer %s of %s failed", viewer, self.stream.id, exc_info=True)


class Viewers:
    """Who watches which stream, for every transport."""

    def __init__(self, manager: StreamManager) -> None:
        self._manager = manager
        self._watching: dict[str, set[str]] = {}

    def watch(self, principal: Principal, stream_id: str, viewer: str, send: Channel) -> Stream:
        """Start sending the stream's poses to `viewer` (Forbidden unless it may see it)."""
        stream = self._manager.get(stream_id)
        authorize_watch(principal, stream)
        sink = stream.sinks.find(ViewerSink.name)
        if not isinstance(sink, ViewerSink):
            sink = ViewerSink(stream)
            self._manager.attach_sink(stream, sink)
        sink.viewers[viewer] = send
        self._watching.setdefault(viewer, set()).add(stream_id)
        return stream

    def unwatch(self, stream_id: str, viewer: str) -> Stream:
        stream = self._manager.get(stream_id)
        sink = stream.sinks.find(ViewerSink.name)
        watching = self._watching.get(viewer, set())
        if not isinstance(sink, ViewerSink) or sink.viewers.pop(viewer, None) is None:
            raise UnknownStream(f"not watching {stream_id!r}", details={"stream": stream_id})
        watching.discard(stream_id)
        return stream

    def leave(self, viewer: str) -> None:
        """The viewer's connection closed: stop sending to it everywhere."""
        for stream_id in self._watching.pop(viewer, set()):
            try:
                stream = self._manager.get(stream_id)
            except UnknownStream:
                continue
            sink = stream.sinks.find(ViewerSink.name)
            if isinstance(sink, ViewerSink):
                sink.viewers.pop(viewer, None)
