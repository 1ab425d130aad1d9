"""Sinks behind their own buffers: one that blocks slows neither the stream nor the reply;
a lossless one tells the stream's owner when its buffer is full."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from posestudio.client import PoseClient
from posestudio.pipeline import PoseResult, Stream
from posestudio.runtime import Runtime
from posestudio.settings import Settings
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.server import LiveServer

SINK_BUFFER = 3
LOSSLESS_BUFFER = 5


class BlockingSink:
    """Takes the first result and then blocks until the test opens its gate."""

    def __init__(self, name: str, lossless: bool, gate: threading.Event) -> None:
        self.name = name
        self.lossless = lossless
        self.inline = False  # it waits: it must go through its buffer
        self._gate = gate
        self.delivered: list[int] = []

    async def deliver(self, result: PoseResult) -> None:
        self.delivered.append(result.meta.seq)
        # The test's thread opens the gate; wait for it without holding the loop.
        while not self._gate.is_set():
            await asyncio.to_thread(self._gate.wait, 1.0)

    async def close(self) -> None:
        pass


class Sinks:
    """The test's sinks, added to every stream whose name says which one it wants."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.made: dict[str, BlockingSink] = {}

    def factory(self, stream: Stream) -> BlockingSink | None:
        if not stream.name.startswith(("blocked", "recorded")):
            return None
        lossless = stream.name.startswith("recorded")
        name = "test-recorder" if lossless else "test-blocking"
        sink = self.made[stream.name] = BlockingSink(name, lossless, self.gate)
        return sink

    def configure(self, runtime: Runtime) -> None:
        runtime.manager.add_sink_factory(self.factory)


@pytest.fixture(scope="module")
def sinks() -> Sinks:
    return Sinks()


@pytest.fixture(scope="module")
def live(sinks: Sinks) -> Iterator[LiveServer]:
    settings = Settings(
        environment="test",
        max_fps=1000,
        workers=1,
        sink_buffer=SINK_BUFFER,
        lossless_sink_buffer=LOSSLESS_BUFFER,
    )
    server = LiveServer(settings, configure=sinks.configure).start()
    yield server
    sinks.gate.set()
    server.stop()


def metric(server: LiveServer, name: str, sink: str) -> float:
    text = server.get("/metrics").text
    match = re.search(rf'^{name}{{sink="{sink}"}} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_a_blocked_sink_slows_neither_the_stream_nor_the_reply(
    live: LiveServer, sinks: Sinks
) -> None:
    frames = video_jpegs(320, 240)[:12]
    dropped_before = metric(live, "pose_sink_dropped_total", "test-blocking")
    async with PoseClient(live.url, live.token) as client:
        await client.start("blocked")
        # Every frame is answered while the sink sits on the first result.
        poses = [(await send_and_wait(client, "blocked", jpeg)).data for jpeg in frames]
        assert [p["seq"] for p in poses] == list(range(len(frames)))
        assert poses[-1]["dropped"] == 0  # the stream dropped nothing
        assert sinks.made["blocked"].delivered == [0]
        # The sink's buffer kept the newest results and counted the rest.
        dropped = metric(live, "pose_sink_dropped_total", "test-blocking") - dropped_before
        assert dropped == len(frames) - 1 - SINK_BUFFER
        assert metric(live, "pose_sink_dropped_total", "reply") == 0
        sinks.gate.set()
        await client.stop("blocked")
    # Once unblocked, the sink delivered what its buffer held before the stream closed.
    assert sinks.made["blocked"].delivered == [0, *range(len(frames) - SINK_BUFFER, len(frames))]
    sinks.gate.clear()


async def test_a_full_lossless_buffer_tells_the_owner(live: LiveServer, sinks: Sinks) -> None:
    frames = video_jpegs(320, 240)[:10]
    async with PoseClient(live.url, live.token) as client:
        await client.start("recorded")
        messages: list[dict[str, Any]] = []
        for seq, jpeg in enumerate(frames):
            await client.send("recorded", jpeg, seq=seq)
            while True:  # collect until this frame's pose; errors come in between
                message = await client.next(30)
                messages.append({"event": message.event, **message.data})
                if message.event == "pose" and message.data["seq"] == seq:
                    break
        errors = [m for m in messages if m["event"] == "error"]
        poses = [m for m in messages if m["event"] == "pose"]
        assert len(poses) == len(frames)
        # Result 0 in hand, 5 buffered: the 7th result found the buffer full. The owner
        # hears of it (at most once a second), with the sink's name.
        assert errors and all(e["code"] == "SINK_BEHIND" for e in errors)
        error = errors[0]
        assert error["stream_id"] == "recorded"
        assert error["details"]["sink"] == "test-recorder"
        assert error["details"]["dropped"] == 1
        assert metric(live, "pose_sink_behind_total", "test-recorder") == (
            len(frames) - 1 - LOSSLESS_BUFFER
        )
        sinks.gate.set()
        await client.stop("recorded")
