"""The reply sink: each result's `pose_v1` message to the stream's own connection."""

from __future__ import annotations

from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.stream import Stream


class ReplySink:
    name = "reply"
    lossless = False
    inline = True  # never waits on the client: it queues a message (or appends)

    def __init__(self, stream: Stream) -> None:
        self._send = stream.channel

    async def deliver(self, result: PoseResult) -> None:
        await self._send("pose", result.wire())

    async def close(self) -> None:
        pass


def reply_sink(stream: Stream) -> ReplySink:
    return ReplySink(stream)
