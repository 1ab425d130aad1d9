"""FastPacket must put exactly the bytes on the wire that python-socketio's own does."""

from __future__ import annotations

from typing import Any

import pytest
from socketio import packet

from posestudio.protocol.packet import FastPacket, has_binary
from tests.utils.frames import video_jpegs

POSE: dict[str, Any] = {
    "schema": "pose_v1",
    "stream_id": "cam0",
    "seq": 41,
    "capture_ts": 1795290501770.5383,
    "image": {"width": 1280, "height": 720},
    "persons": [
        {
            "score": 0.436,
            "landmarks": [[0.5205, 0.4519, -1.0818, 1.0, 0.999]] * 33,
            "world": [[-0.0123, -0.6012, 0.3011, 0.25, 0.0]] * 33,
        }
    ],
    "timing": {"queue_ms": 0.2, "decode_ms": 2.1, "infer_ms": 14.9, "server_ms": 17.6},
    "dropped": 3,
}


@pytest.mark.parametrize(
    "data",
    [
        ["pose", POSE],
        ["error", {"code": "BAD_FRAME", "message": "truncated", "stream_id": "s"}],
        ["pose", {**POSE, "persons": []}],
    ],
)
def test_encodes_the_same_bytes_as_python_socketio(data: list[Any]) -> None:
    ours = FastPacket(packet.EVENT, namespace="/pose", data=data).encode()
    theirs = packet.Packet(packet.EVENT, namespace="/pose", data=data).encode()
    assert ours == theirs


def test_non_ascii_text_decodes_to_the_same_value() -> None:
    # stdlib json escapes it (\u00fc), orjson writes UTF-8: the same JSON value.
    data = ["error", {"code": "BAD_REQUEST", "message": "ünïcode ✓ 漢字", "stream_id": "s"}]
    ours = FastPacket(packet.EVENT, namespace="/pose", data=data).encode()
    assert packet.Packet(encoded_packet=ours).data == data


def test_binary_frames_are_still_sent_as_attachments() -> None:
    jpeg = video_jpegs(640, 480)[0]
    data = ["frame", {"stream_id": "s", "seq": 1, "capture_ts": 1.0}, jpeg]
    ours = FastPacket(packet.EVENT, namespace="/pose", data=data)
    theirs = packet.Packet(packet.EVENT, namespace="/pose", data=data)
    assert ours.packet_type == theirs.packet_type == packet.BINARY_EVENT
    assert ours.encode() == theirs.encode()


def test_decodes_what_a_client_sends() -> None:
    data = ["frame", {"stream_id": "s", "seq": 1, "capture_ts": 1.5}, b"\xff\xd8jpeg"]
    header, attachment = packet.Packet(packet.EVENT, namespace="/pose", data=data).encode()
    received = FastPacket(encoded_packet=header)
    assert received.add_attachment(attachment)
    assert received.data == data
    assert received.namespace == "/pose"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"x", True),
        (bytearray(b"x"), True),
        ([1, "a", 2.0, None], False),
        ({"a": [[1, 2], {"b": [b"deep"]}]}, True),
        ({"a": [[1, 2], {"b": ["text"]}]}, False),
        ("bytes", False),
    ],
)
def test_has_binary(data: Any, expected: bool) -> None:
    assert has_binary(data) is expected
    assert packet.Packet.data_is_binary(data) is expected
