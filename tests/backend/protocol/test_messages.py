"""What a real server sends is exactly what the wire's models say (so the two cannot drift).

The models refuse unknown fields, so a field the server adds without adding it to
`protocol/messages.py` (and `make schema`) fails here, as does one it stops sending.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import pytest

from posestudio.client import PoseClient, PoseClientError
from posestudio.client.run import stream_source
from posestudio.client.sources import test_video_path
from posestudio.protocol import (
    NUM_LANDMARKS,
    ErrorBody,
    ErrorCode,
    ErrorMessage,
    ErrorResponse,
    PoseMessage,
    Refused,
    StartAck,
    StopAck,
    StreamList,
)
from posestudio.settings import Settings
from tests.utils.frames import next_event, pose_for, video_jpegs
from tests.utils.server import LiveServer


async def test_poses_of_the_real_video_streamed_by_the_reference_client(
    server: LiveServer,
) -> None:
    out = io.StringIO()
    report = await stream_source(
        test_video_path(),
        url=server.url,
        token=server.token,
        fps=60,
        quality=70,
        size=(320, 240),
        out=out,
        stream_id="schema-video",
        smoothing=True,
        show_progress=False,
    )
    lines = out.getvalue().splitlines()
    assert len(lines) == report.poses > 0
    poses = [PoseMessage.model_validate_json(line) for line in lines]
    with_person = [pose for pose in poses if pose.persons]
    assert len(with_person) >= 0.9 * len(poses)
    assert all(len(p.persons[0].landmarks) == NUM_LANDMARKS for p in with_person)
    assert {(p.image.width, p.image.height) for p in poses} == {(320, 240)}


async def test_acknowledgements_poses_errors_and_stream_list(
    server: LiveServer, client: PoseClient
) -> None:
    ack = StartAck.model_validate(await client.start("schema-a"))
    assert ack.stream_id == "schema-a" and ack.smoothing is False
    smoothed = await client.start("schema-b", smoothing={"min_cutoff": 0.5, "beta": 0.1})
    assert StartAck.model_validate(smoothed).smoothing is True

    seq = await client.send("schema-a", video_jpegs(640, 480)[0])
    assert seq is not None
    pose = PoseMessage.model_validate((await pose_for(client, "schema-a", seq)).data)
    assert pose.persons and pose.seq == seq

    listed = StreamList.model_validate(server.get("/api/streams").json())
    mine = [s for s in listed.streams if s.stream_id in {"schema-a", "schema-b"}]
    assert {s.state for s in mine} == {"running"} and len(mine) == 2

    refusals = {
        ErrorCode.UNKNOWN_ENGINE: {"stream_id": "schema-c", "engine": "no-such-engine"},
        ErrorCode.BAD_REQUEST: {"stream_id": "not a valid id!"},
        ErrorCode.STREAM_EXISTS: {"stream_id": "schema-a"},
    }
    for code, request in refusals.items():
        refused = Refused.model_validate(await client.call_raw("start", request))
        assert refused.error.code is code

    await client.emit_raw("frame", {"stream_id": "schema-a", "seq": 1, "capture_ts": 0}, b"xx")
    error = ErrorMessage.model_validate((await next_event(client, "error")).data)
    assert error.code is ErrorCode.BAD_FRAME and error.stream_id == "schema-a"
    await client.emit_raw("frame", "only one argument")
    error = ErrorMessage.model_validate((await next_event(client, "error")).data)
    assert error.code is ErrorCode.BAD_REQUEST and error.stream_id is None

    assert StopAck.model_validate(await client.stop("schema-b")).stream_id == "schema-b"
    refused = Refused.model_validate(await client.call_raw("stop", {"stream_id": "schema-b"}))
    assert refused.error.code is ErrorCode.UNKNOWN_STREAM


@pytest.fixture(scope="module")
def tight_server() -> Iterator[LiveServer]:
    live = LiveServer(Settings(environment="test", max_fps=1, max_frame_bytes=20_000)).start()
    yield live
    live.stop()


async def test_limit_errors(tight_server: LiveServer) -> None:
    async with PoseClient(tight_server.url, tight_server.token) as client:
        await client.start("tight")
        # 28 KB: over max_frame_bytes, under what the transport accepts (twice it + 64 KiB)
        await client.send("tight", video_jpegs(640, 480)[0])
        error = ErrorMessage.model_validate((await next_event(client, "error")).data)
        assert error.code is ErrorCode.FRAME_TOO_LARGE and error.details
        small = video_jpegs(176, 144)[0]
        for _ in range(5):  # a burst of two is allowed at 1 frame/s
            await client.send("tight", small)
        error = ErrorMessage.model_validate((await next_event(client, "error")).data)
        assert error.code is ErrorCode.RATE_LIMITED


async def test_refused_connection_and_http_errors(server: LiveServer) -> None:
    with pytest.raises(PoseClientError) as refused:
        await PoseClient(server.url, "wrong-token", reconnect=False).connect()
    assert ErrorBody.model_validate(refused.value.error).code is ErrorCode.UNAUTHORIZED

    missing = server.get("/api/streams/st_nosuchstream/stats")
    assert missing.status_code == 404
    assert ErrorResponse.model_validate(missing.json()).error.code is ErrorCode.NOT_FOUND
    anonymous = httpx.get(f"{server.url}/api/streams", timeout=10)
    assert anonymous.status_code == 401
    assert ErrorResponse.model_validate(anonymous.json()).error.code is ErrorCode.UNAUTHORIZED


def test_the_models_refuse_a_field_the_server_does_not_send() -> None:
    body = {"code": "BAD_FRAME", "message": "m", "stream_id": "s", "extra": 1}
    with pytest.raises(ValueError, match="extra"):
        ErrorMessage.model_validate(body)
    with pytest.raises(ValueError, match="code"):
        ErrorMessage.model_validate_json(json.dumps({**body, "code": "NOT_A_CODE"}))
