"""Viewers on `/pose`: a second connection watches a stream it may see, live, by its id."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from posestudio.client import PoseClient
from posestudio.settings import Settings
from tests.utils.frames import next_event, send_and_wait, video_jpegs
from tests.utils.principals import ALICE_TOKEN, BOB_TOKEN, two_people
from tests.utils.server import LiveServer


@pytest.fixture(scope="module")
def people() -> Iterator[LiveServer]:
    settings = Settings(environment="test", max_fps=1000, workers=1)
    live = LiveServer(settings, authenticator=two_people()).start()
    yield live
    live.stop()


def _unwatched(client: PoseClient) -> asyncio.Queue[dict[str, Any]]:
    """The client library knows no viewer events yet: listen on its socket directly."""
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def on_unwatched(data: dict[str, Any]) -> None:
        received.put_nowait(data)

    client.sio.on("unwatched", on_unwatched, namespace="/pose")
    return received


async def test_a_second_connection_of_the_owner_sees_the_poses_live(people: LiveServer) -> None:
    jpegs = video_jpegs(320, 240)[:8]
    async with (
        PoseClient(people.url, ALICE_TOKEN) as owner,
        PoseClient(people.url, ALICE_TOKEN) as viewer,
    ):
        started = await owner.start("cam")
        stream = started["id"]
        assert stream.startswith("st_")
        ack = await viewer.call_raw("watch", {"stream": stream})
        assert ack == {"ok": True, "stream": stream, "stream_id": "cam", "engine": "mediapipe"}
        ended = _unwatched(viewer)
        sent = []
        for jpeg in jpegs:
            pose = await send_and_wait(owner, "cam", jpeg)
            sent.append(pose.data)
        seen = [(await next_event(viewer, "pose")).data for _ in jpegs]
        # The very messages the owner got, in order, with people found in the video.
        assert seen == sent
        assert all(pose["persons"] for pose in seen)
        await owner.stop("cam")
        assert await asyncio.wait_for(ended.get(), 10) == {
            "stream": stream,
            "stream_id": "cam",
            "reason": "ended",
        }


async def test_unwatch_stops_the_poses(people: LiveServer) -> None:
    jpegs = video_jpegs(320, 240)[:3]
    async with (
        PoseClient(people.url, ALICE_TOKEN) as owner,
        PoseClient(people.url, ALICE_TOKEN) as viewer,
    ):
        stream = (await owner.start("cam"))["id"]
        assert (await viewer.call_raw("watch", {"stream": stream}))["ok"]
        await send_and_wait(owner, "cam", jpegs[0])
        await next_event(viewer, "pose")
        assert await viewer.call_raw("unwatch", {"stream": stream}) == {
            "ok": True,
            "stream": stream,
        }
        for jpeg in jpegs[1:]:
            await send_and_wait(owner, "cam", jpeg)
        assert viewer.queue.empty()
        again = await viewer.call_raw("unwatch", {"stream": stream})
        assert again["error"]["code"] == "UNKNOWN_STREAM"


async def test_a_stranger_cannot_watch(people: LiveServer) -> None:
    async with (
        PoseClient(people.url, ALICE_TOKEN) as owner,
        PoseClient(people.url, BOB_TOKEN) as stranger,
    ):
        stream = (await owner.start("private"))["id"]
        refused = await stranger.call_raw("watch", {"stream": stream})
        assert refused["ok"] is False
        assert refused["error"]["code"] == "FORBIDDEN"
        await send_and_wait(owner, "private", video_jpegs(320, 240)[0])
        assert stranger.queue.empty()


async def test_watch_requests_are_checked(people: LiveServer) -> None:
    async with PoseClient(people.url, BOB_TOKEN) as viewer:
        unknown = await viewer.call_raw("watch", {"stream": "st_000000000000"})
        assert unknown["error"]["code"] == "UNKNOWN_STREAM"
        for bad in ({"stream": "cam"}, {"stream": "st_000000000000", "x": 1}, "st_", None):
            refused = await viewer.call_raw("watch", bad)
            assert refused["error"]["code"] == "BAD_REQUEST", bad
