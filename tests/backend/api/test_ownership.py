"""Streams belong to the principal that started them: listing and stats by server-wide id."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from posestudio.client import PoseClient
from posestudio.settings import Settings
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.principals import ALICE_TOKEN, BOB_TOKEN, two_people
from tests.utils.server import LiveServer


@pytest.fixture(scope="module")
def people() -> Iterator[LiveServer]:
    settings = Settings(environment="test", max_fps=1000, workers=1)
    live = LiveServer(settings, authenticator=two_people()).start()
    yield live
    live.stop()


def _get(server: LiveServer, token: str, path: str) -> httpx.Response:
    return server.get(path, headers={"Authorization": f"Bearer {token}"})


async def test_each_person_lists_only_their_own_streams(people: LiveServer) -> None:
    async with (
        PoseClient(people.url, ALICE_TOKEN) as alice,
        PoseClient(people.url, BOB_TOKEN) as bob,
    ):
        mine = (await alice.start("cam"))["id"]
        theirs = (await bob.start("cam"))["id"]  # the same name: still two streams
        assert mine != theirs
        await send_and_wait(alice, "cam", video_jpegs(320, 240)[0])
        listed = _get(people, ALICE_TOKEN, "/api/streams").json()["streams"]
        assert [(s["id"], s["stream_id"], s["processed"]) for s in listed] == [(mine, "cam", 1)]
        listed = _get(people, BOB_TOKEN, "/api/streams").json()["streams"]
        assert [(s["id"], s["processed"]) for s in listed] == [(theirs, 0)]

        stats = _get(people, ALICE_TOKEN, f"/api/streams/{mine}/stats")
        assert stats.status_code == 200
        assert (stats.json()["id"], stats.json()["samples"]) == (mine, 1)
        # Someone else's stream is as absent as one that does not exist.
        for token, stream in ((BOB_TOKEN, mine), (ALICE_TOKEN, "st_000000000000")):
            missing = _get(people, token, f"/api/streams/{stream}/stats")
            assert missing.status_code == 404
            assert missing.json()["error"]["code"] == "NOT_FOUND"
        # A name is not an id.
        assert _get(people, ALICE_TOKEN, "/api/streams/cam/stats").status_code == 422
