"""A recording survives a reconnect: the dropped connection's stream, started again under
its name by the same person, records on into the same session (same stream key, frame
numbers and clock), and the session's `recording` events go to the new connection. Not
coming back within `record_rejoin_seconds` ends the session; a stream its client stops
ends it at once."""

from __future__ import annotations

import orjson

from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.server import wait_for
from tests.utils.sessions import Recorder, SessionsBackend

SETTINGS = {"record_rejoin_seconds": 5.0}


def _no_stream_running(backend: SessionsBackend) -> bool:
    """The server has closed the dropped connection's streams."""
    return not backend.get("/api/streams").json()["streams"]


async def test_a_reconnected_stream_records_on_into_the_same_session(
    backend: SessionsBackend,
) -> None:
    jpegs = video_jpegs(320, 240)
    first = await Recorder.connect(backend.url)
    try:
        await first.client.start("cam")
        session = await first.record(video=True, name="across a reconnect")
        sid = session["id"]
        for jpeg in jpegs[:6]:
            await send_and_wait(first.client, "cam", jpeg)
    finally:
        await first.close()  # the page's connection drops
    wait_for(lambda: _no_stream_running(backend), 10, "the dropped stream to close")
    assert backend.session(sid)["status"] == "recording"

    second = await Recorder.connect(backend.url)
    try:
        await second.client.start("cam")  # what the studio does after a reconnect
        for jpeg in jpegs[6:12]:
            await send_and_wait(second.client, "cam", jpeg)
        final = await second.stop_record(sid)  # the new connection may stop it
        ended = await second.final(sid)
    finally:
        await second.close()
    assert final["status"] == "complete" and final["stop_reason"] == "stopped"
    assert ended["frames"] == 12  # the new connection heard the session's progress
    (stream,) = final["streams"]
    assert stream["key"] == session["streams"][0]["key"] and stream["name"] == "cam"
    assert stream["frames"] == 12

    base = f"/api/sessions/{sid}/streams/{stream['key']}"
    rows = [orjson.loads(line) for line in backend.get(f"{base}/poses").text.splitlines()]
    assert [r["index"] for r in rows] == list(range(12))
    assert [r["ts"] for r in rows] == sorted(r["ts"] for r in rows)
    for index in (0, 5, 6, 11):  # the JPEGs as sent, before and after the reconnect
        assert backend.get(f"{base}/frames/{index}").content == jpegs[index]


async def test_a_stream_that_does_not_come_back_ends_the_session(
    backend: SessionsBackend,
) -> None:
    jpegs = video_jpegs(320, 240)
    recorder = await Recorder.connect(backend.url)
    try:
        await recorder.client.start("cam")
        stopped = await recorder.record()
        for jpeg in jpegs[:3]:
            await send_and_wait(recorder.client, "cam", jpeg)
        # Stopped by its client (not a dropped connection): the session ends at once,
        # well before the rejoin window would have passed.
        await recorder.client.stop("cam")
        ended = await recorder.final(stopped["id"], timeout=4.0)
        assert ended["status"] == "complete" and ended["stop_reason"] == "stream_ended"

        await recorder.client.start("cam")
        dropped = await recorder.record()
        for jpeg in jpegs[:3]:
            await send_and_wait(recorder.client, "cam", jpeg)
    finally:
        await recorder.close()
    wait_for(lambda: _no_stream_running(backend), 10, "the dropped stream to close")
    assert backend.session(dropped["id"])["status"] == "recording"
    done = wait_for(
        lambda: (s := backend.session(dropped["id"]))["status"] != "recording" and s,
        30,
        "the rejoin window to pass",
    )
    assert done["status"] == "complete" and done["stop_reason"] == "stream_ended"
    assert done["streams"][0]["frames"] == 3
